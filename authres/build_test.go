package authres

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// suiteMethods are strings the suite's packages return from AuthResult,
// printed by spf.Verdict, dkim.Verification, dmarc.Verdict and
// ptr.Verdict at commit 6ed8408 (and the iprev shape with the confirmed
// name that issue 15 quotes). authres may not import them, so they are
// copied here with what Build must read from each.
var suiteMethods = []struct {
	in   string
	want Result
}{
	{"spf=pass smtp.mailfrom=example.org",
		Result{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", "example.org"}}}},
	{"spf=none smtp.helo=mail.example.org",
		Result{Method: "spf", Value: "none", Props: []Property{{"smtp", "helo", "mail.example.org"}}}},
	{"spf=fail smtp.mailfrom=xn--bcher-kva.example",
		Result{Method: "spf", Value: "fail", Props: []Property{{"smtp", "mailfrom", "xn--bcher-kva.example"}}}},
	{`spf=softfail smtp.mailfrom="exa mple;org"`,
		Result{Method: "spf", Value: "softfail", Props: []Property{{"smtp", "mailfrom", "exa mple;org"}}}},
	{"dkim=pass header.d=example.org header.s=sel header.i=@example.org header.a=rsa-sha256 header.b=AbCdEfGh",
		Result{Method: "dkim", Value: "pass", Props: []Property{{"header", "d", "example.org"}, {"header", "s", "sel"},
			{"header", "i", "@example.org"}, {"header", "a", "rsa-sha256"}, {"header", "b", "AbCdEfGh"}}}},
	{"dkim=fail (body hash did not verify) header.d=example.org header.s=sel header.i=@example.org header.a=ed25519-sha256 header.b=AbCdEfGh",
		Result{Method: "dkim", Value: "fail", Props: []Property{{"header", "d", "example.org"}, {"header", "s", "sel"},
			{"header", "i", "@example.org"}, {"header", "a", "ed25519-sha256"}, {"header", "b", "AbCdEfGh"}}}},
	{"dkim=permerror (weird _thing_ _ here)", Result{Method: "dkim", Value: "permerror"}},
	{`dkim=pass (test mode) header.d=example.org header.s="s 1" header.i="\"a b\"@example.org"`,
		Result{Method: "dkim", Value: "pass", Props: []Property{{"header", "d", "example.org"}, {"header", "s", "s 1"},
			{"header", "i", `"a b"@example.org`}}}},
	{"dkim=none", Result{Method: "dkim", Value: "none"}},
	{"dmarc=fail (p=reject dis=reject) header.from=example.com",
		Result{Method: "dmarc", Value: "fail", Props: []Property{{"header", "from", "example.com"}}}},
	{"dmarc=none header.from=example.com",
		Result{Method: "dmarc", Value: "none", Props: []Property{{"header", "from", "example.com"}}}},
	{"dmarc=permerror (no single From address)", Result{Method: "dmarc", Value: "permerror"}},
	{"iprev=pass policy.iprev=192.0.2.1", Result{Method: "iprev", Value: "pass", Props: []Property{{"policy", "iprev", "192.0.2.1"}}}},
	{"iprev=pass policy.iprev=192.0.2.1 (mail.example.org)",
		Result{Method: "iprev", Value: "pass", Props: []Property{{"policy", "iprev", "192.0.2.1"}}}},
	{`iprev=fail policy.iprev="2001:db8::1"`,
		Result{Method: "iprev", Value: "fail", Props: []Property{{"policy", "iprev", "2001:db8::1"}}}},
	{"arc=pass (i=2) smtp.remote-ip=192.0.2.1 header.oldest-pass=1",
		Result{Method: "arc", Value: "pass", Props: []Property{{"smtp", "remote-ip", "192.0.2.1"}, {"header", "oldest-pass", "1"}}}},
}

func TestBuildFromSuiteMethods(t *testing.T) {
	var all []string
	for _, m := range suiteMethods {
		h, err := Build("mx.example.net", m.in)
		require.NoError(t, err, m.in)
		require.Len(t, h.Results, 1)
		want := m.want
		want.Text = m.in // kept as given, comments included
		assert.Equal(t, want, h.Results[0])
		all = append(all, m.in)
	}
	h, err := Build("mx.example.net", all...)
	require.NoError(t, err)
	require.Len(t, h.Results, len(suiteMethods))
	s := h.String()
	checkFolded(t, h, s)
	for i, m := range suiteMethods {
		assert.Equal(t, m.in, h.Results[i].Text)
	}
}

func TestBuildNone(t *testing.T) {
	h, err := Build("mx.example.net")
	require.NoError(t, err)
	assert.Equal(t, "mx.example.net; none", h.String())
}

func TestBuildErrors(t *testing.T) {
	_, err := Build("", "spf=pass")
	assert.ErrorIs(t, err, ErrAuthServID)
	_, err = Build("mx\r\n.example", "spf=pass")
	assert.ErrorIs(t, err, ErrAuthServID)

	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "expected a method name"},
		{"spf=pass; dkim=pass", 8, "give one result per string"},
		{"spf pass", 4, `expected "=" after the method "spf"`},
		{"spf=pass reason=", 16, "expected a value"},
		{"none", 4, `expected "=" after the method "none"`},
	}
	for _, tt := range tests {
		_, err := Build("mx.example.net", "spf=pass", tt.in)
		assert.ErrorIs(t, err, ErrSyntax, tt.in)
		var pe *ParseError
		require.True(t, errors.As(err, &pe), tt.in)
		assert.Equal(t, tt.offset, pe.Offset, tt.in)
		assert.Contains(t, err.Error(), tt.msg)
	}

	h := &Header{AuthServID: "mx.example.net"}
	for i := 0; i < MaxResults; i++ {
		require.NoError(t, h.Add("spf=pass"))
	}
	assert.ErrorIs(t, h.Add("spf=pass"), ErrLimit)
}

func TestConsolidate(t *testing.T) {
	h, err := Consolidate("lists.example.org",
		"lists.example.org; arc=none;\r\n  spf=pass smtp.mfrom=jqd@d1.example",
		"mx.example.net; dkim=fail header.d=forged.example",
		"LISTS.example.org.; dkim=pass (1024-bit key) header.i=@d1.example;\r\n  dmarc=pass",
		"lists.example.org; none",
		"(unparsable but not ours) x; spf")
	require.NoError(t, err)
	assert.Equal(t, "lists.example.org", h.AuthServID)
	var texts []string
	for _, r := range h.Results {
		texts = append(texts, r.Text)
	}
	assert.Equal(t, []string{"arc=none", "spf=pass smtp.mfrom=jqd@d1.example",
		"dkim=pass (1024-bit key) header.i=@d1.example", "dmarc=pass"}, texts)
	assert.Equal(t, "i=1; lists.example.org; arc=none; spf=pass smtp.mfrom=jqd@d1.example;"+
		" dkim=pass (1024-bit key) header.i=@d1.example; dmarc=pass",
		"i=1; "+strings.ReplaceAll(h.Folded(len("ARC-Authentication-Results: i=1; ")), ";\r\n\t", "; "))

	h, err = Consolidate("mx.example.net", "other.example; spf=pass")
	require.NoError(t, err)
	assert.Equal(t, "mx.example.net; none", h.String())

	_, err = Consolidate("mx.example.net", "mx.example.net; spf=")
	assert.ErrorIs(t, err, ErrSyntax)
	_, err = Consolidate("")
	assert.ErrorIs(t, err, ErrAuthServID)
	many := "mx.example.net" + strings.Repeat("; spf=pass", 60)
	_, err = Consolidate("mx.example.net", many, many)
	assert.ErrorIs(t, err, ErrLimit)
}
