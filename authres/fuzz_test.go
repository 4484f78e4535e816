package authres

import (
	"errors"
	"strings"
	"testing"
)

var parseSeeds = []string{
	"example.org; none",
	"example.com 1; dkim/1=pass (good) reason=\"x y\" header.d=example.org header.b=abc; spf=pass smtp.mailfrom=\"a b\"@ex",
	"mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/c+D9=;\r\n       spf=pass (google.com: domain of x@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=x@example.com;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com\r\n",
	"spf=pass (sender IP is 192.0.2.1)\r\n smtp.mailfrom=example.com; dkim=none (message not signed)\r\n header.d=none;dmarc=none action=none header.from=example.com;compauth=pass\r\n reason=100",
	"ex;(a)dkim(b)/(c)1(d)=(e)pass(f)reason(g)=(h)\"r\"(i)header(j).(k)d(l)=(m)x.example(n)",
	"ex; spf=pass (a (b \\) c) d) smtp.mailfrom=x",
	"ex;\n\tspf=pass\n smtp.mailfrom=x",
	"ex; spf=pass reason=\"a\r\n b\"",
	"ex; iprev=pass policy.iprev=2001:db8::1 reason=ok",
	`"quoted id" 1; none;`,
	"",
	"ex; spf=pass (unclosed",
	"ex; spf=pass\r\nX: y",
}

// FuzzParse: no input panics; errors carry an offset inside the value and
// a sentinel; what parses is written by String in a form Parse reads back
// to the same Header (Text included), and every Text can be given to Add.
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	for _, m := range suiteMethods {
		f.Add("mx.example.net; " + m.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h, err := Parse(v)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(v) {
				t.Fatalf("Parse(%q): error without a valid offset: %v", v, err)
			}
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrLimit) {
				t.Fatalf("Parse(%q): error wraps no sentinel: %v", v, err)
			}
			return
		}
		s := h.String()
		for i, l := range strings.Split(s, "\r\n") {
			if strings.ContainsAny(l, "\r\n") || i > 0 && (l == "" || l[0] != ' ' && l[0] != '\t') {
				t.Fatalf("String of %q has a line that is not a continuation: %q", v, s)
			}
		}
		if len(s) > MaxValueLen {
			return // folding made it longer than Parse reads
		}
		back, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(String()) of %q: %v\nString: %q", v, err, s)
		}
		if !sameHeader(h, back) {
			t.Fatalf("Parse(String()) of %q differs:\n%#v\n%#v\nString: %q", v, h, back, s)
		}
		if again := back.String(); again != s {
			t.Fatalf("String not stable for %q:\n%q\n%q", v, s, again)
		}
		for _, r := range h.Results {
			var b Header
			if err := b.Add(r.Text); err != nil || !sameResult(&b.Results[0], &r) || b.Results[0].Text != r.Text {
				t.Fatalf("Add(%q) of a parsed result: %v", r.Text, err)
			}
		}
	})
}

// FuzzBuild: Build either refuses its input with a clear error or writes
// a field that Parse reads back to the same authserv-id and results.
func FuzzBuild(f *testing.F) {
	f.Add("mx.example.net", "spf=pass smtp.mailfrom=example.org")
	f.Add("mx example \"net\"", `dkim=fail (body hash did not verify) header.d=example.org header.s="s 1"`)
	f.Add("spf", "iprev=pass policy.iprev=192.0.2.1 (mail.example.org)")
	f.Add("a=b", "dmarc=fail (p=reject dis=reject) header.from=example.com")
	f.Fuzz(func(t *testing.T, id, method string) {
		h, err := Build(id, method)
		if err != nil {
			var pe *ParseError
			if !errors.Is(err, ErrAuthServID) && !errors.As(err, &pe) {
				t.Fatalf("Build(%q, %q): unexpected error %v", id, method, err)
			}
			return
		}
		s := h.String()
		if len(s) > MaxValueLen {
			return
		}
		back, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(String()) for Build(%q, %q): %v\n%q", id, method, err, s)
		}
		if !sameHeader(h, back) {
			t.Fatalf("Parse(String()) for Build(%q, %q) differs:\n%#v\n%#v\n%q", id, method, h, back, s)
		}
	})
}
