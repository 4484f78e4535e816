package authres

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkFolded fails unless the field FieldName+": "+s has lines of at
// most LineWidth columns (a tab counted as 8) unless a line is a single
// piece that cannot be broken, every line break is followed by white
// space, and Parse reads s back to h.
func checkFolded(t *testing.T, h *Header, s string) {
	t.Helper()
	lines := strings.Split(FieldName+": "+s, "\r\n")
	for i, l := range lines {
		assert.NotContains(t, l, "\r", "bare CR")
		assert.NotContains(t, l, "\n", "bare LF")
		if i > 0 {
			require.NotEmpty(t, l)
			assert.Contains(t, " \t", l[:1], "continuation line %d does not start with white space", i)
		}
		if width(l) > LineWidth {
			assert.False(t, hasFoldPoint(strings.TrimLeft(l, " \t")), "line %d is %d columns and could have been folded: %q", i, width(l), l)
		}
	}
	back := mustParse(t, s)
	assert.True(t, sameHeader(h, back), "Parse(String()) differs:\n%#v\n%#v", h, back)
}

// hasFoldPoint says whether l has white space outside quoted-strings.
func hasFoldPoint(l string) bool {
	inQuote := false
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case (c == ' ' || c == '\t') && !inQuote:
			return true
		}
	}
	return false
}

func TestStringOneLineWhenItFits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.org;none", "example.org; none"},
		{"example.org 1 ; none", "example.org 1; none"},
		{"example.org;\r\n spf=pass  smtp.mailfrom=example.org", "example.org; spf=pass  smtp.mailfrom=example.org"},
		{"a.example; spf=pass; dkim=none;", "a.example; spf=pass; dkim=none"},
		{"spf=pass (sender IP is 192.0.2.1)", "spf=pass (sender IP is 192.0.2.1)"},
		{"", ""},
	}
	for _, tt := range tests {
		h := mustParse(t, tt.in)
		assert.Equal(t, tt.want, h.String(), "%q", tt.in)
		checkFolded(t, h, h.String())
	}
}

func TestStringFoldsOneResultPerLine(t *testing.T) {
	h, err := Build("mx.example.net",
		"iprev=pass policy.iprev=192.0.2.1 (mail.example.org)",
		"spf=pass smtp.mailfrom=example.org",
		"dkim=pass header.d=example.org header.s=sel header.i=@example.org header.a=rsa-sha256 header.b=AbCdEfGh",
		"dmarc=fail (p=reject dis=reject) header.from=example.com")
	require.NoError(t, err)
	want := "mx.example.net;\r\n" +
		"\tiprev=pass policy.iprev=192.0.2.1 (mail.example.org);\r\n" +
		"\tspf=pass smtp.mailfrom=example.org;\r\n" +
		"\tdkim=pass header.d=example.org header.s=sel header.i=@example.org\r\n" +
		" header.a=rsa-sha256 header.b=AbCdEfGh;\r\n" +
		"\tdmarc=fail (p=reject dis=reject) header.from=example.com"
	assert.Equal(t, want, h.String())
	checkFolded(t, h, h.String())
	assert.Equal(t, FieldName+": "+want+"\r\n", h.Field())
}

func TestFoldedForAnARCPrefix(t *testing.T) {
	h, err := Build("lists.example.org", "arc=none", "spf=pass smtp.mfrom=jqd@d1.example",
		"dkim=pass (1024-bit key) header.i=@d1.example", "dmarc=pass")
	require.NoError(t, err)
	prefix := "ARC-Authentication-Results: i=1; "
	assert.Equal(t, "lists.example.org; arc=none; spf=pass smtp.mfrom=jqd@d1.example;"+
		" dkim=pass (1024-bit key) header.i=@d1.example; dmarc=pass",
		strings.ReplaceAll(h.String(), ";\r\n\t", "; "))
	short, _ := Build("lists.example.org", "arc=none", "spf=pass smtp.mfrom=d1")
	one := short.String() // fits after "Authentication-Results: "
	assert.NotContains(t, one, "\r\n")
	folded := short.Folded(len(prefix)) // not after the longer prefix
	assert.Contains(t, folded, "\r\n")
	for _, l := range strings.Split(prefix+folded, "\r\n") {
		assert.LessOrEqual(t, width(l), LineWidth, l)
	}
	assert.True(t, sameHeader(short, mustParse(t, folded)))
}

func TestStringNeverFoldsInsideQuotedString(t *testing.T) {
	long := strings.Repeat("word ", 30)
	h, err := Build("mx.example.net", `dkim=fail reason="`+long+`" header.d=example.org (`+long+`)`)
	require.NoError(t, err)
	s := h.String()
	checkFolded(t, h, s)
	i := strings.Index(s, `reason="`) + len(`reason="`)
	j := strings.IndexByte(s[i:], '"')
	require.Positive(t, j)
	assert.NotContains(t, s[i:i+j], "\r\n", "folded inside the quoted-string")
	assert.Contains(t, s, "\r\n", "the long comment should have been folded")
	assert.Equal(t, long, h.Results[0].Reason)
}

func TestStringWritesFieldsWhenTextIsStale(t *testing.T) {
	h := mustParse(t, "mx.example; spf=pass (ok) smtp.mailfrom=a.example")
	assert.Equal(t, "mx.example; spf=pass (ok) smtp.mailfrom=a.example", h.String())
	h.Results[0].Value = "fail"
	h.Results[0].Props[0].Value = "evil example"
	assert.Equal(t, `mx.example; spf=fail smtp.mailfrom="evil example"`, h.String(), "comment dropped, new values written")
	checkFolded(t, &Header{AuthServID: "mx.example", Results: []Result{
		{Method: "spf", Value: "fail", Props: []Property{{"smtp", "mailfrom", "evil example"}},
			Text: `spf=fail smtp.mailfrom="evil example"`}}}, h.String())
}

func TestStringFromFieldsQuotesAndCannotBeInjected(t *testing.T) {
	h := &Header{AuthServID: "mx example;\r\nBcc: x", Version: 1, Results: []Result{{
		Method: "dkim\r\nX-Evil: 1", MethodVersion: 1, Value: "pass", Reason: "a \"b\" \\ c\r\nX-Evil: 2",
		Props: []Property{
			{"header", "d", "example.org"},
			{"smtp", "mailfrom", `"a b"@example.org`},
			{"", "action", "none"},
			{"policy", "iprev", "2001:db8::1"},
			{"header", "b", "Ab/c+d="},
			{"header", "x", "(not a comment)"},
			{"header", "y", ""},
		},
	}}}
	s := h.String()
	for _, l := range strings.Split(s, "\r\n")[1:] {
		require.NotEmpty(t, l)
		assert.Contains(t, " \t", l[:1], "a line that starts a new field: %q", l)
	}
	back := mustParse(t, s)
	assert.Equal(t, "mx example;Bcc: x", back.AuthServID)
	assert.Equal(t, 1, back.Version)
	require.Len(t, back.Results, 1)
	r := back.Results[0]
	assert.Equal(t, "dkimx-evil1", r.Method)
	assert.Equal(t, 1, r.MethodVersion)
	assert.Equal(t, `a "b" \ cX-Evil: 2`, r.Reason)
	assert.Equal(t, h.Results[0].Props, r.Props)
}

func TestStringWithoutAuthServID(t *testing.T) {
	in := "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass reason=100"
	h := mustParse(t, in)
	s := h.String()
	assert.True(t, strings.HasPrefix(s, "spf=pass (sender IP is 192.0.2.1)"), s)
	checkFolded(t, h, s)
}
