package dane_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/smtp"
)

func ExampleParseRecord() {
	r, err := dane.ParseRecord("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Usage, r.Selector, r.MatchingType, len(r.Data))
	fmt.Println(r.Usable())
	fmt.Println(r)

	pkix, _ := dane.ParseRecord("1 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")
	fmt.Println(pkix.Usable())
	// Output:
	// 3 1 1 32
	// <nil>
	// 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6
	// dane: record 1 1 1 0c72ac70b745ac19998811b1...: usage 1 (PKIX) is unusable for SMTP (RFC 7672 §3.1.3)
}

// The record to publish for a server's key, as a zone file line. The key
// here comes from a fixed seed so that the output is stable.
func ExampleRecordForKey() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	r, err := dane.RecordForKey(priv.Public())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ZoneText("mx.example.org", 25))
	// Output:
	// _25._tcp.mx.example.org. IN TLSA 3 1 1 339e2ff917630507b6a423b5ce084e285d1fa65d93b3e27a6195d3bbebc9ae23
}

// Verify checks the chain a server presented. DANE-EE(3) ignores the
// certificate's names and dates: a self-signed certificate is fine.
func ExampleVerify() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "not even the right name"},
		NotBefore:    time.Now().Add(-48 * time.Hour),
		NotAfter:     time.Now().Add(-24 * time.Hour), // expired
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	cert, _ := x509.ParseCertificate(der)

	published := dane.RecordFor(cert)
	m, err := dane.Verify([]dane.Record{published}, []*x509.Certificate{cert},
		dane.VerifyOptions{Names: []string{"mx.example.org"}})
	fmt.Println(m.Usage, m.Selector, m.MatchingType, err)

	stale, _ := dane.ParseRecord("3 1 1 " + strings.Repeat("00", 32))
	_, err = dane.Verify([]dane.Record{stale}, []*x509.Certificate{cert}, dane.VerifyOptions{})
	fmt.Println(errors.Is(err, dane.ErrNoMatch))
	// Output:
	// 3 1 1 <nil>
	// true
}

// exampleResolver answers from maps, all secure: a stand-in for
// dane.DNSResolver pointed at a local validating resolver.
type exampleResolver struct {
	tlsa map[string][]dane.Record
}

func (exampleResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, bool, error) {
	return []*net.MX{{Host: "mx1." + name, Pref: 10}, {Host: "mx2." + name, Pref: 20}}, true, nil
}

func (exampleResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, bool, error) {
	if network == "ip6" {
		return nil, true, &net.DNSError{Err: "no AAAA", Name: host, IsNotFound: true}
	}
	return []netip.Addr{netip.MustParseAddr("192.0.2.25")}, true, nil
}

func (exampleResolver) LookupCNAME(ctx context.Context, name string) (string, bool, error) {
	return "", true, fmt.Errorf("%w: %s", dane.ErrNoData, name)
}

func (r exampleResolver) LookupTLSA(ctx context.Context, name string) ([]dane.Record, bool, error) {
	if recs, ok := r.tlsa[name]; ok {
		return recs, true, nil
	}
	return nil, true, fmt.Errorf("%w: %s", dane.ErrNXDomain, name)
}

// Lookup says per MX host what DANE asks for; a real MTA uses
// &dane.DNSResolver{} with a validating resolver on 127.0.0.1.
func ExampleLookup() {
	rec, _ := dane.ParseRecord("3 1 1 " + strings.Repeat("ab", 32))
	r := exampleResolver{tlsa: map[string][]dane.Record{"_25._tcp.mx1.example.org.": {rec}}}
	d, err := dane.Lookup(context.Background(), r, "example.org")
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range d.Hosts {
		fmt.Println(h.Name, h.Status, h.Addrs, h.Names)
	}
	// Output:
	// mx1.example.org. verify [192.0.2.25] [mx1.example.org example.org]
	// mx2.example.org. none [192.0.2.25] []
}

// Delivering to a host whose TLSA records must be verified: TLS is
// mandatory (smtp.TLSRequired, so that the WebPKI does not decide) and
// the DANE check runs in VerifyConnection. (This example only compiles: it
// would need a real MX host.)
func ExampleHost_TLSConfig() {
	ctx := context.Background()
	d, err := dane.Lookup(ctx, &dane.DNSResolver{Servers: []string{"127.0.0.1"}}, "example.org")
	if err != nil {
		log.Print(err) // defer the message
		return
	}
	for _, h := range d.Hosts {
		policy := smtp.TLSPolicy{Mode: smtp.TLSOpportunistic}
		switch h.Status {
		case dane.StatusDefer:
			continue
		case dane.StatusVerify, dane.StatusEncrypt:
			cfg, _ := h.TLSConfig(nil)
			policy = smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg}
		}
		for _, a := range h.Addrs {
			err := smtp.SendMail(ctx, netip.AddrPortFrom(a, 25).String(), "alice@example.net",
				[]string{"bob@example.org"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n"),
				smtp.WithTLSPolicy(policy))
			if err == nil {
				return
			}
		}
	}
}
