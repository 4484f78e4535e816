package authres

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     Header // Text compared when set in want
	}{
		{"none", "example.org; none", Header{AuthServID: "example.org"}},
		{"none with comments and final semicolon", " (c1) example.org (c2) ;\r\n\t(c3) none (c4);\r\n",
			Header{AuthServID: "example.org"}},
		{"version", "example.org 1; none", Header{AuthServID: "example.org", Version: 1}},
		{"version after comment", "example.org(x)1(y); none", Header{AuthServID: "example.org", Version: 1}},
		{"authserv-id case kept", "MX.Example.ORG; SPF=Pass SMTP.MailFrom=A.Example",
			Header{AuthServID: "MX.Example.ORG", Results: []Result{{Method: "spf", Value: "pass",
				Props: []Property{{"smtp", "mailfrom", "A.Example"}}, Text: "SPF=Pass SMTP.MailFrom=A.Example"}}}},
		{"quoted authserv-id", `"mx example"; none`, Header{AuthServID: "mx example"}},
		{"RFC 8601 B.3 spf", "example.com;\r\n          spf=pass smtp.mailfrom=example.net",
			Header{AuthServID: "example.com", Results: []Result{{Method: "spf", Value: "pass",
				Props: []Property{{"smtp", "mailfrom", "example.net"}}, Text: "spf=pass smtp.mailfrom=example.net"}}}},
		{"RFC 8601 B.4 auth with comment", "example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n          spf=pass smtp.mailfrom=example.net",
			Header{AuthServID: "example.com", Results: []Result{
				{Method: "auth", Value: "pass", Props: []Property{{"smtp", "auth", "sender@example.net"}},
					Text: "auth=pass (cram-md5) smtp.auth=sender@example.net"},
				{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", "example.net"}},
					Text: "spf=pass smtp.mailfrom=example.net"}}}},
		{"RFC 8601 B.6 dkim header.i and comments", "mail-router.example.net;\r\n    dkim=pass (good signature) header.d=newyork.example.com\r\n          header.b=oINEO8hg;\r\n    dkim=fail (bad signature) header.d=newyork.example.com\r\n          header.b=EToRSuvU",
			Header{AuthServID: "mail-router.example.net", Results: []Result{
				{Method: "dkim", Value: "pass", Props: []Property{{"header", "d", "newyork.example.com"}, {"header", "b", "oINEO8hg"}},
					Text: "dkim=pass (good signature) header.d=newyork.example.com          header.b=oINEO8hg"},
				{Method: "dkim", Value: "fail", Props: []Property{{"header", "d", "newyork.example.com"}, {"header", "b", "EToRSuvU"}},
					Text: "dkim=fail (bad signature) header.d=newyork.example.com          header.b=EToRSuvU"}}}},
		{"method version, reason, quoted values", `example.com; dkim/1 = pass reason="good sig" header.i="@a b"; spf=fail reason=bad smtp.mailfrom="x\"y"`,
			Header{AuthServID: "example.com", Results: []Result{
				{Method: "dkim", MethodVersion: 1, Value: "pass", Reason: "good sig", Props: []Property{{"header", "i", "@a b"}}},
				{Method: "spf", Value: "fail", Reason: "bad", Props: []Property{{"smtp", "mailfrom", `x"y`}}}}}},
		{"mailbox with quoted local-part kept as written", `ex; spf=pass smtp.mailfrom="a b"@example.org`,
			Header{AuthServID: "ex", Results: []Result{{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", `"a b"@example.org`}}}}}},
		{"all four ptypes and an unknown one", "ex; x-m=neutral smtp.helo=h header.from=f body.hash=b policy.iprev=1.2.3.4 x-tls.version=TLSv1.3",
			Header{AuthServID: "ex", Results: []Result{{Method: "x-m", Value: "neutral", Props: []Property{
				{"smtp", "helo", "h"}, {"header", "from", "f"}, {"body", "hash", "b"}, {"policy", "iprev", "1.2.3.4"}, {"x-tls", "version", "TLSv1.3"}}}}}},
		{"comments everywhere CFWS stands", "ex;(a)dkim(b)/(c)1(d)=(e)pass(f)reason(g)=(h)\"r\"(i)header(j).(k)d(l)=(m)x.example(n)",
			Header{AuthServID: "ex", Results: []Result{{Method: "dkim", MethodVersion: 1, Value: "pass", Reason: "r",
				Props: []Property{{"header", "d", "x.example"}}, Text: "(a)dkim(b)/(c)1(d)=(e)pass(f)reason(g)=(h)\"r\"(i)header(j).(k)d(l)=(m)x.example(n)"}}}},
		{"nested comment with quoted-pair", `ex; spf=pass (a (b \) c) d) smtp.mailfrom=x`,
			Header{AuthServID: "ex", Results: []Result{{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", "x"}},
				Text: `spf=pass (a (b \) c) d) smtp.mailfrom=x`}}}},
		{"semicolon inside a comment and a quoted-string", `ex; spf=pass (a;b) smtp.mailfrom="c;d"`,
			Header{AuthServID: "ex", Results: []Result{{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", "c;d"}},
				Text: `spf=pass (a;b) smtp.mailfrom="c;d"`}}}},
		{"bare LF folding, no final line break", "ex;\n\tspf=pass\n smtp.mailfrom=x",
			Header{AuthServID: "ex", Results: []Result{{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", "x"}},
				Text: "spf=pass smtp.mailfrom=x"}}}},
		{"folding inside a quoted-string keeps the white space", "ex; spf=pass reason=\"a\r\n b\"",
			Header{AuthServID: "ex", Results: []Result{{Method: "spf", Value: "pass", Reason: "a b", Text: `spf=pass reason="a b"`}}}},
		{"RFC 2047 left alone", "ex; dkim=fail reason==?utf-8?q?caf=C3=A9?=",
			Header{AuthServID: "ex", Results: []Result{{Method: "dkim", Value: "fail", Reason: "=?utf-8?q?caf=C3=A9?="}}}},
		{"Microsoft 365: no authserv-id, bare property, reason token", "spf=pass (sender IP is 192.0.2.1)\r\n smtp.mailfrom=example.com; dkim=none (message not signed)\r\n header.d=none;dmarc=none action=none header.from=example.com;compauth=pass\r\n reason=100",
			Header{Results: []Result{
				{Method: "spf", Value: "pass", Props: []Property{{"smtp", "mailfrom", "example.com"}}, Text: "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com"},
				{Method: "dkim", Value: "none", Props: []Property{{"header", "d", "none"}}},
				{Method: "dmarc", Value: "none", Props: []Property{{"", "action", "none"}, {"header", "from", "example.com"}}},
				{Method: "compauth", Value: "pass", Reason: "100", Text: "compauth=pass reason=100"}}}},
		{"Gmail shapes: unquoted base64 and comment right after the result", "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/c+D9=;\r\n       dmarc=pass(p=NONE sp=NONE dis=NONE) header.from=example.com;\r\n       arc=pass (i=1)",
			Header{AuthServID: "mx.google.com", Results: []Result{
				{Method: "dkim", Value: "pass", Props: []Property{{"header", "i", "@example.com"}, {"header", "s", "20230601"}, {"header", "b", "Ab/c+D9="}}},
				{Method: "dmarc", Value: "pass", Props: []Property{{"header", "from", "example.com"}}, Text: "dmarc=pass(p=NONE sp=NONE dis=NONE) header.from=example.com"},
				{Method: "arc", Value: "pass", Text: "arc=pass (i=1)"}}}},
		{"unquoted IPv6 and reason after properties", "ex; iprev=pass policy.iprev=2001:db8::1 reason=ok",
			Header{AuthServID: "ex", Results: []Result{{Method: "iprev", Value: "pass", Reason: "ok", Props: []Property{{"policy", "iprev", "2001:db8::1"}}}}}},
		{"UTF-8 value", "ex; dkim=pass header.d=bücher.example",
			Header{AuthServID: "ex", Results: []Result{{Method: "dkim", Value: "pass", Props: []Property{{"header", "d", "bücher.example"}}}}}},
		{"Amazon SES: results that are not keywords, bare properties", "amazonses.com;\r\n spf=pass (spfCheck: domain of example.com designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=x@example.com; helo=mail.example.com;\r\n dkim=pass header.i=@example.com;",
			Header{AuthServID: "amazonses.com", Results: []Result{
				{Method: "spf", Value: "pass", Props: []Property{{"", "client-ip", "192.0.2.1"}}},
				{Method: "envelope-from", Value: "x@example.com", Text: "envelope-from=x@example.com"},
				{Method: "helo", Value: "mail.example.com"},
				{Method: "dkim", Value: "pass", Props: []Property{{"header", "i", "@example.com"}}}}}},
		{"older Office 365: recipient domain between results", "spf=none (sender IP is 192.0.2.1)\r\n smtp.mailfrom=example.com; contoso.com; dkim=none (message not signed)\r\n header.d=none;contoso.com; dmarc=none action=none header.from=example.com;",
			Header{Results: []Result{
				{Method: "spf", Value: "none", Props: []Property{{"smtp", "mailfrom", "example.com"}}},
				{Method: "dkim", Value: "none", Props: []Property{{"header", "d", "none"}}, Text: "dkim=none (message not signed) header.d=none"},
				{Method: "dmarc", Value: "none", Props: []Property{{"", "action", "none"}, {"header", "from", "example.com"}}}}}},
		{"empty property values before a semicolon or the end", "ex; spf=none smtp.mailfrom= (null sender);dkim=none header.d=",
			Header{AuthServID: "ex", Results: []Result{
				{Method: "spf", Value: "none", Props: []Property{{"smtp", "mailfrom", ""}}},
				{Method: "dkim", Value: "none", Props: []Property{{"header", "d", ""}}}}}},
		{"empty value (go-msgauth)", "", Header{}},
		{"only CFWS", " (nothing)\r\n ", Header{}},
		{"method called none", "ex; none=pass", Header{AuthServID: "ex", Results: []Result{{Method: "none", Value: "pass"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mustParse(t, tt.in)
			assert.Equal(t, tt.want.AuthServID, h.AuthServID)
			assert.Equal(t, tt.want.Version, h.Version)
			require.Len(t, h.Results, len(tt.want.Results))
			for i, w := range tt.want.Results {
				g := h.Results[i]
				if w.Text == "" {
					w.Text = g.Text
				}
				assert.Equal(t, w, g, "result %d", i)
				assert.NotEmpty(t, g.Text)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
		msg      string
		sentinel error
	}{
		{"no semicolon", "example.org", 11, `expected ";" after the authserv-id, found the end`, ErrSyntax},
		{"two words", "example.org foo; none", 12, `expected ";" after the authserv-id, found 'f'`, ErrSyntax},
		{"nothing after semicolon", "example.org;", 12, `expected "none" or a result`, ErrSyntax},
		{"none then results", "ex; none; spf=pass", 10, `expected the end of the value after "none"`, ErrSyntax},
		{"missing =", "ex; spf pass", 8, `expected "=" after the method "spf"`, ErrSyntax},
		{"missing result", "ex; spf=", 8, `expected a result keyword after "spf="`, ErrSyntax},
		{"quoted result", `ex; spf="pass"`, 8, `expected a result keyword`, ErrSyntax},
		{"method version not digits", "ex; dkim/x=pass", 9, `expected a method-version after "dkim/"`, ErrSyntax},
		{"reason without value", "ex; spf=pass reason=", 20, "expected a value", ErrSyntax},
		{"reason without value before a semicolon", "ex; spf=pass reason= ; dkim=pass", 21, "expected a value", ErrSyntax},
		{"property value that cannot stand", "ex; spf=pass smtp.mailfrom=)", 27, "expected a value, found ')'", ErrSyntax},
		{"property without =", "ex; spf=pass smtp.mailfrom", 26, `expected "=" after the property "smtp.mailfrom"`, ErrSyntax},
		{"property without name", "ex; spf=pass smtp.=x", 18, `expected a property name after "smtp."`, ErrSyntax},
		{"stray word", "ex; spf=pass x", 14, `expected "." or "=" after "x"`, ErrSyntax},
		{"stray character", "ex; spf=pass ,", 13, `expected a property (ptype.property=value), "reason=" or ";", found ','`, ErrSyntax},
		{"two reasons", "ex; spf=pass reason=a reason=b", 22, "a second reason=", ErrSyntax},
		{"empty between semicolons", "ex; spf=pass;; dkim=pass", 13, "expected a method name", ErrSyntax},
		{"bare word that is not a domain", "ex; spf; dkim=pass", 7, `expected "=" after the method "spf"`, ErrSyntax},
		{"comment not closed", "ex; spf=pass (oops", 13, "comment not closed", ErrSyntax},
		{"quoted-string not closed", `ex; spf=pass reason="oops`, 20, "quoted-string not closed", ErrSyntax},
		{"line break without white space", "ex; spf=pass\r\nsmtp.mailfrom=x", 12, "a line break without white space after it", ErrSyntax},
		{"control character", "ex; spf=pass reason=\"a\x00b\"", 22, `control character '\x00'`, ErrSyntax},
		{"backslash at the end of a comment", `ex; spf=pass (a\`, 15, "expected a character after a backslash", ErrSyntax},
		{"empty quoted authserv-id", `""; none`, 0, "empty authserv-id", ErrSyntax},
		{"no authserv-id", "; spf=pass", 0, "expected an authserv-id", ErrSyntax},
		{"quoted method is no authserv-id", `"spf"=pass`, 5, `expected ";" after the authserv-id, found '='`, ErrSyntax},
		{"long version", "ex 1234567890; none", 3, "longer than 9 digits", ErrLimit},
		{"comment nesting", "ex; spf=pass " + strings.Repeat("(", 9) + strings.Repeat(")", 9), 21, "nested deeper than 8", ErrLimit},
		{"too long", "ex; none" + strings.Repeat(" ", MaxValueLen), MaxValueLen, "value longer than", ErrLimit},
		{"too many results", "ex" + strings.Repeat("; a=b", MaxResults+1), 2 + 5*MaxResults + 2, "more than 100 results", ErrLimit},
		{"too many properties", "ex; a=b" + strings.Repeat(" c.d=e", MaxProps+1), 7 + 6*MaxProps + 1, "more than 64 properties", ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Parse(tt.in)
			require.Error(t, err)
			assert.Nil(t, h)
			assert.ErrorIs(t, err, tt.sentinel)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, tt.offset, pe.Offset, "%v", err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "authres: at byte "), err.Error())
		})
	}
}
