package mtasts_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/mailsmith/mailsmith/mx/mtasts"
)

// txtZone is an in-memory Resolver for the examples.
type txtZone map[string][]string

func (z txtZone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := z[name]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func ExampleLookupRecord() {
	zone := txtZone{
		"_mta-sts.example.com.": {"v=spf1 -all", "v=STSv1; id=20160831085700Z;"},
		"_mta-sts.example.net.": {"v=STSv1; id=1", "v=STSv1; id=2"},
	}
	ctx := context.Background()
	rec, err := mtasts.LookupRecord(ctx, zone, "example.com")
	fmt.Println(rec.ID, err)
	_, err = mtasts.LookupRecord(ctx, zone, "example.net")
	fmt.Println(errors.Is(err, mtasts.ErrNoPolicy), errors.Is(err, mtasts.ErrMultipleRecords))
	// Output:
	// 20160831085700Z <nil>
	// true true
}

func ExampleParsePolicy() {
	p, err := mtasts.ParsePolicy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Mode, p.MX, p.MaxAge)
	_, err = mtasts.ParsePolicy("version: STSv1\nmode: enforce\nmax_age: 604800\n")
	fmt.Println(err)
	// Output:
	// enforce [mail.example.com *.example.net] 168h0m0s
	// mtasts: invalid MTA-STS policy: mode enforce needs at least one mx field
}

func ExamplePolicy_Match() {
	p := &mtasts.Policy{Mode: mtasts.ModeEnforce, MX: []string{"mail.example.com", "*.example.net"}}
	for _, host := range []string{"MAIL.example.com.", "mx1.example.net", "a.b.example.net", "example.net"} {
		fmt.Println(host, p.Match(host))
	}
	// Output:
	// MAIL.example.com. true
	// mx1.example.net true
	// a.b.example.net false
	// example.net false
}

func ExamplePlanDelivery() {
	p := &mtasts.Policy{Mode: mtasts.ModeEnforce, MX: []string{"*.example.com"}}
	plan := mtasts.PlanDelivery(p, []string{"mx1.example.com.", "mx.attacker.example", "mx2.example.com."})
	for _, h := range plan.Hosts {
		fmt.Printf("%s allowed=%v tls=%s name=%q\n", h.Host, h.Allowed, h.TLS, h.ServerName)
	}
	// Output:
	// mx1.example.com allowed=true tls=verified-required name="mx1.example.com"
	// mx.attacker.example allowed=false tls=as-without-policy name=""
	// mx2.example.com allowed=true tls=verified-required name="mx2.example.com"
}

func ExampleClient_Get() {
	c := &mtasts.Client{Resolver: txtZone{}} // no _mta-sts record anywhere
	_, err := c.Get(context.Background(), "example.org")
	switch {
	case err == nil:
		fmt.Println("apply the policy")
	case mtasts.IsNoPolicy(err):
		fmt.Println("deliver as without MTA-STS:", err)
	default:
		fmt.Println("temporary failure, retry later:", err)
	}
	// Output:
	// deliver as without MTA-STS: mtasts: no MTA-STS policy: no "v=STSv1;" TXT record at _mta-sts.example.org.
}
