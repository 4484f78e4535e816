package ptr_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/ptr"
)

const exampleZone = `
$ORIGIN example.org.
mail    IN A    192.0.2.1
other   IN A    192.0.2.99
$ORIGIN 2.0.192.in-addr.arpa.
1       IN PTR  mail.example.org.
2       IN PTR  other.example.org.
`

func ExampleVerifier_Verify() {
	srv, err := dnstest.Start(exampleZone)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	v := &ptr.Verifier{Resolver: srv.Resolver()} // nil Resolver: net.DefaultResolver
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		vd, err := v.Verify(context.Background(), netip.MustParseAddr(ip))
		fmt.Println(vd.AuthResult(), vd.Names, err != nil)
	}
	// Output:
	// iprev=pass policy.iprev=192.0.2.1 [mail.example.org] false
	// iprev=fail policy.iprev=192.0.2.2 [] false
	// iprev=permerror policy.iprev=192.0.2.3 [] true
}

func ExampleReverseName() {
	fmt.Println(ptr.ReverseName(netip.MustParseAddr("192.0.2.1")))
	fmt.Println(ptr.ReverseName(netip.MustParseAddr("::ffff:192.0.2.1")))
	fmt.Println(ptr.ReverseName(netip.MustParseAddr("2001:db8::1")))
	// Output:
	// 1.2.0.192.in-addr.arpa.
	// 1.2.0.192.in-addr.arpa.
	// 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.
}

func ExampleVerdict_AuthResult() {
	vd := ptr.Verdict{Result: ptr.Pass, IP: netip.MustParseAddr("192.0.2.1")}
	fmt.Println("Authentication-Results: mx.example.net; " + vd.AuthResult())
	// Output:
	// Authentication-Results: mx.example.net; iprev=pass policy.iprev=192.0.2.1
}

// Verify asks the system's resolver; this example needs the network, so it
// is compiled but not run.
func ExampleVerify() {
	vd, err := ptr.Verify(context.Background(), netip.MustParseAddr("192.0.2.1"))
	if err != nil {
		fmt.Println("iprev:", err)
	}
	fmt.Println("Authentication-Results: mx.example.net; " + vd.AuthResult())
}
