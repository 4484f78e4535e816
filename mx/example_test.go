package mx_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailsmith/mailsmith/mx"
)

func ExampleRouter_Lookup_resolveAddrs() {
	r := &mx.Router{Resolver: exampleZone, ResolveAddrs: true}
	hosts, err := r.Lookup(context.Background(), "nomx.example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hosts {
		fmt.Println(h.Name, h.Preference, h.Implicit, h.Addrs)
	}
	// Output:
	// nomx.example.org 0 true [192.0.2.10]
}

func ExampleRouter_Lookup_errors() {
	r := &mx.Router{Resolver: exampleZone, ResolveAddrs: true}
	for _, domain := range []string{"nomail.example.org", "nowhere.example.org", "dangling.example.org"} {
		_, err := r.Lookup(context.Background(), domain)
		switch {
		case errors.Is(err, mx.ErrNullMX):
			fmt.Println(domain, "accepts no mail: bounce with 556 5.1.10")
		case errors.Is(err, mx.ErrNoSuchDomain):
			fmt.Println(domain, "does not exist: bounce with 550 5.1.2")
		case errors.Is(err, mx.ErrNoUsableMX):
			fmt.Println(domain, "has no usable MX: bounce with 550 5.4.4")
		case errors.Is(err, mx.ErrTemporary):
			fmt.Println(domain, "DNS failure: retry later")
		}
	}
	// Output:
	// nomail.example.org accepts no mail: bounce with 556 5.1.10
	// nowhere.example.org does not exist: bounce with 550 5.1.2
	// dangling.example.org has no usable MX: bounce with 550 5.4.4
}

// An address literal is its own route: no DNS query is made.
func ExampleRouter_Lookup_addressLiteral() {
	r := &mx.Router{Resolver: exampleZone}
	for _, domain := range []string{"[192.0.2.25]", "[IPv6:2001:DB8::25]", "[IPv6:192.0.2.25]"} {
		hosts, err := r.Lookup(context.Background(), domain)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(hosts[0].Name, hosts[0].Literal, hosts[0].Addrs)
	}
	// Output:
	// [192.0.2.25] true [192.0.2.25]
	// [IPv6:2001:db8::25] true [2001:db8::25]
	// mx: invalid domain name: address literal "[IPv6:192.0.2.25]": "192.0.2.25" is an IPv4 address: write it without the IPv6: tag (RFC 5321 §4.1.3)
}

func ExampleRouter_Route() {
	r := &mx.Router{Resolver: exampleZone, Self: []string{"mx2.example.org"}}
	route, err := r.Route(context.Background(), "example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("relay to:", route.Hosts[0].Name)
	for _, s := range route.Skipped {
		fmt.Println("skipped:", s.Preference, s.Target)
	}
	// Unordered output:
	// relay to: mx1.example.org
	// skipped: 20 mx2.example.org.
	// skipped: 20 mx3.example.org.
}

func ExampleRouter_Lookup_idn() {
	// U-labels are looked up as A-labels (xn--bcher-kva.example.org).
	hosts, err := (&mx.Router{Resolver: exampleZone}).Lookup(context.Background(), "bücher.example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hosts[0].Name)
	// Output:
	// mx1.example.org
}

// Lookup asks the system's resolver; this example needs the network, so it
// is compiled but not run.
func ExampleLookup() {
	hosts, err := mx.Lookup(context.Background(), "example.com")
	switch {
	case errors.Is(err, mx.ErrNullMX):
		fmt.Println("example.com accepts no mail")
	case err != nil:
		fmt.Println("lookup failed:", err)
	default:
		for _, h := range hosts {
			fmt.Println(h.Preference, h.Name, h.Implicit)
		}
	}
}

// NormalizeDomain gives a domain as Lookup queries it, so that names
// written in different forms compare equal.
func ExampleNormalizeDomain() {
	for _, d := range []string{"Bücher.Example.", "_mta-sts.EXAMPLE.org", "a..example"} {
		name, err := mx.NormalizeDomain(d)
		fmt.Printf("%q %v\n", name, err)
	}
	// Output:
	// "xn--bcher-kva.example" <nil>
	// "_mta-sts.example.org" <nil>
	// "" mx: invalid domain name: "a..example": empty label
}
