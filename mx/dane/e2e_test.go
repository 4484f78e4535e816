package dane_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/smtp"
)

// deliverOutcome is what deliver did.
type deliverOutcome struct {
	delivered bool
	mode      smtp.TLSMode
	err       error
}

// deliver sends one message to the destination as an MTA using this
// package should: per MX host in order, StatusDefer skips the host,
// StatusVerify and StatusEncrypt demand TLS with Host.TLSConfig
// (smtp.TLSRequired: the DANE check decides, not the WebPKI), StatusNone
// delivers opportunistically. port stands in for 25 (the test's server
// listens on a port chosen at run time).
func deliver(ctx context.Context, d *dane.Destination, port int, msg string) deliverOutcome {
	var out deliverOutcome
	for _, h := range d.Hosts {
		var policy smtp.TLSPolicy
		switch h.Status {
		case dane.StatusDefer:
			out.err = h.Err
			continue
		case dane.StatusVerify, dane.StatusEncrypt:
			cfg, err := h.TLSConfig(nil)
			if err != nil {
				out.err = err
				continue
			}
			policy = smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg}
		default:
			policy = smtp.TLSPolicy{Mode: smtp.TLSOpportunistic,
				Config: &tls.Config{ServerName: strings.TrimSuffix(h.Name, ".")}}
		}
		for _, a := range h.Addrs {
			out.mode = policy.Mode
			err := smtp.SendMail(ctx, netip.AddrPortFrom(a, uint16(port)).String(), "alice@client.example",
				[]string{"bob@" + strings.TrimSuffix(d.Domain, ".")}, strings.NewReader(msg),
				smtp.WithLocalName("client.example"), smtp.WithTLSPolicy(policy))
			if err == nil {
				out.delivered, out.err = true, nil
				return out
			}
			out.err = err
		}
	}
	return out
}

// e2eWorld is the zones, the Unbound serving them and the SMTP server the
// MX hosts point at.
type e2eWorld struct {
	unbound  *unbound
	resolver *dane.DNSResolver
	smtpAddr string
	smtpPort int
	box      *mailbox
	leaf     *testcert.Cert
	inter    *testcert.Cert
}

// e2eZones: the signed ones get a trust anchor, "insecure.test." none.
var e2eZones = []string{"good.test.", "ta.test.", "mismatch.test.", "insecure.test.", "bogus.test.",
	"bogusmx.test.", "unusable.test.", "nodane.test.", "alias.test.", "tlsacname.test."}

func newE2EWorld(t *testing.T, extraUnboundPorts ...int) *e2eWorld {
	w := &e2eWorld{}
	p := newPKI(t)
	var names []string
	for _, z := range e2eZones {
		if z == "alias.test." {
			// The TLSA base domain, not the MX host name, is a
			// reference identifier (RFC 7672 §3.2.2).
			names = append(names, "real.alias.test")
			continue
		}
		names = append(names, "mx."+strings.TrimSuffix(z, "."))
	}
	w.inter = p.inter
	w.leaf = testcert.Make(t, testcert.Spec{CN: names[0], DNSNames: names}, p.inter)
	w.smtpAddr, w.box = startSMTP(t, w.leaf.TLS(p.inter, p.root))
	_, ps, _ := net.SplitHostPort(w.smtpAddr)
	w.smtpPort, _ = strconv.Atoi(ps)

	ee := rec(w.leaf.Cert, 3, 1, 1).String()
	ta := rec(p.inter.Cert, 2, 0, 1).String()
	tlsa := func(host, r string) string {
		// At port 25 for Lookup, at the server's port for posttls-finger,
		// which looks up _<port>._tcp.
		return fmt.Sprintf("_25._tcp.%s IN TLSA %s\n_%d._tcp.%s IN TLSA %s\n", host, r, w.smtpPort, host, r)
	}
	base := "@ IN MX 10 mx\nmx IN A 127.0.0.1\n"
	bodies := map[string]string{
		"good.test.":     base + tlsa("mx", ee),
		"ta.test.":       base + tlsa("mx", ta),
		"mismatch.test.": base + tlsa("mx", "3 1 1 "+strings.Repeat("00", 32)),
		"insecure.test.": base + tlsa("mx", ee),
		"bogus.test.":    base + tlsa("mx", ee),
		"bogusmx.test.":  base + tlsa("mx", ee),
		"unusable.test.": base + tlsa("mx", strings.Replace(ee, "3", "1", 1)),
		"nodane.test.":   base,
		// The MX host is an alias: TLSA records at the target (RFC 7672
		// §2.2.3), which the certificate names.
		"alias.test.": "@ IN MX 10 mx\nmx IN CNAME real\nreal IN A 127.0.0.1\n" + tlsa("real", ta),
		// The TLSA RRset is reached through a CNAME (RFC 7671 §7), as
		// providers publish one set for many hosts.
		"tlsacname.test.": base + fmt.Sprintf("_25._tcp.mx IN CNAME keys\n_%d._tcp.mx IN CNAME keys\nkeys IN TLSA %s\n", w.smtpPort, ee),
	}
	zones := map[string]string{}
	var anchors []string
	for _, origin := range e2eZones {
		z := newSignedZone(t, origin)
		var tamper func(dns.RR)
		switch origin {
		case "bogus.test.":
			// TLSA data changed after signing: bogus.
			tamper = func(rr dns.RR) {
				if v, ok := rr.(*dns.TLSA); ok {
					v.Certificate = strings.Repeat("ab", 32)
				}
			}
		case "bogusmx.test.":
			tamper = func(rr dns.RR) {
				if v, ok := rr.(*dns.MX); ok {
					v.Preference = 20
				}
			}
		}
		zones[origin] = z.zoneText(t, bodies[origin], origin != "insecure.test.", tamper)
		if origin != "insecure.test." {
			anchors = append(anchors, z.ds())
		}
	}
	w.unbound = startUnbound(t, zones, anchors, extraUnboundPorts...)
	w.resolver = &dane.DNSResolver{Servers: []string{w.unbound.addr}, Timeout: 3 * time.Second}
	return w
}

// TestUnboundResolver checks DNSResolver against a real validating
// resolver: secure answers, secure denial (NXDOMAIN, NODATA), insecure
// answers and bogus ones.
func TestUnboundResolver(t *testing.T) {
	w := newE2EWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := w.resolver

	mxs, secure, err := r.LookupMX(ctx, "good.test.")
	require.NoError(t, err)
	require.True(t, secure)
	require.Equal(t, "mx.good.test.", mxs[0].Host)

	recs, secure, err := r.LookupTLSA(ctx, "_25._tcp.mx.good.test.")
	require.NoError(t, err)
	require.True(t, secure)
	require.True(t, recs[0].Equal(rec(w.leaf.Cert, 3, 1, 1)))

	addrs, secure, err := r.LookupNetIP(ctx, "ip4", "mx.good.test.")
	require.NoError(t, err)
	require.True(t, secure)
	require.Equal(t, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, addrs)

	_, secure, err = r.LookupNetIP(ctx, "ip6", "mx.good.test.")
	require.ErrorIs(t, err, dane.ErrNoData)
	require.True(t, secure, "NODATA proven by NSEC")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsNotFound)

	_, secure, err = r.LookupTLSA(ctx, "_25._tcp.nothere.good.test.")
	require.ErrorIs(t, err, dane.ErrNXDomain)
	require.True(t, secure, "NXDOMAIN proven by NSEC")

	target, secure, err := r.LookupCNAME(ctx, "mx.alias.test.")
	require.NoError(t, err)
	require.True(t, secure)
	require.Equal(t, "real.alias.test.", target)

	_, secure, err = r.LookupTLSA(ctx, "_25._tcp.mx.insecure.test.")
	require.NoError(t, err)
	require.False(t, secure, "no trust anchor for insecure.test.")

	_, _, err = r.LookupTLSA(ctx, "_25._tcp.mx.bogus.test.")
	require.ErrorIs(t, err, dane.ErrBogus)
	require.ErrorIs(t, err, dane.ErrTemporary)
	require.ErrorAs(t, err, &de)
	require.True(t, de.IsTemporary)
	t.Logf("bogus answer: %v", err)
}

// TestUnboundEndToEnd delivers through smtp.SendMail as Lookup says, over
// DNSSEC validated by a real Unbound.
func TestUnboundEndToEnd(t *testing.T) {
	w := newE2EWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tests := []struct {
		domain    string
		status    dane.Status
		mxSecure  bool
		delivered bool
		mode      smtp.TLSMode
		errIs     error
	}{
		{"good.test", dane.StatusVerify, true, true, smtp.TLSRequired, nil},
		{"ta.test", dane.StatusVerify, true, true, smtp.TLSRequired, nil},
		{"alias.test", dane.StatusVerify, true, true, smtp.TLSRequired, nil},
		{"tlsacname.test", dane.StatusVerify, true, true, smtp.TLSRequired, nil},
		{"mismatch.test", dane.StatusVerify, true, false, smtp.TLSRequired, dane.ErrNoMatch},
		{"insecure.test", dane.StatusNone, false, true, smtp.TLSOpportunistic, nil},
		{"nodane.test", dane.StatusNone, true, true, smtp.TLSOpportunistic, nil},
		{"unusable.test", dane.StatusEncrypt, true, true, smtp.TLSRequired, nil},
		{"bogus.test", dane.StatusDefer, true, false, 0, dane.ErrBogus},
	}
	results := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			d, err := dane.Lookup(ctx, w.resolver, tc.domain)
			require.NoError(t, err)
			require.Equal(t, tc.mxSecure, d.MXSecure)
			require.Len(t, d.Hosts, 1)
			h := d.Hosts[0]
			require.Equal(t, tc.status, h.Status, "host error: %v", h.Err)
			before := w.box.count()
			out := deliver(ctx, d, w.smtpPort, "Subject: dane "+tc.domain+"\r\n\r\nhello\r\n")
			require.Equal(t, tc.delivered, out.delivered, "error: %v", out.err)
			if tc.delivered {
				require.Equal(t, before+1, w.box.count())
				require.True(t, w.box.last().tls, "delivered over TLS")
				require.Equal(t, tc.mode, out.mode)
			} else {
				require.Equal(t, before, w.box.count())
				require.ErrorIs(t, out.err, tc.errIs)
			}
			if tc.status == dane.StatusVerify && tc.delivered {
				// SNI: the TLSA base domain (RFC 7672 §8.1).
				require.Equal(t, strings.TrimSuffix(h.BaseDomain, "."), w.box.last().sni)
			}
			if tc.domain == "alias.test" {
				require.Equal(t, "real.alias.test.", h.BaseDomain)
				require.Equal(t, []string{"real.alias.test", "alias.test"}, h.Names)
			}
			results[tc.domain] = fmt.Sprintf("status %s, delivered %v (%v)", h.Status, out.delivered, out.err)
		})
	}
	// A bogus MX RRset defers the whole domain.
	_, err := dane.Lookup(ctx, w.resolver, "bogusmx.test")
	require.ErrorIs(t, err, dane.ErrBogus)
	results["bogusmx.test"] = err.Error()
	for _, d := range slices.Sorted(maps.Keys(results)) {
		t.Logf("%s: %s", d, results[d])
	}

	// Under TLSVerified the WebPKI check runs before the DANE check and
	// decides: the DANE-authenticated server fails it (its chain is not
	// from a public CA). This is why Host.TLSConfig goes with TLSRequired.
	d, err := dane.Lookup(ctx, w.resolver, "good.test")
	require.NoError(t, err)
	cfg, err := d.Hosts[0].TLSConfig(nil)
	require.NoError(t, err)
	before := w.box.count()
	err = smtp.SendMail(ctx, w.smtpAddr, "alice@client.example", []string{"bob@good.test"},
		strings.NewReader("Subject: x\r\n\r\nx\r\n"), smtp.WithLocalName("client.example"),
		smtp.WithTLSPolicy(smtp.TLSPolicy{Mode: smtp.TLSVerified, Config: cfg}))
	var ua x509.UnknownAuthorityError
	require.ErrorAs(t, err, &ua)
	require.Equal(t, before, w.box.count())
}

// posttlsFinger runs Postfix's posttls-finger -l dane for dest with the
// Unbound on 127.0.0.1:53 as its resolver. posttls-finger reads the
// system resolver configuration and cannot be given a server or a port,
// so it runs in a private mount namespace (unshare -m) where a resolv.conf
// of the test ("nameserver 127.0.0.1", "options trust-ad") is bound over
// /etc/resolv.conf; the machine's file is never changed.
func posttlsFinger(ctx context.Context, dir, dest string) string {
	resolv := filepath.Join(dir, "resolv.conf")
	conf := filepath.Join(dir, "postfix")
	script := `mount --bind "$1" /etc/resolv.conf && shift && exec "$@"`
	cmd := exec.CommandContext(ctx, "unshare", "-m", "sh", "-c", script, "sh", resolv,
		"posttls-finger", "-c", "-t", "10", "-T", "20", "-l", "dane", "-P", "/etc/ssl/certs", dest)
	cmd.Env = append(os.Environ(), "MAIL_CONFIG="+conf)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// postfixVerdict reads posttls-finger's output: "verified" (DANE
// authenticated), "tls" (TLS without authentication), or "failed" (no
// connection, or an authentication failure).
func postfixVerdict(out string) string {
	switch {
	case strings.Contains(out, "server certificate verification failed"):
		// posttls-finger goes on to report the connection; Postfix's
		// smtp client would defer the message.
		return "failed"
	case strings.Contains(out, "Verified TLS connection established"):
		return "verified"
	case strings.Contains(out, "Untrusted TLS connection established"),
		strings.Contains(out, "Anonymous TLS connection established"):
		return "tls"
	}
	return "failed"
}

// TestPosttlsFinger checks that Postfix's DANE client agrees with
// Lookup+Verify on the destinations of the end-to-end test.
func TestPosttlsFinger(t *testing.T) {
	testpeer.Program(t, "posttls-finger", "Debian postfix")
	unshare := testpeer.Program(t, "unshare", "Debian util-linux")
	testpeer.Runs(t, "a private mount namespace (unshare -m)", unshare, "-m", "true")
	if !testpeer.PortFree(53) {
		t.Skip("127.0.0.1:53 is in use: posttls-finger can only ask a resolver on port 53")
	}
	w := newE2EWorld(t, 53)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver 127.0.0.1\noptions trust-ad\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "postfix"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "postfix", "main.cf"), []byte("compatibility_level = 3.6\n"), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	agree := 0
	domains := []string{"good.test", "ta.test", "alias.test", "mismatch.test", "insecure.test", "nodane.test", "unusable.test", "bogus.test", "bogusmx.test", "tlsacname.test"}
	// posttls-finger runs concurrently (each waits a little on its own).
	theirOut := make([]string, len(domains))
	var wg sync.WaitGroup
	for i, domain := range domains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			theirOut[i] = posttlsFinger(ctx, dir, domain+":"+strconv.Itoa(w.smtpPort))
		}()
	}
	wg.Wait()
	for i, domain := range domains {
		// Ours: Lookup, then deliver as the end-to-end test does.
		var ours string
		d, err := dane.Lookup(ctx, w.resolver, domain)
		if err != nil {
			ours = "failed"
		} else {
			out := deliver(ctx, d, w.smtpPort, "Subject: posttls "+domain+"\r\n\r\nhi\r\n")
			switch {
			case !out.delivered:
				ours = "failed"
			case d.Hosts[0].Status == dane.StatusVerify:
				ours = "verified"
			default:
				ours = "tls"
			}
		}
		out := theirOut[i]
		theirs := postfixVerdict(out)
		if ours == theirs {
			agree++
		} else {
			t.Errorf("%s: we say %s, posttls-finger says %s:\n%s", domain, ours, theirs, out)
		}
		t.Logf("%s: %s (posttls-finger: %s)", domain, ours, theirs)
	}
	t.Logf("posttls-finger agrees on %d/%d destinations", agree, len(domains))
	require.Equal(t, len(domains), agree)
}
