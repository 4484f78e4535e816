package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/examples/internal/securedns"
	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// The MX hosts of the test, by the certificate they present.
const (
	hostGood      = "good.mx.test"      // issued by the test CA for its name
	hostSelf      = "self.mx.test"      // self-signed
	hostWrongName = "wrongname.mx.test" // issued by the CA for another name
	hostExpired   = "expired.mx.test"   // issued by the CA, expired
	hostPlain     = "plain.mx.test"     // no STARTTLS
	hostDANE      = "mx.dane.test"      // self-signed, its key pinned by TLSA 3 1 1
	hostDANEWrong = "wrong.dane.test"   // self-signed, TLSA for another key
)

type deliverWorld struct {
	zone   *dnstest.Server
	ca     *tlscert.CA
	sinks  map[string]*runtest.Sink
	ports  map[string]int
	cache  *mtasts.MemoryCache
	res    resolver.Resolver
	daneRR *securedns.Resolver
}

// newDeliverWorld starts one MX server per kind of host and a zone in
// which each test domain has one MX host. MTA-STS policies are put in
// the client's cache under the id the zone's _mta-sts record announces,
// so no HTTPS fetch is made (the demo shows the fetch).
func newDeliverWorld(t *testing.T) *deliverWorld {
	t.Helper()
	ca, err := tlscert.NewCA("outbound test CA")
	require.NoError(t, err)
	w := &deliverWorld{ca: ca, sinks: map[string]*runtest.Sink{}, ports: map[string]int{}, cache: &mtasts.MemoryCache{}}
	self, err := tlscert.SelfSigned(hostSelf)
	require.NoError(t, err)
	other, err := tlscert.SelfSigned(hostDANEWrong)
	require.NoError(t, err)
	certs := map[string]*tls.Certificate{hostSelf: &self, hostDANE: &self, hostDANEWrong: &other, hostPlain: nil}
	for host, names := range map[string][]string{hostGood: {hostGood}, hostWrongName: {"other.mx.test"}} {
		c, err := ca.Issue(time.Time{}, names...)
		require.NoError(t, err)
		certs[host] = &c
	}
	expired, err := ca.Issue(time.Now().Add(-time.Hour), hostExpired)
	require.NoError(t, err)
	certs[hostExpired] = &expired

	zone := "$TTL 300\n"
	for host, cert := range certs {
		s := &runtest.Sink{}
		w.sinks[host], w.ports[host] = s, runtest.ServeSMTP(t, host, s, cert)
		zone += host + ". IN A 127.0.0.1\n"
	}
	pin := dane.RecordFor(self.Leaf)
	zone += "_25._tcp." + hostDANE + ". IN TLSA " + pin.String() + "\n"
	zone += "_25._tcp." + hostDANEWrong + ". IN TLSA " + pin.String() + "\n"
	w.zone = dnstest.New(t, zone)
	w.res = resolver.Direct(w.zone.Resolver(), w.zone.Addr())
	w.daneRR = securedns.New(w.zone.Addr(), "dane.test")
	return w
}

// domain publishes a recipient domain with one MX host and, unless mode
// is "", an MTA-STS policy listing mx (the host when mx is empty).
func (w *deliverWorld) domain(t *testing.T, name, host string, mode mtasts.Mode, mx ...string) {
	t.Helper()
	require.NoError(t, w.zone.Add(name+". IN MX 10 "+host+"."))
	if mode == "" {
		return
	}
	if len(mx) == 0 {
		mx = []string{host}
	}
	require.NoError(t, w.zone.Add(`_mta-sts.`+name+`. IN TXT "v=STSv1; id=1"`))
	now := time.Now()
	require.NoError(t, w.cache.Put(context.Background(), name, mtasts.CachedPolicy{
		Policy: &mtasts.Policy{Mode: mode, MX: mx, MaxAge: time.Hour}, ID: "1", Fetched: now, Expires: now.Add(time.Hour)}))
}

// TestDeliverTLSPolicies delivers to one MX host per case under each
// MTA-STS mode, without a policy and with DANE, and checks what the MX
// received, over TLS or not, and the session the TLS report counts.
func TestDeliverTLSPolicies(t *testing.T) {
	w := newDeliverWorld(t)
	tests := []struct {
		name      string
		host      string
		mode      mtasts.Mode // "": no policy
		mx        []string    // the policy's mx patterns; default: the host
		dane      bool        // the host's zone counts as signed
		delivered bool
		tls       bool              // the message went over TLS
		conns     int               // connections the MX saw
		report    tlsrpt.PolicyType // the policy the session is counted under
		result    tlsrpt.ResultType // "": a successful session
	}{
		{name: "enforce good", host: hostGood, mode: mtasts.ModeEnforce, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicySTS},
		{name: "enforce self-signed", host: hostSelf, mode: mtasts.ModeEnforce, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultCertificateNotTrusted},
		{name: "enforce wrong name", host: hostWrongName, mode: mtasts.ModeEnforce, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultCertificateHostMismatch},
		{name: "enforce expired", host: hostExpired, mode: mtasts.ModeEnforce, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultCertificateExpired},
		{name: "enforce no STARTTLS", host: hostPlain, mode: mtasts.ModeEnforce, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultSTARTTLSNotSupported},
		{name: "enforce host not in policy", host: hostGood, mode: mtasts.ModeEnforce, mx: []string{"*.example.net"}, conns: 0, report: tlsrpt.PolicySTS, result: tlsrpt.ResultValidationFailure},
		{name: "testing good", host: hostGood, mode: mtasts.ModeTesting, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicySTS},
		{name: "testing self-signed", host: hostSelf, mode: mtasts.ModeTesting, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultCertificateNotTrusted},
		{name: "testing wrong name", host: hostWrongName, mode: mtasts.ModeTesting, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultCertificateHostMismatch},
		{name: "testing no STARTTLS", host: hostPlain, mode: mtasts.ModeTesting, delivered: true, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultSTARTTLSNotSupported},
		{name: "testing host not in policy", host: hostGood, mode: mtasts.ModeTesting, mx: []string{"*.example.net"}, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicySTS, result: tlsrpt.ResultValidationFailure},
		{name: "none self-signed", host: hostSelf, mode: mtasts.ModeNone, mx: []string{}, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicyNoPolicyFound},
		{name: "no policy self-signed", host: hostSelf, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicyNoPolicyFound},
		{name: "no policy wrong name", host: hostWrongName, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicyNoPolicyFound},
		{name: "no policy no STARTTLS", host: hostPlain, delivered: true, conns: 1, report: tlsrpt.PolicyNoPolicyFound, result: tlsrpt.ResultSTARTTLSNotSupported},
		{name: "DANE self-signed key pinned", host: hostDANE, dane: true, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicyTLSA},
		{name: "DANE wins over enforce not listing the host", host: hostDANE, dane: true, mode: mtasts.ModeEnforce, mx: []string{"*.example.net"}, delivered: true, tls: true, conns: 1, report: tlsrpt.PolicyTLSA},
		{name: "DANE key mismatch", host: hostDANEWrong, dane: true, mode: mtasts.ModeTesting, conns: 1, report: tlsrpt.PolicyTLSA, result: tlsrpt.ResultValidationFailure},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			domain := fmt.Sprintf("d%d.test", i)
			if tt.dane {
				domain = fmt.Sprintf("d%d.dane.test", i)
			}
			w.domain(t, domain, tt.host, tt.mode, tt.mx...)
			rpt := &tlsrpt.Builder{Submitter: "sender.test"}
			d := &Deliverer{Resolver: w.res, LocalName: "sender.test", Ports: w.ports, Timeout: 10 * time.Second,
				MTASTS: &mtasts.Client{Resolver: w.res, Cache: w.cache}, DANE: w.daneRR, RootCAs: w.ca.Pool(), TLSReport: rpt}
			connsBefore, gotBefore := w.sinks[tt.host].Snapshot()
			st := d.Deliver(context.Background(), "a@sender.test", []string{"b@" + domain}, []byte("Subject: t\r\n\r\nhi\r\n"))
			require.Len(t, st, 1)
			conns, got := w.sinks[tt.host].Snapshot()
			got = got[len(gotBefore):]
			assert.Equal(t, tt.conns, conns-connsBefore, "connections")
			if tt.delivered {
				require.NoError(t, st[0].Err)
				require.Len(t, got, 1)
				assert.Equal(t, "b@"+domain, got[0].Rcpt)
				assert.Equal(t, tt.tls, got[0].TLS, "over TLS")
			} else {
				require.Error(t, st[0].Err)
				assert.False(t, st[0].Permanent, "retried later: %v", st[0].Err)
				assert.Empty(t, got, "nothing delivered")
			}
			require.Len(t, st[0].Attempts, 1)
			a := st[0].Attempts[0]
			assert.Equal(t, tt.host, a.Host)
			if strings.Contains(tt.name, "not in policy") {
				assert.Empty(t, a.Result, "the host's failure is the policy's, not the session's")
			} else {
				assert.Equal(t, tt.result, a.Result, "the session's result: %v", a.Err)
			}

			r := rpt.Report(domain, "r")
			require.NotNil(t, r, "the session was counted")
			require.Len(t, r.Policies, 1)
			p := r.Policies[0]
			assert.Equal(t, tt.report, p.Policy.Type)
			assert.Equal(t, domain, p.Policy.Domain)
			if tt.result == "" {
				assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 1}, p.Summary)
				return
			}
			assert.Equal(t, tlsrpt.Summary{TotalFailureSessionCount: 1}, p.Summary)
			require.Len(t, p.FailureDetails, 1)
			fd := p.FailureDetails[0]
			assert.Equal(t, tt.result, fd.ResultType, "%v", st[0].Err)
			assert.Equal(t, tt.host, fd.ReceivingMXHostname)
			if tt.conns > 0 {
				assert.Equal(t, "127.0.0.1", fd.ReceivingIP)
			}
			if strings.Contains(tt.name, "not in policy") {
				assert.Equal(t, ReasonNotInPolicy, fd.FailureReasonCode)
			}
		})
	}
}

// TestDeliverDeferredOnTemporaryPolicyLookup: a SERVFAIL for the
// _mta-sts record defers the delivery (no downgrade, nothing sent).
func TestDeliverDeferredOnTemporaryPolicyLookup(t *testing.T) {
	w := newDeliverWorld(t)
	w.domain(t, "flaky.test", hostGood, "")
	w.zone.Fault("_mta-sts.flaky.test.", 16, dnstest.ServFail)
	d := &Deliverer{Resolver: w.res, LocalName: "sender.test", Ports: w.ports,
		MTASTS: &mtasts.Client{Resolver: w.res, Cache: w.cache}, RootCAs: w.ca.Pool()}
	conns, _ := w.sinks[hostGood].Snapshot()
	st := d.Deliver(context.Background(), "a@sender.test", []string{"b@flaky.test"}, []byte("Subject: t\r\n\r\nhi\r\n"))
	require.ErrorIs(t, st[0].Err, ErrDeferred)
	assert.False(t, st[0].Permanent)
	after, _ := w.sinks[hostGood].Snapshot()
	assert.Equal(t, conns, after, "no connection")
	assert.True(t, errors.Is(st[0].Err, mtasts.ErrTemporary), "%v", st[0].Err)
}
