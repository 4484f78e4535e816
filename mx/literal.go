package mx

import (
	"fmt"
	"net/netip"
	"strings"
)

// literal routes to an address literal (RFC 5321 §4.1.3, §5.1): the address
// is the one host, with no DNS lookup at all.
func (r *Router) literal(domain string) (Route, error) {
	addr, name, err := parseLiteral(domain)
	if err != nil {
		return Route{}, err
	}
	rt := Route{Domain: name}
	if _, selfAddrs := r.self(); selfAddrs[addr] {
		return rt, fmt.Errorf("%w: %s is this host's own address", ErrSelfIsBest, name)
	}
	rt.Hosts = []Host{{Name: name, Addrs: []netip.Addr{addr}, Literal: true}}
	return rt, nil
}

// maxLiteralLen bounds an address literal: "[IPv6:" and "]" around the
// longest IPv6 text form (45 characters, with an embedded IPv4 address),
// with room to spare. Longer input is refused before it is parsed.
const maxLiteralLen = 64

// ipv6Tag is the standardized tag of an IPv6 address literal (RFC 5321
// §4.1.3). ABNF quoted strings are case-insensitive (RFC 5234 §2.3), so
// "ipv6:" is the same tag.
const ipv6Tag = "IPv6:"

// isLiteral reports whether domain is written as an address literal.
func isLiteral(domain string) bool { return strings.HasPrefix(domain, "[") }

// parseLiteral reads an address literal as RFC 5321 §4.1.3 writes it:
// "[192.0.2.1]" or "[IPv6:2001:db8::1]". It returns the address and the
// literal in canonical form ("[IPv6:2001:db8::1]"; an IPv4-mapped IPv6
// address becomes its IPv4 form, as it reaches the same host).
//
// Refused, with ErrInvalidDomain: a missing "]", an IPv4 part that is out
// of range or has leading zeros (RFC 5321 reads them as decimal, some
// stacks as octal: the literal is ambiguous), an IPv6 address without the
// "IPv6:" tag, the tag in front of something that is not an IPv6 address,
// a zone ("%eth0", which is not in the grammar), and General-address-literal
// ("[tag:content]"): no tag other than IPv6 is registered, so nobody can
// route to one.
func parseLiteral(in string) (netip.Addr, string, error) {
	if len(in) > maxLiteralLen {
		return netip.Addr{}, "", fmt.Errorf("%w: address literal of %d characters, more than %d", ErrInvalidDomain, len(in), maxLiteralLen)
	}
	if len(in) < 2 || in[len(in)-1] != ']' {
		return netip.Addr{}, "", fmt.Errorf("%w: address literal %q lacks its closing ']' (RFC 5321 §4.1.3)", ErrInvalidDomain, in)
	}
	body := in[1 : len(in)-1]
	if strings.ContainsAny(body, "[]") {
		return netip.Addr{}, "", fmt.Errorf("%w: address literal %q has a stray bracket", ErrInvalidDomain, in)
	}
	bad := func(why string, args ...any) (netip.Addr, string, error) {
		return netip.Addr{}, "", fmt.Errorf("%w: address literal %q: %s (RFC 5321 §4.1.3)", ErrInvalidDomain, in, fmt.Sprintf(why, args...))
	}
	if len(body) >= len(ipv6Tag) && strings.EqualFold(body[:len(ipv6Tag)], ipv6Tag) {
		text := body[len(ipv6Tag):]
		if strings.Contains(text, "%") {
			return bad("zones are not allowed")
		}
		a, err := netip.ParseAddr(text)
		switch {
		case err != nil:
			return bad("%q is not an IPv6 address", text)
		case !a.Is6():
			return bad("%q is an IPv4 address: write it without the IPv6: tag", text)
		}
		if a.Is4In6() {
			a = a.Unmap()
			return a, "[" + a.String() + "]", nil
		}
		return a, "[" + ipv6Tag + a.String() + "]", nil
	}
	if tag, _, ok := strings.Cut(body, ":"); ok {
		if a, err := netip.ParseAddr(body); err == nil && a.Is6() {
			return bad("an IPv6 address needs the %q tag", ipv6Tag)
		}
		return bad("general address literal with tag %q: only IPv4 and IPv6 literals can be routed", tag)
	}
	if err := checkIPv4Literal(body); err != "" {
		return bad("%s", err)
	}
	a, err := netip.ParseAddr(body)
	if err != nil || !a.Is4() {
		return bad("%q is not an IPv4 address", body)
	}
	return a, "[" + a.String() + "]", nil
}

// checkIPv4Literal checks the IPv4-address-literal grammar (RFC 5321
// §4.1.3: four Snum, each 1*3DIGIT of value 0 to 255) and refuses leading
// zeros. It returns what is wrong, or "".
func checkIPv4Literal(s string) string {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return fmt.Sprintf("%q is not four dot-separated numbers", s)
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return fmt.Sprintf("%q is not four numbers of one to three digits", s)
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return fmt.Sprintf("%q contains %q, not a digit", s, p[i])
			}
			n = n*10 + int(p[i]-'0')
		}
		switch {
		case n > 255:
			return fmt.Sprintf("%d in %q is above 255", n, s)
		case len(p) > 1 && p[0] == '0':
			return fmt.Sprintf("%q has a leading zero in %q, which some systems read as octal", s, p)
		}
	}
	return ""
}
