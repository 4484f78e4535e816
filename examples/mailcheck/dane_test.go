package main

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/examples/internal/securedns"
	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// serveSMTP starts a server presenting cert (none: no STARTTLS) and
// returns its port.
func serveSMTP(t *testing.T, cert *tls.Certificate) int {
	t.Helper()
	return runtest.ServeSMTP(t, "mx.test", &runtest.Sink{}, cert)
}

// TestDANECheck: the DANE status of a domain's MX hosts (RFC 7672 §2.2)
// and the STARTTLS probe of each, against servers on loopback. The zones
// under "signed.test" count as DNSSEC-validated (securedns).
func TestDANECheck(t *testing.T) {
	cert, err := tlscert.SelfSigned("mx.good.signed.test")
	require.NoError(t, err)
	other, err := tlscert.SelfSigned("mx.good.signed.test")
	require.NoError(t, err)
	pin := dane.RecordFor(cert.Leaf).String()
	ports := map[string]int{
		"good":     serveSMTP(t, &cert),
		"wrong":    serveSMTP(t, &other),
		"plain":    serveSMTP(t, nil),
		"unusable": serveSMTP(t, &other),
	}
	var zone strings.Builder
	for _, name := range []string{"good", "wrong", "plain", "unusable", "bogus"} {
		d := name + ".signed.test."
		zone.WriteString(d + " IN MX 10 mx." + d + "\nmx." + d + " IN A 127.0.0.1\n")
		rec := pin
		if name == "unusable" {
			rec = "1 1 1 " + strings.Repeat("ab", 32) // PKIX-EE: unusable for SMTP
		}
		zone.WriteString("_25._tcp.mx." + d + " IN TLSA " + rec + "\n")
	}
	zone.WriteString("insecure.test. IN MX 10 mx.insecure.test.\nmx.insecure.test. IN A 127.0.0.1\n_25._tcp.mx.insecure.test. IN TLSA " + pin + "\n")
	srv := dnstest.New(t, zone.String())
	srv.Fault("_25._tcp.mx.bogus.signed.test.", dnstest.TypeTLSA, dnstest.ServFail)
	res := securedns.New(srv.Addr(), "signed.test")

	tests := []struct {
		domain   string
		mxSecure bool
		status   dane.Status
		match    bool
		want     finding
	}{
		{"good.signed.test", true, dane.StatusVerify, true, finding{Info, "dane", "the certificate matches 3 1 1 " + strings.Fields(pin)[3]}},
		{"wrong.signed.test", true, dane.StatusVerify, false, finding{Error, "dane", "the certificate matches no TLSA record"}},
		{"plain.signed.test", true, dane.StatusVerify, false, finding{Error, "dane", "STARTTLS"}},
		{"unusable.signed.test", true, dane.StatusEncrypt, false, finding{Warning, "dane", "every TLSA record is unusable"}},
		{"bogus.signed.test", true, dane.StatusDefer, false, finding{Error, "dane", "senders using DANE defer mail"}},
		{"insecure.test", false, dane.StatusNone, false, finding{Info, "dane", "not DNSSEC-validated"}},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			r := &Report{Domain: tt.domain}
			p := &prober{Port: ports[strings.Split(tt.domain, ".")[0]], Timeout: 5 * time.Second, Name: "mailcheck.test"}
			checkDANE(context.Background(), res, r, p)
			require.Empty(t, r.DANE.Error)
			assert.Equal(t, tt.mxSecure, r.DANE.MXSecure)
			require.Len(t, r.DANE.Hosts, 1)
			h := r.DANE.Hosts[0]
			assert.Equal(t, "mx."+tt.domain, h.Name)
			assert.Equal(t, string(tt.status), h.Status)
			assert.True(t, hasFinding(*r, tt.want), "missing %+v in %+v", tt.want, r.Findings)
			switch tt.status {
			case dane.StatusVerify, dane.StatusEncrypt:
				require.Len(t, h.Probes, 1, "one address probed")
				assert.Equal(t, tt.match, h.Probes[0].Match, "%+v", h.Probes[0])
				assert.Equal(t, tt.domain != "plain.signed.test", h.Probes[0].STARTTLS)
			default:
				assert.Empty(t, h.Probes, "nothing to probe")
			}
			if tt.domain == "unusable.signed.test" {
				assert.Contains(t, h.Records[0], "(unusable: ")
			}
		})
	}

	// Without a probe nothing is dialled and the records are still shown.
	r := &Report{Domain: "good.signed.test"}
	checkDANE(context.Background(), res, r, nil)
	require.Len(t, r.DANE.Hosts, 1)
	assert.Equal(t, []string{pin}, r.DANE.Hosts[0].Records)
	assert.Empty(t, r.DANE.Hosts[0].Probes)
}

// TestDANEDemo: with -demo, example.net's zone counts as signed and its
// MX's TLSA record, made at start, is reported; -probe is refused there
// (no servers run), and a bad -dane-resolver is a usage error.
func TestDANEDemo(t *testing.T) {
	code, out, errOut := mailcheck("-demo", "example.net", "example.com")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "  DANE\n    MX records DNSSEC-validated\n    mx.example.net: verify\n        _25._tcp.mx.example.net. IN TLSA 3 1 1 ")
	assert.Contains(t, out, "MX records not DNSSEC-validated: DANE does not apply") // example.com
	code, _, errOut = mailcheck("-demo", "-probe")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-probe needs real servers")
	code, _, errOut = mailcheck("-dane-resolver", "resolver.example", "example.org")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-dane-resolver")
}
