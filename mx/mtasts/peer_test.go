package mtasts_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/mailsmith/mailsmith/mx/mtasts"
)

type peerPolicyCase struct {
	Text  string   `json:"text"`
	Hosts []string `json:"hosts"`
}

type peerInput struct {
	Records  [][]string       `json:"records"` // nil: no TXT record at all
	Policies []peerPolicyCase `json:"policies"`
}

type peerOutput struct {
	Records []struct {
		ID    string `json:"id"`
		Error string `json:"error"`
	} `json:"records"`
	Policies []struct {
		OK      bool     `json:"ok"`
		Error   string   `json:"error"`
		Mode    string   `json:"mode"`
		MX      []string `json:"mx"`
		MaxAge  int64    `json:"maxAge"`
		Matches []bool   `json:"matches"`
	} `json:"policies"`
}

func runMailauthMTASTS(t *testing.T, in peerInput) peerOutput {
	t.Helper()
	node, mods := testpeer.Node(t, "npm mailauth, .ci/install-peers", "mailauth/lib/mta-sts.js")
	var res peerOutput
	testpeer.RunJSON(t, in, &res, []string{"NODE_PATH=" + mods}, node, filepath.Join("testdata", "mailauth_mtasts.js"))
	require.Len(t, res.Records, len(in.Records))
	require.Len(t, res.Policies, len(in.Policies))
	return res
}

// gen makes MTA-STS TXT records, policies and MX host names, mostly valid
// with the mistakes real publishers make mixed in.
type gen struct{ r *rand.Rand }

func (g gen) pick(l ...string) string { return l[g.r.IntN(len(l))] }

func (g gen) alnum(n int) string {
	const cs = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = cs[g.r.IntN(len(cs))]
	}
	return string(b)
}

func (g gen) txtField() string {
	switch g.r.IntN(16) {
	case 0:
		return "id=" + g.alnum(1+g.r.IntN(34)) // up to 34: over the limit sometimes
	case 1:
		return "id=" + g.pick("a-b", "a_b", "", "é", "a=b", "a b")
	case 2:
		return g.pick("ext", "x.y", "a_b", "9z", "_bad", "-x", "abcdefghijabcdefghijabcdefghijabc", "ID") + "=" + g.pick("1", "v!", "a=b", "", "x~y", "é")
	default:
		return "id=" + g.alnum(1+g.r.IntN(20))
	}
}

func (g gen) txtRecord() string {
	var b strings.Builder
	if g.r.IntN(8) == 0 {
		b.WriteString(g.pick("v=STSv1 ", "V=STSv1", "v=STSv10", "v=stsv1", " v=STSv1", "v=STSv1\t"))
	} else {
		b.WriteString("v=STSv1")
	}
	n := 1 + g.r.IntN(3)
	if g.r.IntN(20) == 0 {
		n = 0
	}
	for i := 0; i < n; i++ {
		if g.r.IntN(15) == 0 {
			b.WriteString(g.pick(";;", "", ",", " "))
		} else {
			b.WriteString(g.pick(";", "; ", " ;", " ; ", ";\t", "\t;  "))
		}
		b.WriteString(g.txtField())
	}
	if g.r.IntN(3) == 0 {
		b.WriteString(g.pick(";", "; ", " ;", ";;"))
	}
	return b.String()
}

func (g gen) txtSet() []string {
	switch g.r.IntN(12) {
	case 0:
		return nil
	case 1:
		return []string{g.txtRecord(), g.txtRecord()}
	case 2:
		return []string{"v=spf1 -all", g.txtRecord()}
	default:
		return []string{g.txtRecord()}
	}
}

func (g gen) label() string {
	l := g.pick("mx", "mx1", "mail", "a", "backup-mx", "m-x", "smtp01", "in")
	if g.r.IntN(80) == 0 {
		l = g.pick("-mx", "mx-", "m_x", strings.Repeat("a", 64), "MX", "bücher")
	}
	return l
}

func (g gen) domain() string {
	return g.pick("example.com", "example.net", "mail.example.org", "xn--bcher-kva.example", "Example.COM", "b.c.example")
}

func (g gen) mxValue() string {
	switch g.r.IntN(12) {
	case 0:
		return "*." + g.domain()
	case 1:
		if g.r.IntN(3) != 0 {
			return "*." + g.domain()
		}
		return g.pick("*.*.example.com", "**.example.com", "*example.com", "example.com.", "[192.0.2.1]", "mx.bücher.example", "", "mx..example.com")
	case 2:
		return "*." + g.label() + "." + g.domain()
	default:
		return g.label() + "." + g.domain()
	}
}

func (g gen) ws() string { return g.pick("", " ", "", "\t", "  ") }

func (g gen) policy() (string, []string) {
	type field struct{ key, value string }
	var fields []field
	rare := func(good, bad []string) string {
		if g.r.IntN(12) == 0 {
			return bad[g.r.IntN(len(bad))]
		}
		return good[g.r.IntN(len(good))]
	}
	fields = append(fields, field{"version", rare([]string{"STSv1"}, []string{"STSv2", "stsv1", "", "STSv1 x"})})
	fields = append(fields, field{"mode", rare([]string{"enforce", "testing", "none", "enforce", "testing"}, []string{"ENFORCE", "bogus", ""})})
	fields = append(fields, field{"max_age", rare([]string{"86400", "604800", "0", "31557600", "01", "1209600"}, []string{"31557601", "abc", "12345678901", "-1", "", "9999999999"})})
	var mxs []string
	for i := 1 + g.r.IntN(4); i > 0; i-- {
		if g.r.IntN(15) == 0 {
			break
		}
		v := g.mxValue()
		mxs = append(mxs, v)
		fields = append(fields, field{"mx", v})
	}
	if g.r.IntN(4) == 0 {
		fields = append(fields, field{g.pick("ext", "x.y-z_1", "_bad", "abcdefghijabcdefghijabcdefghijabc", "Mode"), g.pick("some value", "", "a\tb", "ü")})
	}
	if g.r.IntN(8) == 0 {
		fields = append(fields, fields[g.r.IntN(len(fields))]) // a duplicate
	}
	if g.r.IntN(10) == 0 {
		fields = append(fields[:0:0], fields[:g.r.IntN(len(fields))]...) // something missing
	}
	if g.r.IntN(3) == 0 {
		g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	}
	term := g.pick("\n", "\r\n")
	var b strings.Builder
	for i, f := range fields {
		if g.r.IntN(60) == 0 {
			b.WriteString(g.pick("", "garbage", " version: STSv1") + term)
		}
		b.WriteString(f.key + ":" + g.ws() + f.value + g.ws())
		if i < len(fields)-1 || g.r.IntN(2) == 0 {
			b.WriteString(term)
		}
	}
	// Hosts to match: derived from the patterns, and others.
	var hosts []string
	for _, mx := range mxs {
		base := strings.TrimPrefix(mx, "*.")
		hosts = append(hosts, base, "mx."+base, "a.b."+base, strings.ToUpper(base), base+".")
	}
	hosts = append(hosts, "mx.example.com", "other.example", "bücher.example", "mx.bücher.example", "")
	return b.String(), hosts
}

// explainPolicy says, citing the RFC, why our parser may reject a policy
// that mailauth (strict) accepts; "" when nothing explains it. cleaned is
// the text without the lines mailauth skips or ignores: our parser must
// accept it and agree with mailauth's result (checked by the caller); it is
// "" when no such check applies.
func explainPolicy(text string) (why, cleaned string) {
	var keep []string
	for _, line := range strings.Split(text, "\n") {
		bare := strings.TrimSuffix(line, "\r")
		if strings.Trim(bare, " \t") == "" {
			keep = append(keep, line)
			continue
		}
		key, value, ok := strings.Cut(bare, ":")
		value = strings.Trim(value, " \t")
		if !ok || key == "" || strings.ContainsAny(key[:1], " \t_-.") || len(key) > 32 {
			why = "RFC 8461 §3.2: every line must be an sts-policy-field (key of sts-policy-ext-name, \":\"); mailauth skips a line that is not"
			continue
		}
		known := key == "version" || key == "mode" || key == "max_age" || key == "mx"
		if !known && (value == "" || strings.ContainsAny(value, "\t")) {
			why = "RFC 8461 §3.2: sts-policy-ext-value is one or more sts-policy-vchar with inner spaces only; mailauth does not check extension values"
			continue
		}
		if key == "mx" {
			for _, l := range strings.Split(strings.TrimPrefix(value, "*."), ".") {
				if len(l) > 63 {
					return "RFC 8461 §3.2 mx is an RFC 5321 Domain; a label is at most 63 octets (RFC 1035 §2.3.4, RFC 5321 §4.5.3.1.2); mailauth's pattern has no length limit", ""
				}
			}
		}
		keep = append(keep, line)
	}
	if why == "" {
		return "", ""
	}
	return why, strings.Join(keep, "\n")
}

// TestDifferentialMailauth compares ParseRecord/LookupRecord, ParsePolicy
// and Match with Node mailauth's mta-sts module (strict mode) over
// generated cases: the same id (or none) for the same TXT records, the same
// accept/reject, mode, mx list and max_age for the same policy text, and
// the same MX decision for the same host.
func TestDifferentialMailauth(t *testing.T) {
	r := rand.New(rand.NewPCG(8461, 1))
	g := gen{r}
	const nRecords, nPolicies = 1500, 1500
	var in peerInput
	for i := 0; i < nRecords; i++ {
		in.Records = append(in.Records, g.txtSet())
	}
	for i := 0; i < nPolicies; i++ {
		text, hosts := g.policy()
		in.Policies = append(in.Policies, peerPolicyCase{Text: text, Hosts: hosts})
	}
	out := runMailauthMTASTS(t, in)
	ctx := context.Background()

	var cases, disagree, explained, matchCases, withID, accepted int
	reasons := map[string]int{}
	fail := func(format string, args ...any) {
		disagree++
		t.Errorf(format, args...)
	}
	for i, txts := range in.Records {
		cases++
		res := &dnstest.Answers{TXT: map[string][]string{}}
		if txts != nil {
			res.TXT["_mta-sts.example.com."] = txts
		}
		ourID := ""
		if rec, err := mtasts.LookupRecord(ctx, res, "example.com"); err == nil {
			ourID = rec.ID
		}
		if out.Records[i].ID != "" {
			withID++
		}
		if ourID != out.Records[i].ID {
			fail("TXT %q: ours id=%q, mailauth id=%q (%s)", txts, ourID, out.Records[i].ID, out.Records[i].Error)
		}
	}
	for i, c := range in.Policies {
		cases++
		theirs := out.Policies[i]
		if theirs.OK {
			accepted++
		}
		p, err := mtasts.ParsePolicy(c.Text)
		if (err == nil) != theirs.OK {
			why, cleaned := "", ""
			if err != nil {
				why, cleaned = explainPolicy(c.Text)
			}
			if why == "" {
				fail("policy %q: ours err=%v, mailauth ok=%v (%s)", c.Text, err, theirs.OK, theirs.Error)
				continue
			}
			explained++
			reasons[why]++
			if cleaned == "" {
				continue
			}
			// Without the lines mailauth skipped, we must agree with it.
			if p, err = mtasts.ParsePolicy(cleaned); err != nil {
				fail("policy %q, cleaned %q: ours err=%v, mailauth ok", c.Text, cleaned, err)
				continue
			}
		}
		if err != nil {
			continue
		}
		if string(p.Mode) != theirs.Mode || int64(p.MaxAge/time.Second) != theirs.MaxAge || strings.Join(p.MX, ",") != strings.Join(theirs.MX, ",") {
			fail("policy %q: ours %s %v %v, mailauth %s %v %v", c.Text, p.Mode, p.MX, p.MaxAge, theirs.Mode, theirs.MX, theirs.MaxAge)
			continue
		}
		for j, h := range c.Hosts {
			matchCases++
			ours := p.Mode == mtasts.ModeNone || p.Match(h)
			if ours != theirs.Matches[j] {
				fail("policy %q host %q: ours %v, mailauth %v", c.Text, h, ours, theirs.Matches[j])
			}
		}
	}
	t.Logf("differential vs mailauth mta-sts: %d records (%d with an id) + %d policies (%d accepted by mailauth) = %d parse cases, %d MX match decisions; %d disagreements explained, %d unexplained",
		nRecords, withID, nPolicies, accepted, cases, matchCases, explained, disagree)
	for why, n := range reasons {
		t.Logf("  %d× %s", n, why)
	}
}
