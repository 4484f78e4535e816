package dkim

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testmem"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	keys := testKeys(t)
	res := resolverFor(t, keys, "")
	now := time.Unix(1_800_000_000, 0)
	for alg, key := range keys {
		for _, hc := range []Canonicalization{Simple, Relaxed} {
			for _, bc := range []Canonicalization{Simple, Relaxed} {
				for _, opt := range []struct {
					name string
					set  func(*Signer)
					tags []string
				}{
					{"default", func(*Signer) {}, []string{"t="}},
					{"identity", func(s *Signer) { s.Identity = "alice@mail.example.org" }, []string{"i=alice@mail.example.org"}},
					{"expiration", func(s *Signer) { s.Expiration = time.Hour }, []string{"x=1800003600"}},
					{"body-length", func(s *Signer) { s.BodyLength = true }, []string{"l="}},
					{"oversign", func(s *Signer) { s.Oversign = true }, []string{"subject:subject"}},
					{"headers", func(s *Signer) { s.Headers = []string{"Subject", "To"} }, []string{"h=from:from:subject:to;"}},
				} {
					t.Run(alg+"/"+string(hc)+"-"+string(bc)+"/"+opt.name, func(t *testing.T) {
						s := &Signer{Domain: "Example.org", Selector: "s-" + alg, Key: key,
							HeaderCanonicalization: hc, BodyCanonicalization: bc, Now: func() time.Time { return now }}
						opt.set(s)
						sig, err := s.Sign(strings.NewReader(testMsg))
						require.NoError(t, err)
						require.True(t, strings.HasPrefix(sig, "DKIM-Signature: v=1; a="+alg+"; c="+string(hc)+"/"+string(bc)+"; d=example.org;"), sig)
						require.True(t, strings.HasSuffix(sig, "\r\n"))
						for _, line := range strings.Split(strings.TrimSuffix(sig, "\r\n"), "\r\n") {
							assert.LessOrEqual(t, len(line), 78, "folded line too long")
						}
						unfolded := strings.NewReplacer("\r\n\t", "", "\r\n", "", "; ", ";", ";", "; ").Replace(sig)
						for _, tag := range opt.tags {
							assert.Contains(t, unfolded, tag)
						}
						v := &Verifier{Resolver: res, Now: func() time.Time { return now }}
						got := verifyOne(t, v, sig+testMsg)
						assert.Equal(t, Pass, got.Result, "%v", got.Err)
						assert.Equal(t, "example.org", got.Domain)
						assert.Equal(t, alg, got.Algorithm)
						// The same message with bare LF line ends verifies too.
						lf := strings.ReplaceAll(sig+testMsg, "\r\n", "\n")
						assert.Equal(t, Pass, verifyOne(t, v, lf).Result)
						// And signing the bare-LF form gives the same body hash.
						sig2, err := s.Sign(strings.NewReader(strings.ReplaceAll(testMsg, "\r\n", "\n")))
						require.NoError(t, err)
						assert.Equal(t, Pass, verifyOne(t, v, sig2+testMsg).Result)
					})
				}
			}
		}
	}
}

func TestSignMultiOnePass(t *testing.T) {
	keys := testKeys(t)
	res := resolverFor(t, keys, "")
	var signers []*Signer
	for _, alg := range []string{AlgorithmRSASHA256, AlgorithmEd25519SHA256} {
		signers = append(signers, &Signer{Domain: "example.org", Selector: "s-" + alg, Key: keys[alg]})
	}
	r := &onceReader{r: strings.NewReader(testMsg)}
	sigs, err := SignMulti(r, signers...)
	require.NoError(t, err)
	require.Len(t, sigs, 2)
	got, err := (&Verifier{Resolver: res}).Verify(context.Background(), strings.NewReader(sigs[0]+sigs[1]+testMsg))
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i, alg := range []string{AlgorithmRSASHA256, AlgorithmEd25519SHA256} {
		assert.Equal(t, Pass, got[i].Result, "%v", got[i].Err)
		assert.Equal(t, alg, got[i].Algorithm)
	}
}

// onceReader fails when read again after it reported EOF.
type onceReader struct {
	r   io.Reader
	eof bool
}

func (o *onceReader) Read(p []byte) (int, error) {
	if o.eof {
		return 0, errors.New("read after EOF")
	}
	n, err := o.r.Read(p)
	if err == io.EOF {
		o.eof = true
	}
	return n, err
}

func TestTamperingDistinguished(t *testing.T) {
	keys := testKeys(t)
	res := resolverFor(t, keys, "")
	for alg, key := range keys {
		s := &Signer{Domain: "example.org", Selector: "s-" + alg, Key: key}
		sig, err := s.Sign(strings.NewReader(testMsg))
		require.NoError(t, err)
		v := &Verifier{Resolver: res}
		for _, tc := range []struct {
			name   string
			msg    string
			result Result
			err    error
		}{
			{"intact", sig + testMsg, Pass, nil},
			{"body changed", sig + strings.Replace(testMsg, "see you", "see ya", 1), Fail, ErrBodyHashMismatch},
			{"header changed", sig + strings.Replace(testMsg, "Subject: hello", "Subject: hellO", 1), Fail, ErrSignatureMismatch},
			{"whitespace only (relaxed)", sig + strings.Replace(testMsg, "Subject: hello", "Subject:   hello ", 1), Pass, nil},
			{"From added on top (oversigned)", "From: mallory@example.com\r\n" + sig + testMsg, Fail, ErrSignatureMismatch},
			{"Subject added below", sig + strings.Replace(testMsg, "\r\n\r\n", "\r\nSubject: evil\r\n\r\n", 1), Fail, ErrSignatureMismatch},
			{"unsigned header added", sig + "X-Spam: no\r\n" + testMsg, Pass, nil},
		} {
			t.Run(alg+"/"+tc.name, func(t *testing.T) {
				assertVerdict(t, verifyOne(t, v, tc.msg), tc.result, tc.err)
			})
		}
	}
}

func TestVerifyKeyAndPolicyOutcomes(t *testing.T) {
	keys := testKeys(t)
	key := keys[AlgorithmRSASHA256]
	now := time.Unix(1_800_000_000, 0)
	sign := func(s Signer) string {
		s.Domain, s.Selector, s.Key = "example.org", "s-"+AlgorithmRSASHA256, key
		s.Now = func() time.Time { return now }
		sig, err := s.Sign(strings.NewReader(testMsg))
		require.NoError(t, err)
		return sig + testMsg
	}
	rec, err := NewKeyRecord(key.Public())
	require.NoError(t, err)
	name := "s-" + AlgorithmRSASHA256 + "._domainkey.example.org"
	with := func(txt ...string) Resolver { return txtZone{name: txt}.mem(t) }
	small, err := os.ReadFile(filepath.Join("testdata", "keys", "rfc8463-test-rsa1024.pem"))
	require.NoError(t, err)
	smallKey, err := ParsePrivateKey(small)
	require.NoError(t, err)
	smallRec, err := NewKeyRecord(smallKey.Public())
	require.NoError(t, err)
	smallSig, err := (&Signer{Domain: "example.org", Selector: "s-" + AlgorithmRSASHA256, Key: smallKey}).Sign(strings.NewReader(testMsg))
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		v       Verifier
		msg     string
		result  Result
		err     error
		testing bool
	}{
		{"t=y testing", Verifier{Resolver: with("t=y; " + rec.String())}, sign(Signer{}), Pass, nil, true},
		{"t=s with i= at d=", Verifier{Resolver: with("t=s; " + rec.String())}, sign(Signer{Identity: "a@example.org"}), Pass, nil, false},
		{"t=s with i= subdomain", Verifier{Resolver: with("t=s; " + rec.String())}, sign(Signer{Identity: "a@sub.example.org"}), PermError, ErrStrictIdentity, false},
		{"revoked", Verifier{Resolver: with("v=DKIM1; p=")}, sign(Signer{}), PermError, ErrKeyRevoked, false},
		{"no key", Verifier{Resolver: txtZone{}.mem(t)}, sign(Signer{}), PermError, ErrKeyNotFound, false},
		{"servfail", Verifier{Resolver: with("SERVFAIL")}, sign(Signer{}), TempError, ErrTemporary, false},
		{"timeout", Verifier{Resolver: with("TIMEOUT")}, sign(Signer{}), TempError, ErrTemporary, false},
		{"garbage record", Verifier{Resolver: with("hello world")}, sign(Signer{}), PermError, ErrMalformedKey, false},
		{"second record parses", Verifier{Resolver: with("v=spf1 -all", rec.String())}, sign(Signer{}), Pass, nil, false},
		{"expired", Verifier{Resolver: with(rec.String()), Now: func() time.Time { return now.Add(2 * time.Hour) }},
			sign(Signer{Expiration: time.Hour}), PermError, ErrExpired, false},
		{"not yet expired", Verifier{Resolver: with(rec.String()), Now: func() time.Time { return now.Add(30 * time.Minute) }},
			sign(Signer{Expiration: time.Hour}), Pass, nil, false},
		{"1024-bit key accepted", Verifier{Resolver: with(smallRec.String())}, smallSig + testMsg, Pass, nil, false},
		{"1024-bit key under MinRSABits 2048", Verifier{Resolver: with(smallRec.String()), MinRSABits: 2048}, smallSig + testMsg, PermError, ErrKeyTooSmall, false},
		{"wrong key", Verifier{Resolver: with(smallRec.String())}, sign(Signer{}), Fail, ErrSignatureMismatch, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := verifyOne(t, &tc.v, tc.msg)
			assertVerdict(t, got, tc.result, tc.err)
			assert.Equal(t, tc.testing, got.Testing)
		})
	}
}

func TestBodyLengthTag(t *testing.T) {
	key := testKeys(t)[AlgorithmEd25519SHA256]
	res := resolverFor(t, map[string]crypto.Signer{AlgorithmEd25519SHA256: key}, "")
	s := &Signer{Domain: "example.org", Selector: "s-" + AlgorithmEd25519SHA256, Key: key, BodyLength: true}
	sig, err := s.Sign(strings.NewReader(testMsg))
	require.NoError(t, err)
	v := &Verifier{Resolver: res}

	got := verifyOne(t, v, sig+testMsg)
	assert.Equal(t, Pass, got.Result)
	assert.Equal(t, int64(len("Hi Bob,\r\n\r\nsee you.\r\n")), got.BodyLength)
	assert.Zero(t, got.UnsignedBodyBytes)

	got = verifyOne(t, v, sig+testMsg+"-- \r\nappended footer\r\n")
	assert.Equal(t, Pass, got.Result, "content after l= is not covered")
	// canonical (relaxed) octets: the trailing SP of "-- " is dropped
	assert.Equal(t, int64(len("--\r\nappended footer\r\n")), got.UnsignedBodyBytes)

	got = verifyOne(t, v, sig+strings.TrimSuffix(testMsg, "see you.\r\n"))
	assert.Equal(t, Fail, got.Result)
	assert.ErrorIs(t, got.Err, ErrBodyTooShort)
}

func TestMaxSignatures(t *testing.T) {
	var v vector
	for _, x := range loadManifest(t) {
		if x.ID == "gomsgauth-three-identical-signatures" {
			v = x
		}
	}
	require.NotEmpty(t, v.ID)
	msg, res := v.message(t), v.zone(t).mem(t)
	for _, tc := range []struct{ max, want int }{{0, 3}, {1, 1}, {2, 2}, {5, 3}} {
		got, err := (&Verifier{Resolver: res, MaxSignatures: tc.max}).Verify(context.Background(), bytes.NewReader(msg))
		require.NoError(t, err)
		require.Len(t, got, tc.want, "MaxSignatures %d", tc.max)
		for _, g := range got {
			assert.Equal(t, Pass, g.Result)
		}
	}
}

func TestVerifyUnsignedAndLimits(t *testing.T) {
	got, err := (&Verifier{Resolver: txtZone{}.mem(t)}).Verify(context.Background(), strings.NewReader(testMsg))
	require.NoError(t, err)
	assert.Empty(t, got)

	big := "From: a@example.org\r\nX-Big: " + strings.Repeat("x", 4000) + "\r\n\r\nbody\r\n"
	_, err = (&Verifier{MaxHeaderBytes: 1000}).Verify(context.Background(), strings.NewReader(big))
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	_, err = (&Signer{Domain: "example.org", Selector: "s", Key: testKeys(t)[AlgorithmEd25519SHA256], MaxHeaderBytes: 1000}).Sign(strings.NewReader(big))
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	// A header block larger than the read buffer is fine under the limit.
	huge := "From: a@example.org\r\nX-Big: " + strings.Repeat("y", 3*readChunk) + "\r\n\r\nbody\r\n"
	_, err = (&Verifier{}).Verify(context.Background(), strings.NewReader(huge))
	assert.NoError(t, err)

	_, err = (&Signer{Domain: "example.org", Selector: "s", Key: testKeys(t)[AlgorithmEd25519SHA256]}).Sign(strings.NewReader("To: b@example.net\r\n\r\nx\r\n"))
	assert.ErrorIs(t, err, ErrNoFrom)
	_, err = (&Signer{Domain: "example.org", Selector: "s"}).Sign(strings.NewReader(testMsg))
	assert.ErrorIs(t, err, ErrInvalidSigner)
	_, err = (&Signer{Domain: "example.org", Selector: "s", Key: testKeys(t)[AlgorithmEd25519SHA256], Identity: "a@example.com"}).Sign(strings.NewReader(testMsg))
	assert.ErrorIs(t, err, ErrInvalidSigner)
}

// TestVerifyMemoryConstant streams a 64 MiB message through Verify and
// checks the allocation total stays far below the message size.
func TestVerifyMemoryConstant(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	key := testKeys(t)[AlgorithmEd25519SHA256]
	res := resolverFor(t, map[string]crypto.Signer{AlgorithmEd25519SHA256: key}, "")
	const size = 64 << 20
	body := func() io.Reader {
		return &repeatReader{line: []byte("streaming body line with some words  \r\n"), left: size}
	}
	s := &Signer{Domain: "example.org", Selector: "s-" + AlgorithmEd25519SHA256, Key: key}
	head := "From: a@example.org\r\nSubject: big\r\n\r\n"
	sig, err := s.Sign(io.MultiReader(strings.NewReader(head), body()))
	require.NoError(t, err)
	var got []Verification
	allocated := testmem.Allocated(func() {
		got, err = (&Verifier{Resolver: res}).Verify(context.Background(), io.MultiReader(strings.NewReader(sig+head), body()))
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, Pass, got[0].Result, "%v", got[0].Err)
	assert.Less(t, allocated, uint64(1<<20), "allocated bytes for a 64 MiB message")
}

// repeatReader yields line repeatedly, left octets in total.
type repeatReader struct {
	line []byte
	off  int
	left int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		k := copy(p[n:min(len(p), n+r.left)], r.line[r.off:])
		r.off = (r.off + k) % len(r.line)
		n += k
		r.left -= k
	}
	return n, nil
}
