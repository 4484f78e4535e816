package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// benchMessage builds a message of about size octets shaped like real
// mail of that size: a typical header block, a text part (words separated
// by single spaces, some trailing whitespace and blank lines) and, beyond
// 2 KiB, a base64 attachment in 76-column lines.
func benchMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\n" +
		"Subject: quarterly figures and a rather long subject line that\r\n folds once\r\n" +
		"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <bench.1@example.org>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.Write(benchText(min(size, 2048) - b.Len()))
	if size > 2048 {
		b.WriteString("--b1\r\nContent-Type: application/octet-stream\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n")
		raw := make([]byte, 57)
		for b.Len() < size-16 {
			for i := range raw {
				raw[i] = byte(b.Len()*7 + i*13)
			}
			b.WriteString(base64.StdEncoding.EncodeToString(raw) + "\r\n")
		}
		b.WriteString("--b1--\r\n")
	}
	return b.Bytes()
}

// benchText returns about n octets of text lines.
func benchText(n int) []byte {
	var b bytes.Buffer
	words := strings.Fields("the quick brown fox jumps over lazy dog while seven zebras quietly amble past an old barn full of hay and copper kettles")
	line, w := 0, 0
	for b.Len() < n {
		var l strings.Builder
		for l.Len() < 68 {
			l.WriteString(words[w%len(words)])
			l.WriteByte(' ')
			w++
		}
		s := strings.TrimSuffix(l.String(), " ")
		switch line % 16 {
		case 7:
			s += "  " // trailing whitespace
		case 15:
			s = "" // paragraph break
		}
		b.WriteString(s + "\r\n")
		line++
	}
	return b.Bytes()
}

type benchKey struct {
	name string
	key  crypto.Signer
}

func benchKeys(b *testing.B) []benchKey {
	rsaKey, err := GenerateKey(KeyTypeRSA, 2048)
	if err != nil {
		b.Fatal(err)
	}
	edKey, err := GenerateKey(KeyTypeEd25519, 0)
	if err != nil {
		b.Fatal(err)
	}
	return []benchKey{{"rsa2048", rsaKey}, {"ed25519", edKey}}
}

var benchSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

func BenchmarkSign(b *testing.B) {
	for _, k := range benchKeys(b) {
		for _, sz := range benchSizes {
			msg := benchMessage(sz.size)
			s := &Signer{Domain: "example.org", Selector: "sel", Key: k.key}
			b.Run(k.name+"/"+sz.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					if _, err := s.Sign(bytes.NewReader(msg)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// proseWords is the vocabulary of proseText, with the punctuation prose
// carries.
var proseWords = strings.Fields(`the of and to a in that is was he for it with as his on be at
by I this had not are but from or have an they which one you were her all she there would
their we him been has when who will more no if out so said what up its about into than them
can only other new some could time these two may then do first any my now such like our over
man me even most made after also did many before must through back years where much your way
well down should because each just those people Mr. how too little state good very make world
still own see men work long get here between both life being under never day same another know
while last might us great old year off come since against go came right used take three
himself few house use during without again place American around however home small found
Mrs. thought went say part once general high upon school every don't does got united left
number course war until always away something fact though water less public put think almost
hand enough far took head yet government system better set told nothing night end why called
didn't eyes find going look asked later knew point next program city business give group toward
young days let room president side social given present several order national possible rather
second face per among form important often things looked early white case John become large big
need four within felt along children saw best church ever least power development light thing
seemed family interest want members mind country area others done turned although open God
service certainly kind problem began different door thus help sense means whole matter perhaps
itself York it's times law human line above name example action company hands local show
whether five history gave today either act feet across taken past quite anything seen having
death week experience body word half really field am car words already themselves I'm
information tell together college shall money period held keep sure free real seems behind
cannot miss political air question making office brought whose special heard major problems ago
became federal moment study available known result street economic boy position reason change
south board individual job areas society west close turn love community true court force full
seem am, however, said, which, year, time, world; people. life. day. work. way. man. house.`)

// proseText returns about n octets of English-looking prose as mail
// clients send it: 70-column lines with single spaces between words, a
// few runs of spaces and tabs (two spaces after some full stops, an
// indented paragraph, a tab-separated table row), some trailing
// whitespace, blank lines between paragraphs. It is deterministic.
func proseText(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	line := make([]byte, 0, 128)
	lines := 0
	endLine := func() {
		if lines%9 == 4 {
			line = append(line, ' ') // trailing whitespace
		}
		if lines%23 == 11 {
			line = append(line, " \t"...)
		}
		b.Write(line)
		b.WriteString("\r\n")
		line = line[:0]
		lines++
	}
	for b.Len() < n {
		// one paragraph
		if rng.IntN(4) == 0 {
			line = append(line, '\t')
		}
		words := 40 + rng.IntN(80)
		capital := true
		for w := 0; w < words; w++ {
			word := proseWords[rng.IntN(len(proseWords))]
			if len(line)+1+len(word) > 70 {
				endLine()
			}
			if len(line) > 0 && line[len(line)-1] != '\t' {
				line = append(line, ' ')
			}
			start := len(line)
			line = append(line, word...)
			if capital && line[start] >= 'a' && line[start] <= 'z' {
				line[start] -= 'a' - 'A'
			}
			capital = false
			if rng.IntN(12) == 0 {
				line = append(line, '.')
				capital = true
				if rng.IntN(3) == 0 {
					line = append(line, ' ') // two spaces after a full stop
				}
			}
		}
		line = append(line, '.')
		endLine()
		if rng.IntN(10) == 0 {
			b.WriteString("Item\tQty\t\tPrice\r\n")
			lines++
		}
		b.WriteString("\r\n")
		lines++
	}
	return b.Bytes()
}

// proseMessage is a plain-text mail of about size octets whose body is
// proseText.
func proseMessage(size int) []byte {
	head := "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\n" +
		"Subject: minutes of the meeting\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n" +
		"Message-ID: <prose.1@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"
	return append([]byte(head), proseText(size-len(head))...)
}

// benchCorpus is what BenchmarkVerify and BenchmarkSHA256 run over: the
// MIME messages of benchSizes (text part and base64 attachment, signed
// relaxed/relaxed) and a 1 MiB text message signed relaxed/relaxed and
// simple/simple.
type benchCorpus struct {
	name  string
	msg   []byte
	canon Canonicalization
}

func benchCorpora() []benchCorpus {
	var cs []benchCorpus
	for _, sz := range benchSizes {
		cs = append(cs, benchCorpus{sz.name, benchMessage(sz.size), Relaxed})
	}
	text := proseMessage(1 << 20)
	cs = append(cs, benchCorpus{"text-relaxed/1MiB", text, Relaxed}, benchCorpus{"text-simple/1MiB", text, Simple})
	return cs
}

// benchSigned signs msg with key as sel._domainkey.example.org, c for
// header and body, and returns the signed message and a Verifier that
// finds the key in memory.
func benchSigned(b *testing.B, key crypto.Signer, c Canonicalization, msg []byte) ([]byte, *Verifier) {
	b.Helper()
	rec, err := NewKeyRecord(key.Public())
	if err != nil {
		b.Fatal(err)
	}
	s := &Signer{Domain: "example.org", Selector: "sel", Key: key, HeaderCanonicalization: c, BodyCanonicalization: c}
	sig, err := s.Sign(bytes.NewReader(msg))
	if err != nil {
		b.Fatal(err)
	}
	return append([]byte(sig), msg...), &Verifier{Resolver: txtZone{"sel._domainkey.example.org": {rec.String()}}.mem(b)}
}

// BenchmarkVerify measures Verify over each corpus. Compare the MB/s of
// its text-*/1MiB lines with BenchmarkSHA256/text/1MiB, which hashes the
// same bytes once: that is the bound a verifier can reach.
// BenchmarkVerifyVsSHA256 prints the ratio itself.
func BenchmarkVerify(b *testing.B) {
	for _, k := range benchKeys(b) {
		for _, c := range benchCorpora() {
			signed, v := benchSigned(b, k.key, c.canon, c.msg)
			got, err := v.Verify(context.Background(), bytes.NewReader(signed))
			if err != nil || len(got) != 1 || got[0].Result != Pass {
				b.Fatalf("setup: %v %+v", err, got)
			}
			b.Run(k.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(signed)))
				for b.Loop() {
					if _, err := v.Verify(context.Background(), bytes.NewReader(signed)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSHA256 hashes the messages of BenchmarkVerify once with
// crypto/sha256: the speed limit of a verifier.
func BenchmarkSHA256(b *testing.B) {
	seen := map[string]bool{}
	for _, c := range benchCorpora() {
		name := strings.Replace(strings.Replace(c.name, "-relaxed", "", 1), "-simple", "", 1)
		if seen[name] {
			continue
		}
		seen[name] = true
		msg := c.msg
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				sha256.Sum256(msg)
			}
		})
	}
}

// BenchmarkBodyCanon measures the body canonicalizers alone, and plain
// SHA-256 for comparison.
func BenchmarkBodyCanon(b *testing.B) {
	for _, body := range []struct {
		name string
		msg  []byte
	}{{"mime", benchMessage(1 << 20)}, {"text", benchText(1 << 20)}, {"prose", proseText(1 << 20)},
		{"prose-lf", bytes.ReplaceAll(proseText(1<<20), []byte("\r\n"), []byte("\n"))}} {
		msg := body.msg
		for _, c := range []Canonicalization{Simple, Relaxed} {
			b.Run(body.name+"/"+string(c), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					bh := newBodyHasher(c, discardHash{}, -1)
					for p := msg; len(p) > 0; {
						n := min(len(p), readChunk)
						bh.Write(p[:n])
						p = p[n:]
					}
					bh.Close()
				}
			})
		}
	}
	msg := benchMessage(1 << 20)
	b.Run("sha256-only", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			sha256.Sum256(msg)
		}
	})
}

type discardHash struct{}

func (discardHash) Write(p []byte) (int, error) { return len(p), nil }
func (discardHash) Sum(b []byte) []byte         { return b }
func (discardHash) Reset()                      {}
func (discardHash) Size() int                   { return 0 }
func (discardHash) BlockSize() int              { return 1 }

// BenchmarkVerifyVsSHA256 runs Verify of the 1 MiB text message and
// crypto/sha256 over the same bytes alternately, and reports Verify's
// speed as a percentage of SHA-256's ("%sha256"), from the fastest run of
// each: alternating, and taking the fastest, keep the ratio meaningful on
// a machine whose load changes during the run. Its ns/op and MB/s count
// both.
func BenchmarkVerifyVsSHA256(b *testing.B) {
	text := proseMessage(1 << 20)
	for _, k := range benchKeys(b) {
		for _, c := range []Canonicalization{Relaxed, Simple} {
			signed, v := benchSigned(b, k.key, c, text)
			b.Run(k.name+"/text-"+string(c)+"/1MiB", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(signed)))
				minVerify, minHash := time.Duration(1<<62), time.Duration(1<<62)
				for b.Loop() {
					t0 := time.Now()
					got, err := v.Verify(context.Background(), bytes.NewReader(signed))
					t1 := time.Now()
					sha256.Sum256(signed)
					minHash = min(minHash, time.Since(t1))
					minVerify = min(minVerify, t1.Sub(t0))
					if err != nil || len(got) != 1 || got[0].Result != Pass {
						b.Fatalf("%v %+v", err, got)
					}
				}
				b.ReportMetric(100*float64(minHash)/float64(minVerify), "%sha256")
			})
		}
	}
}
