package mx

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
)

// maxParallelHosts bounds how many hosts have their addresses looked up at
// the same time.
const maxParallelHosts = 8

// addrResult is what the A and AAAA lookups of one name found.
type addrResult struct {
	addrs   []netip.Addr // A records first, then AAAA
	failure error        // the first lookup that failed other than "not found"
}

// err returns the error to record on a Host: the failure, or
// ErrNoAddresses when both lookups said "not found".
func (a addrResult) err(name string) error {
	switch {
	case a.failure != nil:
		return temporary("address lookup", name, a.failure)
	case len(a.addrs) == 0:
		return fmt.Errorf("%w: %s", ErrNoAddresses, name)
	}
	return nil
}

// lookupAddrs looks up the A and AAAA records of name at the same time.
func lookupAddrs(ctx context.Context, res Resolver, name string) addrResult {
	var v4, v6 []netip.Addr
	var err4, err6 error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		v6, err6 = res.LookupNetIP(ctx, "ip6", name+".")
	}()
	v4, err4 = res.LookupNetIP(ctx, "ip4", name+".")
	wg.Wait()

	var out addrResult
	out.addrs = make([]netip.Addr, 0, len(v4)+len(v6))
	for _, a := range v4 {
		if a = a.Unmap(); a.Is4() {
			out.addrs = append(out.addrs, a)
		}
	}
	for _, a := range v6 {
		if a.Is6() && !a.Is4In6() {
			out.addrs = append(out.addrs, a.WithZone(""))
		}
	}
	if len(out.addrs) == 0 {
		out.addrs = nil
	}
	for _, err := range []error{err4, err6} {
		if err != nil && !isNotFound(err) && out.failure == nil {
			out.failure = err
		}
	}
	return out
}

// resolveHosts fills Addrs and Err of every host, several at a time.
func resolveHosts(ctx context.Context, res Resolver, hosts []Host) {
	sem := make(chan struct{}, maxParallelHosts)
	var wg sync.WaitGroup
	for i := range hosts {
		h := &hosts[i]
		if h.Addrs != nil || h.Err != nil {
			continue // already resolved (the implicit MX)
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			found := lookupAddrs(ctx, res, h.Name)
			h.Addrs, h.Err = found.addrs, found.err(h.Name)
		}()
	}
	wg.Wait()
}
