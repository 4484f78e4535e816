package authcheck

import (
	"context"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dmarc"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/spf"
)

// TestCheckSPFDomain: the domain DMARC aligns with is the one SPF checked
// (RFC 7208 §2.3-§2.4, RFC 7489 §3.1.2): MAIL FROM's, or the HELO name for
// a bounce, as an A-label.
func TestCheckSPFDomain(t *testing.T) {
	res := dnstest.NewMemory(t, `
$ORIGIN example.org.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
mail     IN TXT "v=spf1 ip4:192.0.2.1 -all"
$ORIGIN xn--bcher-kva.example.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
`)
	msg := []byte("From: alice@example.org\r\nSubject: hi\r\n\r\nbody\r\n")
	tests := []struct {
		name, helo, mailFrom string
		identity             spf.Identity
		domain               string
		dmarc                dmarc.Result
	}{
		{"mail from", "mail.example.org", "alice@example.org", spf.IdentityMailFrom, "example.org", dmarc.Pass},
		{"bounce: postmaster@helo", "mail.example.org", "", spf.IdentityMailFrom, "mail.example.org", dmarc.Pass},
		{"idn mail from", "mail.example.org", "alice@bücher.example", spf.IdentityMailFrom, "xn--bcher-kva.example", dmarc.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: res, Hostname: "mx.example.com"}
			r := c.Check(context.Background(), Input{IP: netip.MustParseAddr("192.0.2.1"), HELO: tt.helo, MailFrom: tt.mailFrom, Message: msg})
			require.Equal(t, spf.Pass, r.SPF.Result, "%v", r.SPFErr)
			require.Equal(t, tt.identity, r.SPF.Identity)
			require.Equal(t, tt.domain, r.SPFDomain)
			require.Equal(t, tt.dmarc, r.DMARC.Result, "%v", r.DMARCErr)
		})
	}
}
