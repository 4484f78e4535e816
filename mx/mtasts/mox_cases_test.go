package mtasts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

// The shared cases transcribed from mox's tests (testdata/README.md).

type moxFile struct {
	DNSFixtures map[string]dnstest.Fixture `json:"dns_fixtures"`
	Cases       []moxCase                  `json:"cases"`
}

type moxRecord struct {
	Version    string      `json:"version"`
	ID         string      `json:"id"`
	Extensions [][2]string `json:"extensions"`
}

type moxMX struct {
	Wildcard bool   `json:"wildcard"`
	Domain   string `json:"domain"`
}

type moxPolicy struct {
	Version    string      `json:"version"`
	Mode       string      `json:"mode"`
	MX         []moxMX     `json:"mx"`
	MaxAge     int64       `json:"max_age"`
	Extensions [][2]string `json:"extensions"`
}

type moxOutcome struct {
	OK     bool       `json:"ok"`
	Policy *moxPolicy `json:"policy"`
	Error  *string    `json:"error"`
}

type moxCase struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Source string `json:"source"`
	Input  struct {
		TXT        string          `json:"txt"`
		PolicyText string          `json:"policy_text"`
		Record     *moxRecord      `json:"record"`
		Policy     *moxPolicy      `json:"policy"`
		Domain     string          `json:"domain"`
		DNS        string          `json:"dns"`
		MXHost     string          `json:"mx_host"`
		ServerCert string          `json:"server_cert"`
		HTTPStatus int             `json:"http_status"`
		Body       json.RawMessage `json:"body"`
	} `json:"input"`
	Expect struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorKind   string          `json:"error_kind"`
		String      string          `json:"string"`
		Record      *moxRecord      `json:"record"`
		Error       *string         `json:"error"`
		Matches     *bool           `json:"matches"`
		FetchPolicy *moxOutcome     `json:"fetch_policy"`
		Get         *moxOutcome     `json:"get"`
	} `json:"expect"`
}

func loadMox(t *testing.T) moxFile {
	t.Helper()
	b, err := os.ReadFile("testdata/mtasts-cases-mox.json")
	require.NoError(t, err)
	var f moxFile
	require.NoError(t, json.Unmarshal(b, &f))
	return f
}

// moxErr maps mox's error names to this package's (DESIGN.md): a missing,
// repeated or invalid record is ErrNoPolicy; a temporary DNS failure is
// ErrTemporary; a policy that could not be fetched is ErrPolicyFetch, never
// ErrNoPolicy (mox's "no policy served" for a 404 or an unknown policy host
// is a fetch failure here, RFC 8461 §3.3).
func moxErr(name string) []error {
	switch name {
	case "ErrNoRecord":
		return []error{mtasts.ErrNoPolicy}
	case "ErrMultipleRecords":
		return []error{mtasts.ErrNoPolicy, mtasts.ErrMultipleRecords}
	case "ErrRecordSyntax":
		return []error{mtasts.ErrNoPolicy, mtasts.ErrRecordSyntax}
	case "ErrDNS":
		return []error{mtasts.ErrTemporary}
	case "ErrNoPolicy":
		// Only fetch cases use it: mox's "no policy served".
		return []error{mtasts.ErrPolicyFetch}
	case "ErrPolicyFetch":
		return []error{mtasts.ErrPolicyFetch}
	case "ErrPolicySyntax":
		return []error{mtasts.ErrPolicySyntax}
	}
	panic("unknown mox error " + name)
}

func toMoxRecord(r *mtasts.Record) moxRecord {
	m := moxRecord{Version: "STSv1", ID: r.ID, Extensions: [][2]string{}}
	for _, e := range r.Extensions {
		m.Extensions = append(m.Extensions, [2]string{e.Key, e.Value})
	}
	return m
}

func toMoxPolicy(p *mtasts.Policy) moxPolicy {
	m := moxPolicy{Version: "STSv1", Mode: string(p.Mode), MX: []moxMX{}, MaxAge: int64(p.MaxAge / time.Second), Extensions: [][2]string{}}
	for _, mx := range p.MX {
		m.MX = append(m.MX, moxMX{Wildcard: strings.HasPrefix(mx, "*."), Domain: strings.TrimPrefix(mx, "*.")})
	}
	for _, e := range p.Extensions {
		m.Extensions = append(m.Extensions, [2]string{e.Key, e.Value})
	}
	return m
}

func fromMoxPolicy(m moxPolicy) *mtasts.Policy {
	p := &mtasts.Policy{Mode: mtasts.Mode(m.Mode), MaxAge: time.Duration(m.MaxAge) * time.Second}
	for _, mx := range m.MX {
		s := mx.Domain
		if mx.Wildcard {
			s = "*." + s
		}
		p.MX = append(p.MX, s)
	}
	for _, e := range m.Extensions {
		p.Extensions = append(p.Extensions, mtasts.Extension{Key: e[0], Value: e[1]})
	}
	return p
}

func normRecord(m moxRecord) moxRecord {
	if m.Extensions == nil {
		m.Extensions = [][2]string{}
	}
	return m
}

func normPolicy(m moxPolicy) moxPolicy {
	if m.Extensions == nil {
		m.Extensions = [][2]string{}
	}
	if m.MX == nil {
		m.MX = []moxMX{}
	}
	return m
}

func TestMoxCases(t *testing.T) {
	f := loadMox(t)
	counts := map[string]int{}
	passed := 0
	ca := testcert.NewCA(t, "mailsmith test CA")
	certOK := ca.Valid(t, "mta-sts.mox.example")
	certBad := ca.Issue(t, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour), "mta-sts.mox.example")
	servers := map[string]*policyServer{"certok": newPolicyServer(t, certOK), "certbad": newPolicyServer(t, certBad)}
	dnsServers := map[string]*dnstest.Server{}
	for name, fx := range f.DNSFixtures {
		dnsServers["#/dns_fixtures/"+name] = dnstest.ServeFixture(t, fx)
	}
	ctx := context.Background()

	for _, c := range f.Cases {
		counts[c.Kind]++
		ok := t.Run(c.ID, func(t *testing.T) {
			t.Log(c.Source)
			switch c.Kind {
			case "record-parse":
				r, err := mtasts.ParseRecord(c.Input.TXT)
				checkParsed(t, c, err, mtasts.ErrRecordSyntax, normRecord, func() moxRecord { return toMoxRecord(r) })
			case "policy-parse":
				p, err := mtasts.ParsePolicy(c.Input.PolicyText)
				checkParsed(t, c, err, mtasts.ErrPolicySyntax, normPolicy, func() moxPolicy { return toMoxPolicy(p) })
			case "record-format":
				r := &mtasts.Record{ID: c.Input.Record.ID}
				for _, e := range c.Input.Record.Extensions {
					r.Extensions = append(r.Extensions, mtasts.Extension{Key: e[0], Value: e[1]})
				}
				assert.Equal(t, c.Expect.String, r.String())
				back, err := mtasts.ParseRecord(r.String())
				require.NoError(t, err)
				assert.Equal(t, r, back)
			case "policy-format":
				p := fromMoxPolicy(*c.Input.Policy)
				assert.Equal(t, c.Expect.String, p.String())
				back, err := mtasts.ParsePolicy(p.String())
				require.NoError(t, err)
				assert.Equal(t, p, back)
			case "record-lookup":
				srv := dnsServers[c.Input.DNS]
				require.NotNil(t, srv)
				r, err := mtasts.LookupRecord(ctx, srv.Resolver(), c.Input.Domain)
				if !c.Expect.OK {
					require.Error(t, err)
					for _, want := range moxErr(*c.Expect.Error) {
						assert.ErrorIs(t, err, want)
					}
					return
				}
				require.NoError(t, err)
				assert.Equal(t, normRecord(*c.Expect.Record), toMoxRecord(r))
			case "mx-match":
				p, err := mtasts.ParsePolicy(c.Input.PolicyText)
				require.NoError(t, err)
				assert.Equal(t, *c.Expect.Matches, p.Match(c.Input.MXHost))
			case "policy-fetch":
				runMoxFetch(t, c, servers[c.Input.ServerCert], dnsServers[c.Input.DNS], ca)
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
		if ok {
			passed++
		}
	}
	kinds := make([]string, 0, len(counts))
	for k, n := range counts {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	t.Logf("mox shared cases: %d of %d passed (%s)", passed, len(f.Cases), strings.Join(kinds, " "))
	assert.Equal(t, 67, len(f.Cases))
}

// checkParsed holds a parse case to mox's outcome: an error that wraps
// syntax, or the value mox expects (c.Expect.Result), compared in mox's
// form; got gives the parsed value in that form.
func checkParsed[M any](t *testing.T, c moxCase, err, syntax error, norm func(M) M, got func() M) {
	t.Helper()
	if !c.Expect.OK {
		require.Error(t, err)
		assert.ErrorIs(t, err, syntax)
		return
	}
	require.NoError(t, err)
	var want M
	require.NoError(t, json.Unmarshal(c.Expect.Result, &want))
	assert.Equal(t, norm(want), got())
}

func runMoxFetch(t *testing.T, c moxCase, ps *policyServer, dnsSrv *dnstest.Server, ca *testcert.Cert) {
	require.NotNil(t, ps)
	require.NotNil(t, dnsSrv)
	var body string
	if err := json.Unmarshal(c.Input.Body, &body); err != nil {
		var nul struct {
			N int `json:"nul_bytes"`
		}
		require.NoError(t, json.Unmarshal(c.Input.Body, &nul))
		body = strings.Repeat("\x00", nul.N)
	}
	ps.set(c.Input.HTTPStatus, "text/plain", body)
	if c.Input.HTTPStatus == 301 {
		ps.mu.Lock()
		ps.location = "/other"
		ps.mu.Unlock()
	}
	hc := dialingClient(ca.Pool(), ps.srv.Listener.Addr().String(), "mta-sts.doesnotexist.example")
	ctx := context.Background()

	check := func(what string, o *moxOutcome, p *mtasts.Policy, err error) {
		if o.OK {
			require.NoError(t, err, what)
			assert.Equal(t, normPolicy(*o.Policy), toMoxPolicy(p), what)
			return
		}
		require.Error(t, err, what)
		t.Logf("%s: %v", what, err)
		for _, want := range moxErr(*o.Error) {
			assert.ErrorIs(t, err, want, what)
		}
	}
	p, err := mtasts.FetchPolicy(ctx, hc, c.Input.Domain)
	check("FetchPolicy", c.Expect.FetchPolicy, p, err)
	cl := &mtasts.Client{Resolver: dnsSrv.Resolver(), HTTPClient: hc}
	p, err = cl.Get(ctx, c.Input.Domain)
	check("Get", c.Expect.Get, p, err)
	if err != nil {
		assert.False(t, errors.Is(err, mtasts.ErrTemporary))
	}
}
