package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/examples/internal/stshost"
	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// TestMTASTSEnforced runs the program with MTA-STS on (the default) and
// its lookups going to a zone of the test (as -resolver would send them):
// example.com publishes a policy in mode enforce listing mx.example.com,
// served over HTTPS with a certificate from the test's CA, and DNS also
// lists a more preferred MX that the policy does not. The message goes to
// mx.example.com over TLS, the other host is never contacted, and the TLS
// report written at shutdown counts one success and one
// validation-failure (RFC 8460).
func TestMTASTSEnforced(t *testing.T) {
	ca, err := tlscert.NewCA("submission test CA")
	require.NoError(t, err)
	sts, err := stshost.Start(ca, map[string]*mtasts.Policy{
		"example.com": {Mode: mtasts.ModeEnforce, MX: []string{"mx.example.com"}, MaxAge: 24 * time.Hour}})
	require.NoError(t, err)
	t.Cleanup(func() { sts.Close() })

	cert, err := ca.Issue(time.Time{}, "mx.example.com")
	require.NoError(t, err)
	bob := &memstore.Store{Domains: []string{"example.com"}}
	port := runtest.ServeSMTP(t, "mx.example.com", &receiver.Backend{Hostname: "mx.example.com", Handler: bob}, &cert)
	// The rogue MX counts connections.
	rogue := &runtest.Sink{}
	roguePort := runtest.ServeSMTP(t, "rogue.example.com", rogue, nil)

	zone := dnstest.New(t, `
$ORIGIN example.com.
@           IN MX  5 rogue
@           IN MX  10 mx
mx          IN A   127.0.0.1
rogue       IN A   127.0.0.1
mta-sts     IN A   127.0.0.1
_mta-sts    IN TXT "v=STSv1; id=20261207"
_smtp._tls  IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"
`)
	dir := t.TempDir()
	cfg, err := parseFlags([]string{"-listen", "127.0.0.1:0", "-listen-tls", "", "-hostname", "mail.example.org",
		"-users", "alice@example.org:pw", "-retry", "50ms", "-queue-dir", filepath.Join(dir, "queue")}, io.Discard)
	require.NoError(t, err)
	require.True(t, cfg.out.MTASTS, "MTA-STS is on by default")
	cfg.host.ResolverOverride = resolver.Direct(zone.Resolver(), zone.Addr())
	cfg.roots = ca.Pool()
	cfg.httpsPorts = map[string]int{"mta-sts.example.com": sts.Port}
	cfg.out.MXPorts = map[string]int{"mx.example.com": port, "rogue.example.com": roguePort}
	addr := make(chan string, 1)
	cfg.ready = func(_ string, a net.Addr) { addr <- a.String() }
	a, stop := runtest.Start(t, addr, func(ctx context.Context) error { return run(ctx, cfg, t.Output()) })

	require.NoError(t, submitMail(a, false, "alice@example.org", "pw", "alice@example.org", []string{"bob@example.com"},
		"From: alice@example.org\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nhello\r\n"))
	msgs := runtest.Wait(t, bob, 1)
	assert.Contains(t, string(msgs[0].Data), "with ESMTPS", "delivered over TLS")
	assert.Equal(t, 1, sts.Fetches("example.com"), "policy fetched over HTTPS")
	rogueConns, _ := rogue.Snapshot()
	assert.Zero(t, rogueConns, "the MX the policy does not list is never contacted")

	stop() // fails the test if run does; the TLS report is written by now
	files, err := filepath.Glob(filepath.Join(dir, "queue", "tlsrpt", "mail.example.org!example.com!*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one TLS report written at shutdown")
	rep := runtest.ReadTLSReport(t, files[0])
	require.Len(t, rep.Policies, 1)
	p := rep.Policies[0]
	assert.Equal(t, tlsrpt.PolicySTS, p.Policy.Type)
	assert.Equal(t, tlsrpt.MXHosts{"mx.example.com"}, p.Policy.MXHost)
	assert.Contains(t, strings.Join(p.Policy.String, "\n"), "mode: enforce")
	assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 1, TotalFailureSessionCount: 1}, p.Summary)
	require.Len(t, p.FailureDetails, 1)
	assert.Equal(t, tlsrpt.ResultValidationFailure, p.FailureDetails[0].ResultType)
	assert.Equal(t, "rogue.example.com", p.FailureDetails[0].ReceivingMXHostname)
}
