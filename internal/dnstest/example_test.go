package dnstest_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/mailsmith/mailsmith/internal/dnstest"
)

// Start serves zone text on loopback; Resolver talks only to that server.
func ExampleStart() {
	srv, err := dnstest.Start(`
$ORIGIN example.org.
@    IN MX 10 mx1
mx1  IN A  192.0.2.1
`)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx := context.Background()
	mxs, err := srv.Resolver().LookupMX(ctx, "example.org.")
	fmt.Println(mxs[0].Host, mxs[0].Pref, err)
	fmt.Println(srv.CountQueries("example.org.", dnstest.TypeMX), "MX query")

	// Inject a failure: the same lookup now fails temporarily.
	srv.Fault("example.org.", dnstest.TypeMX, dnstest.ServFail)
	_, err = srv.Resolver().LookupMX(ctx, "example.org.")
	var de *net.DNSError
	fmt.Println(errors.As(err, &de) && de.IsTemporary)
	// Output:
	// mx1.example.org. 10 <nil>
	// 1 MX query
	// true
}
