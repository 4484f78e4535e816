package mtasts_test

import (
	"testing"

	"github.com/mailsmith/mailsmith/mx/mtasts"
)

const benchPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"

func BenchmarkParsePolicy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mtasts.ParsePolicy(benchPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mtasts.ParseRecord("v=STSv1; id=20160831085700Z;"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	p, err := mtasts.ParsePolicy(benchPolicy)
	if err != nil {
		b.Fatal(err)
	}
	hosts := []string{"MX7.example.net.", "backupmx.example.com", "other.example.org"}
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range hosts {
			p.Match(h)
		}
	}
}

func BenchmarkMatchIDN(b *testing.B) {
	p := &mtasts.Policy{Mode: mtasts.ModeEnforce, MX: []string{"*.xn--bcher-kva.example"}}
	b.ReportAllocs()
	for b.Loop() {
		if !p.Match("mx.bücher.example") {
			b.Fatal("no match")
		}
	}
}
