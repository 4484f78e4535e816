package ptr_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/mailsmith/mailsmith/ptr"
)

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
