package dane_test

import (
	"crypto"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// signedZone is a zone signed by the test with miekg/dns: one ECDSA P-256
// key (flags 257, a combined signing key), RRSIGs over every RRset and an
// NSEC chain for denial of existence (RFC 4034, RFC 4035).
type signedZone struct {
	origin string
	key    *dns.DNSKEY
	priv   crypto.Signer
}

func newSignedZone(t *testing.T, origin string) *signedZone {
	t.Helper()
	key := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: origin, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     257,
		Protocol:  3,
		Algorithm: dns.ECDSAP256SHA256,
	}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	return &signedZone{origin: origin, key: key, priv: priv.(crypto.Signer)}
}

// ds is the zone's DS record, the trust anchor a validator needs.
func (z *signedZone) ds() string { return z.key.ToDS(dns.SHA256).String() }

// canonicalLess orders names as RFC 4034 §6.1 says: label by label from
// the right, case-insensitively.
func canonicalCompare(a, b string) int {
	la, lb := dns.SplitDomainName(strings.ToLower(a)), dns.SplitDomainName(strings.ToLower(b))
	slices.Reverse(la)
	slices.Reverse(lb)
	for i := 0; i < len(la) && i < len(lb); i++ {
		if c := strings.Compare(la[i], lb[i]); c != 0 {
			return c
		}
	}
	return len(la) - len(lb)
}

// zoneText parses the records (zone-file lines relative to the origin),
// adds SOA, NS, DNSKEY, NSEC and RRSIG records when signed, and returns the
// zone file. tamper, when not nil, edits records after signing (making
// their RRset bogus).
func (z *signedZone) zoneText(t *testing.T, body string, sign bool, tamper func(dns.RR)) string {
	t.Helper()
	head := fmt.Sprintf("$ORIGIN %s\n$TTL 300\n@ IN SOA ns.%s hostmaster.%s 1 3600 600 86400 300\n@ IN NS ns.%s\nns IN A 127.0.0.1\n",
		z.origin, z.origin, z.origin, z.origin)
	zp := dns.NewZoneParser(strings.NewReader(head+body), z.origin, "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatalf("zone %s: %v", z.origin, err)
	}
	if !sign {
		return rrsText(rrs)
	}
	rrs = append(rrs, z.key)
	// RRsets by owner and type.
	type setKey struct {
		name  string
		rtype uint16
	}
	sets := map[setKey][]dns.RR{}
	types := map[string][]uint16{}
	for _, rr := range rrs {
		h := rr.Header()
		h.Name = strings.ToLower(h.Name)
		k := setKey{h.Name, h.Rrtype}
		if _, ok := sets[k]; !ok {
			types[h.Name] = append(types[h.Name], h.Rrtype)
		}
		sets[k] = append(sets[k], rr)
	}
	var names []string
	for n := range types {
		names = append(names, n)
	}
	slices.SortFunc(names, canonicalCompare)
	for i, n := range names {
		next := names[(i+1)%len(names)]
		bitmap := append(slices.Clone(types[n]), dns.TypeNSEC, dns.TypeRRSIG)
		slices.Sort(bitmap)
		nsec := &dns.NSEC{Hdr: dns.RR_Header{Name: n, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
			NextDomain: next, TypeBitMap: bitmap}
		sets[setKey{n, dns.TypeNSEC}] = []dns.RR{nsec}
	}
	now := time.Now()
	var out []dns.RR
	for _, n := range names {
		for _, rt := range append(slices.Clone(types[n]), dns.TypeNSEC) {
			set := sets[setKey{n, rt}]
			// Only the apex NS set and records under the zone are
			// signed; there are no delegations here.
			sig := &dns.RRSIG{
				Hdr:         dns.RR_Header{Name: n, Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: set[0].Header().Ttl},
				Algorithm:   z.key.Algorithm,
				Expiration:  uint32(now.Add(24 * time.Hour).Unix()),
				Inception:   uint32(now.Add(-time.Hour).Unix()),
				KeyTag:      z.key.KeyTag(),
				SignerName:  z.origin,
				TypeCovered: rt,
				OrigTtl:     set[0].Header().Ttl,
			}
			if err := sig.Sign(z.priv, set); err != nil {
				t.Fatalf("signing %s %s: %v", n, dns.TypeToString[rt], err)
			}
			out = append(out, set...)
			out = append(out, sig)
		}
	}
	if tamper != nil {
		for _, rr := range out {
			tamper(rr)
		}
	}
	return rrsText(out)
}

func rrsText(rrs []dns.RR) string {
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}
