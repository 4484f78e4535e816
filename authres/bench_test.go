package authres

import (
	"io"
	"strings"
	"testing"
)

// gmailLike is an Authentication-Results value of the shape large
// providers write: four results, comments, folded lines.
const gmailLike = "mx.google.com;\r\n" +
	"       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/c+D9=;\r\n" +
	"       spf=pass (google.com: domain of x@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=x@example.com;\r\n" +
	"       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com;\r\n" +
	"       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass fromdomain=example.com)"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(gmailLike)))
	for b.Loop() {
		if _, err := Parse(gmailLike); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	h, err := Parse(gmailLike)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.String()
	}
}

func BenchmarkBuildString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		h, err := Build("mx.example.net",
			"iprev=pass policy.iprev=192.0.2.1 (mail.example.org)",
			"spf=pass smtp.mailfrom=example.org",
			"dkim=pass header.d=example.org header.s=sel header.i=@example.org header.a=rsa-sha256 header.b=AbCdEfGh",
			"dmarc=pass (p=reject dis=none) header.from=example.org")
		if err != nil {
			b.Fatal(err)
		}
		_ = h.String()
	}
}

func BenchmarkStrip(b *testing.B) {
	msg := strings.Repeat("Received: from a.example by b.example;\r\n\tMon, 7 Dec 2026 07:00:00 +0000\r\n", 20) +
		"Authentication-Results: " + gmailLike + "\r\n" +
		"Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=forged.example\r\n" +
		"From: a@example.org\r\nSubject: hello\r\n\r\n" + strings.Repeat("body line of text\r\n", 2000)
	s := &Stripper{AuthServID: "mx.example.com"}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if n, err := s.Strip(io.Discard, strings.NewReader(msg)); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
}
