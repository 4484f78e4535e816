package dane_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/smtp"
)

// opensslVerdict is what openssl s_client concluded.
type opensslVerdict struct {
	imported bool   // at least one record was usable
	ok       bool   // "Verify return code: 0"
	code     int    // the verify return code
	matched  string // "3 1 1 <hex>" of the record OpenSSL names, if any
	depth    int
	output   string
}

var (
	reVerifyCode = regexp.MustCompile(`Verify return code: (\d+)`)
	reDANEMatch  = regexp.MustCompile(`DANE TLSA (\d+) (\d+) (\d+) ([0-9a-fA-F.]+) (?:matched (?:EE|TA) certificate|signed the certificate) at depth (\d+)`)
)

// runSClient asks openssl s_client to verify the SMTP server at addr
// against the records with the TLSA base domain name, with DANE-EE name
// checks off as RFC 7672 §3.1.1 asks (Postfix does the same).
func runSClient(ctx context.Context, addr, name string, records []dane.Record) (opensslVerdict, error) {
	args := []string{"s_client", "-connect", addr, "-starttls", "smtp", "-name", "client.example",
		"-dane_tlsa_domain", name, "-dane_ee_no_namechecks"}
	for _, r := range records {
		args = append(args, "-dane_tlsa_rrdata", r.String())
	}
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Stdin = strings.NewReader("QUIT\r\n")
	out, err := cmd.CombinedOutput()
	v := opensslVerdict{output: string(out)}
	if strings.Contains(v.output, "Failed to import any TLSA records") {
		return v, nil
	}
	v.imported = true
	m := reVerifyCode.FindStringSubmatch(v.output)
	if m == nil {
		return v, fmt.Errorf("openssl s_client: no verify return code (%v): %s", err, v.output)
	}
	v.code, _ = strconv.Atoi(m[1])
	v.ok = v.code == 0
	if dm := reDANEMatch.FindStringSubmatch(v.output); dm != nil {
		v.matched = dm[1] + " " + dm[2] + " " + dm[3] + " " + strings.ToLower(dm[4])
		v.depth, _ = strconv.Atoi(dm[5])
	}
	return v, nil
}

// ourVerdict runs STARTTLS with our smtp client against addr with the
// records plugged in through dane.VerifyConnection, and returns what
// Verify said.
func ourVerdict(ctx context.Context, addr, name string, records []dane.Record) (dane.Match, error, error) {
	var m dane.Match
	var verr error
	cfg := &tls.Config{
		ServerName: name,
		VerifyConnection: func(cs tls.ConnectionState) error {
			m, verr = dane.VerifyMatch(records, cs.PeerCertificates, dane.VerifyOptions{Names: []string{name}})
			return dane.VerifyConnection(records, dane.VerifyOptions{Names: []string{name}})(cs)
		},
	}
	c, err := smtp.Dial(ctx, addr)
	if err != nil {
		return m, nil, err
	}
	defer c.Close()
	if err := c.Hello(ctx, "client.example"); err != nil {
		return m, nil, err
	}
	err = c.ApplyTLSPolicy(ctx, smtp.TLSPolicy{Mode: smtp.TLSRequired, Config: cfg})
	if err == nil {
		c.Quit(ctx)
	}
	return m, verr, err
}

// diffServer is one served chain and the certificates records are drawn
// from.
type diffServer struct {
	label string
	addr  string
	pool  []*x509.Certificate // certificates to make records of: the chain's and strangers
}

// matchesPrinted compares OpenSSL's printed record, which abbreviates long
// data to "..." and its last bytes, to ours.
func matchesPrinted(printed string, r dane.Record) bool {
	want := r.String()
	if head, tail, ok := strings.Cut(printed, "..."); ok {
		return strings.HasPrefix(want, head) && strings.HasSuffix(want, tail) && len(tail) >= 16
	}
	return printed == want
}

// TestOpenSSLDifferential generates chains and TLSA sets and checks that
// dane.Verify (through the smtp client's STARTTLS) and openssl s_client
// -dane_tlsa_rrdata agree on match or no match, and on the record and
// depth that matched, against our smtp.Server.
func TestOpenSSLDifferential(t *testing.T) {
	testpeer.Program(t, "openssl", "Debian openssl")
	if testing.Short() {
		t.Skip("differential test against openssl runs hundreds of s_client processes")
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p := newPKI(t)
	name := "mx.example.org"
	selfSigned := testcert.Make(t, testcert.Spec{CN: name, DNSNames: []string{name}, CA: true, MaxPath: -1}, nil)
	selfSignedLeaf := testcert.Make(t, testcert.Spec{CN: name, DNSNames: []string{name}}, nil)
	rsaLeaf := testcert.Make(t, testcert.Spec{CN: name, DNSNames: []string{name}, Key: rsaKey}, p.inter)
	stranger := testcert.Make(t, testcert.Spec{CN: "Stranger", CA: true, MaxPath: -1}, nil)
	cnOnly := testcert.Make(t, testcert.Spec{CN: name}, p.inter)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384 := testcert.Make(t, testcert.Spec{CN: "p384", DNSNames: []string{name}, Key: ecKey}, p.inter)
	// An expired self-signed root and an expired intermediate, each as
	// a trust anchor.
	past := time.Now().Add(-48 * time.Hour)
	oldRoot := testcert.Make(t, testcert.Spec{CN: "Old Root", CA: true, MaxPath: -1, NotBefore: past, NotAfter: past.Add(time.Hour)}, nil)
	oldInter := testcert.Make(t, testcert.Spec{CN: "Old Inter", CA: true, MaxPath: -1, NotBefore: past, NotAfter: past.Add(time.Hour)}, p.root)
	underOldRoot := testcert.Make(t, testcert.Spec{CN: name, DNSNames: []string{name}}, oldRoot)
	underOldInter := testcert.Make(t, testcert.Spec{CN: name, DNSNames: []string{name}}, oldInter)

	type served struct {
		label string
		chain []*testcert.Cert
	}
	servedChains := []served{
		{"leaf+inter+root", []*testcert.Cert{p.leaf, p.inter, p.root}},
		{"leaf+inter", []*testcert.Cert{p.leaf, p.inter}},
		{"leaf only", []*testcert.Cert{p.leaf}},
		{"other name", []*testcert.Cert{p.other, p.inter, p.root}},
		{"wildcard", []*testcert.Cert{p.wild, p.inter}},
		{"expired leaf", []*testcert.Cert{p.expired, p.inter, p.root}},
		{"self-signed", []*testcert.Cert{selfSigned}},
		{"self-signed leaf", []*testcert.Cert{selfSignedLeaf}},
		{"rsa leaf", []*testcert.Cert{rsaLeaf, p.inter, p.root}},
		{"cn only", []*testcert.Cert{cnOnly, p.inter}},
		{"p384 leaf", []*testcert.Cert{p384, p.inter}},
		{"expired root", []*testcert.Cert{underOldRoot, oldRoot}},
		{"expired intermediate", []*testcert.Cert{underOldInter, oldInter, p.root}},
	}
	var servers []diffServer
	for _, s := range servedChains {
		addr, _ := startSMTP(t, s.chain[0].TLS(s.chain[1:]...))
		pool := testcert.Chain(s.chain...)
		pool = append(pool, p.root.Cert, p.inter.Cert, stranger.Cert)
		servers = append(servers, diffServer{label: s.label, addr: addr, pool: pool})
	}

	rng := mrand.New(mrand.NewPCG(7, 672))
	randomRecord := func(pool []*x509.Certificate) dane.Record {
		c := pool[rng.IntN(len(pool))]
		r := rec(c, uint8(2+rng.IntN(2)), uint8(rng.IntN(2)), uint8(rng.IntN(3)))
		switch rng.IntN(12) {
		case 0: // wrong digest
			if r.MatchingType != dane.MatchFull {
				r.Data = append([]byte(nil), r.Data...)
				r.Data[0] ^= 0xff
			}
		case 1: // digest of the wrong length
			if r.MatchingType != dane.MatchFull {
				r.Data = r.Data[:len(r.Data)-1]
			}
		}
		return r
	}
	const perServer = 30
	type job struct {
		srv     diffServer
		records []dane.Record
	}
	var jobs []job
	for _, s := range servers {
		for range perServer {
			n := 1 + rng.IntN(3)
			var recs []dane.Record
			for range n {
				recs = append(recs, randomRecord(s.pool))
			}
			jobs = append(jobs, job{s, recs})
		}
	}

	// Cases written by hand for what random sets may miss.
	leafSPKI := rec(p.leaf.Cert, 3, 1, 1)
	wrong512 := dane.Record{Usage: 3, Selector: 1, MatchingType: 2, Data: make([]byte, 64)}
	byLabel := map[string]diffServer{}
	for _, s := range servers {
		byLabel[s.label] = s
	}
	jobs = append(jobs,
		// RFC 7671 §9: the SHA2-512 record hides the matching SHA2-256 one.
		job{byLabel["leaf+inter"], []dane.Record{leafSPKI, wrong512}},
		job{byLabel["leaf+inter"], []dane.Record{leafSPKI, rec(p.leaf.Cert, 3, 1, 2)}},
		job{byLabel["leaf+inter"], []dane.Record{rec(p.inter.Cert, 2, 0, 1), dane.Record{Usage: 2, Selector: 0, MatchingType: 2, Data: make([]byte, 64)}}},
		job{byLabel["expired root"], []dane.Record{rec(oldRoot.Cert, 2, 0, 1)}},
		job{byLabel["expired root"], []dane.Record{rec(oldRoot.Cert, 2, 1, 0)}},
		job{byLabel["expired intermediate"], []dane.Record{rec(oldInter.Cert, 2, 0, 1)}},
		job{byLabel["expired intermediate"], []dane.Record{rec(p.root.Cert, 2, 0, 1)}},
		job{byLabel["leaf only"], []dane.Record{rec(p.inter.Cert, 2, 0, 0)}},
		job{byLabel["leaf+inter+root"], []dane.Record{rec(p.root.Cert, 2, 1, 0)}},
		job{byLabel["leaf+inter+root"], []dane.Record{rec(p.root.Cert, 2, 0, 0)}},
		job{byLabel["leaf+inter+root"], []dane.Record{rec(p.inter.Cert, 2, 1, 0)}},
		job{byLabel["leaf+inter"], []dane.Record{rec(p.inter.Cert, 2, 1, 0)}},
		job{byLabel["leaf only"], []dane.Record{rec(p.inter.Cert, 2, 1, 0)}},
		job{byLabel["cn only"], []dane.Record{rec(p.inter.Cert, 2, 1, 1)}},
		job{byLabel["self-signed"], []dane.Record{rec(selfSigned.Cert, 2, 0, 1)}},
		job{byLabel["self-signed"], []dane.Record{rec(selfSigned.Cert, 2, 0, 0)}},
		job{byLabel["self-signed leaf"], []dane.Record{rec(selfSignedLeaf.Cert, 2, 0, 1)}},
		job{byLabel["self-signed leaf"], []dane.Record{rec(selfSignedLeaf.Cert, 2, 0, 0)}},
		job{byLabel["self-signed leaf"], []dane.Record{rec(selfSignedLeaf.Cert, 2, 1, 0)}},
		job{byLabel["self-signed leaf"], []dane.Record{rec(selfSignedLeaf.Cert, 2, 1, 2)}},
	)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	type outcome struct {
		agree, disagree, bothMatch, bothFail, unusable int
	}
	var mu sync.Mutex
	var res outcome
	matchedKinds := map[[3]uint8]int{} // usage, selector, matching type of both-match cases
	var wg sync.WaitGroup
	work := make(chan job)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				ov, err := runSClient(ctx, j.srv.addr, name, j.records)
				if err != nil {
					t.Error(err)
					continue
				}
				m, verr, herr := ourVerdict(ctx, j.srv.addr, name, j.records)
				mu.Lock()
				desc := fmt.Sprintf("%s %v", j.srv.label, j.records)
				switch {
				case !ov.imported:
					if errors.Is(verr, dane.ErrNoUsableRecords) && herr != nil {
						res.agree++
						res.unusable++
					} else {
						res.disagree++
						t.Errorf("%s: openssl found no usable record; we: %v", desc, verr)
					}
				case ov.ok:
					if verr == nil && herr == nil && matchesPrinted(ov.matched, m.Record) && ov.depth == m.Depth {
						res.agree++
						res.bothMatch++
						matchedKinds[[3]uint8{m.Record.Usage, m.Record.Selector, m.Record.MatchingType}]++
					} else {
						res.disagree++
						t.Errorf("%s: openssl matched %q at depth %d; we: %s at %d, %v (handshake %v)\n%s",
							desc, ov.matched, ov.depth, m.Record, m.Depth, verr, herr, ov.output)
					}
				default:
					if verr != nil && herr != nil {
						res.agree++
						res.bothFail++
					} else {
						res.disagree++
						t.Errorf("%s: openssl failed with code %d; we matched %s at %d\n%s", desc, ov.code, m.Record, m.Depth, lastLines(ov.output))
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	t.Logf("openssl differential: %d cases, %d agree (%d both match, %d both fail, %d no usable record), %d disagree",
		len(jobs), res.agree, res.bothMatch, res.bothFail, res.unusable, res.disagree)
	require.Equal(t, len(jobs), res.agree)
	// Every usable kind of record matched at least once on both sides.
	for u := uint8(2); u <= 3; u++ {
		for sel := uint8(0); sel <= 1; sel++ {
			for mt := uint8(0); mt <= 2; mt++ {
				require.Positive(t, matchedKinds[[3]uint8{u, sel, mt}], "no case matched with %d %d %d", u, sel, mt)
			}
		}
	}
	require.Positive(t, res.bothMatch)
	require.Positive(t, res.bothFail)
}

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 12 {
		lines = lines[len(lines)-12:]
	}
	return strings.Join(lines, "\n")
}
