package dkim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func FuzzParseSignature(f *testing.F) {
	f.Add(sigBase)
	f.Add("v=1; a=ed25519-sha256; c=relaxed/relaxed; d=football.example.com; i=@football.example.com;\r\n q=dns/txt; s=brisbane; t=1528637909; h=from : to : subject :\r\n date : message-id : from : subject : date;\r\n bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==")
	f.Add(sigBase + "; i=a=40example.org; l=10; t=1; x=2; z=a|b; q=dns/txt:x/y")
	f.Add("v=1;;;a=")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSignature(in)
		if err != nil {
			if s != nil {
				t.Fatal("signature returned with error")
			}
			return
		}
		if s.Domain == "" || s.Selector == "" || len(s.Value) == 0 || len(s.BodyHash) == 0 {
			t.Fatalf("accepted incomplete signature %+v", s)
		}
		from := false
		for _, h := range s.Headers {
			from = from || strings.EqualFold(h, "from")
		}
		if !from {
			t.Fatal("accepted h= without From")
		}
		at := strings.LastIndexByte(s.Identity, '@')
		if at < 0 {
			t.Fatal("identity without @")
		}
	})
}

func FuzzParseKeyRecord(f *testing.F) {
	f.Add("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	f.Add("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB")
	f.Add("k=rsa; t=y:s; h=sha1:sha256; s=email; n=x; p=")
	f.Add("v=DKIM1; p=MIGJAoGBAOSzn0a9 AAAA")
	f.Fuzz(func(t *testing.T, in string) {
		k, err := ParseKeyRecord(in)
		if err != nil {
			return
		}
		if k.Revoked() {
			return
		}
		back, err := ParseKeyRecord(k.String())
		if err != nil {
			t.Fatalf("String() of a parsed record does not parse: %v\n%s", err, k.String())
		}
		if back.String() != k.String() {
			t.Fatalf("round trip changed the record:\n%s\n%s", k.String(), back.String())
		}
	})
}

func FuzzBodyCanonicalization(f *testing.F) {
	f.Add([]byte(""), uint8(1))
	f.Add([]byte(" C \r\nD \t E\r\n\r\n\r\n"), uint8(3))
	f.Add([]byte("a  \r\n \t\r\n\r\n"), uint8(2))
	f.Add([]byte("x\ry\n\n\r\r\n  "), uint8(1))
	f.Add(bytes.Repeat([]byte("base64base64base64base64base64base64base64base64base64base64\r\n"), 20), uint8(200))
	f.Add([]byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldY\r\n"), uint8(7))
	f.Add([]byte("QUJD REVGR0hJSktMTU5PUFFSU1RVVldY\n"), uint8(9))
	f.Fuzz(func(t *testing.T, body []byte, piece uint8) {
		p := int(piece)%64 + 1
		// The body, and the body repeated (equal-length lines, as in
		// base64 parts), whole and in pieces.
		rep := bytes.Repeat(body, 4)
		dented := bytes.Clone(rep)
		if len(dented) > 0 {
			// one copy differs in one byte, keeping the lengths equal
			dented[(int(piece)*7)%len(dented)] = " \t\r\nx"[int(piece)%5]
		}
		// Long enough for the vector paths, which need 64 bytes or more
		// in one Write.
		long := bytes.Repeat(body, 1+200/(len(body)+1))
		for _, b := range [][]byte{body, rep, dented, long} {
			for _, c := range []Canonicalization{Simple, Relaxed} {
				want := refBody(b, c)
				for _, piece := range []int{p, len(b) + 1} {
					if got := canonBody(b, c, piece); !bytes.Equal(want, got) {
						t.Fatalf("%s piece %d body %q:\nwant %q\ngot  %q", c, piece, b, want, got)
					}
				}
			}
		}
	})
}

// refRelaxedHeader is a plain reference of RFC 6376 §3.4.2.
func refRelaxedHeader(raw []byte) []byte {
	name, value, ok := bytes.Cut(raw, []byte(":"))
	if !ok {
		value = nil
	}
	name = nameJunk.ReplaceAll(name, nil)
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			name[i] = c + 'a' - 'A'
		}
	}
	value = bytes.ReplaceAll(value, []byte("\r\n"), nil)
	value = bytes.ReplaceAll(value, []byte("\n"), nil)
	value = wspRun.ReplaceAll(value, []byte(" "))
	value = bytes.Trim(value, " ")
	return append(append(append(name, ':'), value...), '\r', '\n')
}

var nameJunk = regexp.MustCompile(`[ \t\r\n]`)

func FuzzHeaderCanonicalization(f *testing.F) {
	f.Add([]byte("B : Y\t\r\n\tZ  \r\n"))
	f.Add([]byte("Subject:\r\n folded\r\n"))
	f.Add([]byte("X-Odd:a\rb\n"))
	f.Add([]byte("NoColon\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := refRelaxedHeader(bytes.Clone(raw))
		got := appendRelaxedHeader(nil, raw)
		if !bytes.Equal(want, got) {
			t.Fatalf("relaxed %q:\nwant %q\ngot  %q", raw, want, got)
		}
		simple := appendSimpleHeader(nil, raw)
		ref := lfToCRLF(raw)
		if !bytes.HasSuffix(ref, []byte("\r\n")) {
			ref = append(ref, '\r', '\n')
		}
		if !bytes.Equal(nonNil(ref), simple) {
			t.Fatalf("simple %q:\nwant %q\ngot  %q", raw, ref, simple)
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, name := range []string{"rfc8463-a3-ed25519-rsa", "maildkim-multiple-2-mixed", "interop-opendkim-h-mixed-case-oversign", "gomsgauth-sign-rsa-deterministic"} {
		msg, err := os.ReadFile(filepath.Join("testdata", "vectors", name+".eml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
	}
	f.Add([]byte("DKIM-Signature: v=1\r\n\r\n"))
	f.Add([]byte("\n\n\n"))
	res := txtZone{}
	for _, name := range []string{"rfc8463-a3-ed25519-rsa", "gomsgauth-sign-rsa-deterministic", "interop-opendkim-h-mixed-case-oversign"} {
		for k, v := range readZone(f, filepath.Join("testdata", "vectors", name+".zone")) {
			res[k] = v
		}
	}
	v := &Verifier{Resolver: res.mem(f), Now: func() time.Time { return time.Unix(1528637909, 0) }, MaxHeaderBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, msg []byte) {
		got, err := v.Verify(context.Background(), bytes.NewReader(msg))
		if err != nil {
			return
		}
		if len(got) > DefaultMaxSignatures {
			t.Fatalf("%d results", len(got))
		}
		for _, g := range got {
			if (g.Result == Pass) != (g.Err == nil) {
				t.Fatalf("result %s with err %v", g.Result, g.Err)
			}
			_ = g.String()
		}
	})
}
