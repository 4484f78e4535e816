package mx_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx"
)

// exampleZone is served on loopback so the examples give fixed output.
const exampleZone = `
$ORIGIN example.org.
@       IN MX   10 mx1
@       IN MX   20 mx2
@       IN MX   20 mx3
mx1     IN A    192.0.2.1
mx1     IN AAAA 2001:db8::1
mx2     IN A    192.0.2.2
mx3     IN A    192.0.2.3
nomx    IN A    192.0.2.10
nomail  IN MX   0 .
xn--bcher-kva IN MX 10 mx1
`

func startExampleServer() *dnstest.Server {
	srv, err := dnstest.Start(exampleZone)
	if err != nil {
		panic(err)
	}
	return srv
}

func ExampleRouter_Lookup() {
	srv := startExampleServer()
	defer srv.Close()

	r := &mx.Router{
		Resolver: srv.Resolver(),              // nil: net.DefaultResolver
		Rand:     rand.New(rand.NewPCG(1, 2)), // reproducible shuffle
	}
	hosts, err := r.Lookup(context.Background(), "example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hosts {
		fmt.Println(h.Preference, h.Name)
	}
	// Output:
	// 10 mx1.example.org
	// 20 mx3.example.org
	// 20 mx2.example.org
}

func ExampleRouter_Lookup_resolveAddrs() {
	srv := startExampleServer()
	defer srv.Close()

	r := &mx.Router{Resolver: srv.Resolver(), ResolveAddrs: true}
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
	srv := startExampleServer()
	defer srv.Close()

	r := &mx.Router{Resolver: srv.Resolver()}
	for _, domain := range []string{"nomail.example.org", "nowhere.example.org"} {
		_, err := r.Lookup(context.Background(), domain)
		switch {
		case errors.Is(err, mx.ErrNullMX):
			fmt.Println(domain, "accepts no mail: bounce with 556 5.1.10")
		case errors.Is(err, mx.ErrNoSuchDomain):
			fmt.Println(domain, "does not exist: bounce with 550 5.1.2")
		case errors.Is(err, mx.ErrTemporary):
			fmt.Println(domain, "DNS failure: retry later")
		}
	}
	// Output:
	// nomail.example.org accepts no mail: bounce with 556 5.1.10
	// nowhere.example.org does not exist: bounce with 550 5.1.2
}

func ExampleRouter_Route() {
	srv := startExampleServer()
	defer srv.Close()

	r := &mx.Router{Resolver: srv.Resolver(), Self: []string{"mx2.example.org"}}
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
	srv := startExampleServer()
	defer srv.Close()

	// U-labels are looked up as A-labels (xn--bcher-kva.example.org).
	hosts, err := (&mx.Router{Resolver: srv.Resolver()}).Lookup(context.Background(), "bücher.example.org")
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
