package mx

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// dedupe removes hosts listed more than once, keeping the first (best
// preference, as hosts are sorted) and reporting the others.
func dedupe(rt *Route, hosts []Host) []Host {
	if len(hosts) < 2 {
		return hosts
	}
	seen := make(map[string]bool, len(hosts))
	kept := hosts[:0]
	for _, h := range hosts {
		if seen[h.Name] {
			rt.Skipped = append(rt.Skipped, Skipped{Target: h.Name + ".", Preference: h.Preference, Reason: ErrDuplicate})
			continue
		}
		seen[h.Name] = true
		kept = append(kept, h)
	}
	return kept
}

// shuffle puts hosts of equal preference in random order (RFC 5321 §5.1).
// hosts must be sorted by preference.
func (r *Router) shuffle(hosts []Host) {
	for start := 0; start < len(hosts); {
		end := start + 1
		for end < len(hosts) && hosts[end].Preference == hosts[start].Preference {
			end++
		}
		group := hosts[start:end]
		for i := len(group) - 1; i > 0; i-- {
			j := r.intN(i + 1)
			group[i], group[j] = group[j], group[i]
		}
		start = end
	}
}

func (r *Router) intN(n int) int {
	if r.Rand != nil {
		return r.Rand.IntN(n)
	}
	return rand.IntN(n)
}

// self returns Router.Self split into normalized names and addresses.
// Entries that are neither are ignored.
func (r *Router) self() (names map[string]bool, addrs map[netip.Addr]bool) {
	for _, s := range r.Self {
		if isLiteral(s) {
			if a, _, err := parseLiteral(s); err == nil {
				s = a.String()
			}
		}
		if a, err := netip.ParseAddr(s); err == nil {
			if addrs == nil {
				addrs = make(map[netip.Addr]bool)
			}
			addrs[a.Unmap().WithZone("")] = true
			continue
		}
		n, err := NormalizeDomain(s)
		if err != nil {
			continue
		}
		if names == nil {
			names = make(map[string]bool)
		}
		names[n] = true
	}
	return names, addrs
}

// dropSelf applies RFC 5321 §5.1: when this host is one of the MX hosts,
// every record at or above its (best) preference is dropped. If that leaves
// nothing, this host is the best MX and relaying would loop: ErrSelfIsBest.
func dropSelf(rt *Route, hosts []Host, isSelf func(*Host) bool) ([]Host, error) {
	cut := -1
	for i := range hosts {
		if isSelf(&hosts[i]) {
			cut = i
			break
		}
	}
	if cut < 0 {
		return hosts, nil
	}
	own, selfName := hosts[cut].Preference, hosts[cut].Name
	for cut > 0 && hosts[cut-1].Preference == own {
		cut-- // the shuffle may have put an equal-preference peer first
	}
	for _, h := range hosts[cut:] {
		rt.Skipped = append(rt.Skipped, Skipped{Target: h.Name + ".", Preference: h.Preference, Reason: ErrNotBelowSelf})
	}
	if cut == 0 {
		return nil, fmt.Errorf("%w: %s lists this host (%s) at preference %d and no better host", ErrSelfIsBest, rt.Domain, selfName, own)
	}
	return hosts[:cut], nil
}
