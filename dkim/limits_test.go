package dkim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testmem"
)

// TestVerifyRefusesHugeRSAKey: a key beyond MaxRSABits is a permerror
// decided without the RSA operation (counted through verifySignature).
// Before the limit, the 131072-bit key cost about a quarter of a second
// of CPU per signature here.
func TestVerifyRefusesHugeRSAKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		bits   int
		max    int
		result Result
		err    error
	}{
		{"131072 bits, default cap", 131072, 0, PermError, ErrKeyTooLarge},
		{"8200 bits, default cap", 8200, 0, PermError, ErrKeyTooLarge},
		{"8192 bits, default cap", 8192, 0, Fail, ErrSignatureMismatch},
		{"4096 bits, cap 3072", 4096, 3072, PermError, ErrKeyTooLarge},
		{"2048 bits, cap 3072", 2048, 3072, Fail, ErrSignatureMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, res := hugeRSAMessage(t, tc.bits)
			v := &Verifier{Resolver: res.mem(t), MaxRSABits: tc.max}
			var got []Verification
			var err error
			allocated := testmem.Allocated(func() {
				got, err = v.Verify(context.Background(), bytes.NewReader(msg))
			})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, tc.result, got[0].Result, "%v", got[0].Err)
			// ErrSignatureMismatch can only come from the RSA operation,
			// ErrKeyTooLarge only from the size check before it.
			assert.ErrorIs(t, got[0].Err, tc.err)
			if errors.Is(tc.err, ErrKeyTooLarge) {
				// The modular exponentiation with a 131072-bit modulus
				// allocates about 18 MB (BenchmarkVerifyHugeRSAKey before
				// the cap); parsing the record and b= a few hundred KB.
				assert.Less(t, allocated, uint64(4<<20), "bytes allocated refusing a %d-bit key", tc.bits)
			}
		})
	}
}

func TestCheckRSASize(t *testing.T) {
	for _, tc := range []struct {
		bits, min, max int
		err            error
	}{
		{1024, 0, 0, nil},
		{1023, 0, 0, ErrKeyTooSmall},
		{8192, 0, 0, nil},
		{8193, 0, 0, ErrKeyTooLarge},
		{2048, 2048, 2048, nil},
		{4096, 1024, 4095, ErrKeyTooLarge},
		// negative means the default, as 0 does
		{1023, -1, -1, ErrKeyTooSmall},
		{8193, -1, -1, ErrKeyTooLarge},
		{8192, -5, -5, nil},
	} {
		_, res := hugeRSAMessage(t, tc.bits)
		k, err := ParseKeyRecord(res["huge._domainkey.example.org"][0])
		require.NoError(t, err)
		err = k.CheckRSASize(tc.min, tc.max)
		if tc.err == nil {
			assert.NoError(t, err, "%d bits", tc.bits)
		} else {
			assert.ErrorIs(t, err, tc.err, "%d bits", tc.bits)
		}
	}
	ed, err := NewKeyRecord(testKeys(t)[AlgorithmEd25519SHA256].Public())
	require.NoError(t, err)
	assert.NoError(t, ed.CheckRSASize(1<<20, 1))
}

// recordingResolver answers from another Resolver, records each name it
// is asked for, and runs hook (if set) on every lookup.
type recordingResolver struct {
	Resolver
	mu    sync.Mutex
	names []string
	hook  func()
}

func (r *recordingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
	if r.hook != nil {
		r.hook()
	}
	return r.Resolver.LookupTXT(context.Background(), name)
}

func (r *recordingResolver) lookups() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.names...)
}

// signedTwice is testMsg with an rsa-sha256 and an ed25519-sha256
// signature, and the resolver for both keys.
func signedTwice(t *testing.T) (string, Resolver) {
	keys := testKeys(t)
	var signers []*Signer
	for _, alg := range []string{AlgorithmRSASHA256, AlgorithmEd25519SHA256} {
		signers = append(signers, &Signer{Domain: "example.org", Selector: "s-" + alg, Key: keys[alg]})
	}
	sigs, err := SignMulti(strings.NewReader(testMsg), signers...)
	require.NoError(t, err)
	return strings.Join(sigs, "") + testMsg, resolverFor(t, keys, "")
}

// TestVerifyStopsOnCancel: Verify looks at ctx before each key lookup and
// before checking each signature against its key.
func TestVerifyStopsOnCancel(t *testing.T) {
	msg, zone := signedTwice(t)
	got, err := (&Verifier{Resolver: zone}).Verify(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	require.Equal(t, []string{"pass", "pass"}, resultWords(got))

	t.Run("cancelled during the lookups", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The resolver answers correctly but cancels ctx: no signature
		// may be checked afterwards.
		res := &recordingResolver{Resolver: zone, hook: cancel}
		got, err := (&Verifier{Resolver: res}).Verify(ctx, strings.NewReader(msg))
		require.NoError(t, err)
		assert.Equal(t, []string{"temperror", "temperror"}, resultWords(got))
		for _, g := range got {
			assert.ErrorIs(t, g.Err, context.Canceled)
		}
		// A signature checked after the cancel would read pass.
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := &recordingResolver{Resolver: zone}
		got, err := (&Verifier{Resolver: res}).Verify(ctx, strings.NewReader(msg))
		require.NoError(t, err)
		assert.Equal(t, []string{"temperror", "temperror"}, resultWords(got))
		for _, g := range got {
			assert.ErrorIs(t, g.Err, context.Canceled)
		}
		assert.Empty(t, res.lookups(), "lookups with a cancelled context")
	})
}

// headerOnlyReader returns the header block, then fails: a test of "the
// body was never read".
func headerOnlyReader(msg string) io.Reader {
	head, _, _ := strings.Cut(msg, "\r\n\r\n")
	return io.MultiReader(strings.NewReader(head+"\r\n\r\n"), iotest.ErrReader(errors.New("body read")))
}

// TestRefusedAlgorithmFirst: an a= that is refused (rsa-sha1, RFC 8301
// §3.1) or unknown is a permerror found before any key lookup or body
// hash (RFC 6376 §6.1.1 order), even when the body hash is wrong too.
func TestRefusedAlgorithmFirst(t *testing.T) {
	bh := sha256.Sum256([]byte("not this body\r\n"))
	for _, tc := range []struct {
		alg string
		err error
	}{
		{"rsa-sha1", ErrInsecureAlgorithm},
		{"RSA-SHA1", ErrInsecureAlgorithm},
		{"rsa-sha512", ErrUnsupportedAlgorithm},
		{"ed448-sha256", ErrUnsupportedAlgorithm},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			field := "DKIM-Signature: v=1; a=" + tc.alg + "; c=relaxed/relaxed; d=example.org; s=s-rsa-sha256; h=from:to:subject; bh=" +
				base64.StdEncoding.EncodeToString(bh[:]) + "; b=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 256)) + "\r\n"
			_, zone := signedTwice(t)
			res := &recordingResolver{Resolver: zone}
			got, err := (&Verifier{Resolver: res}).Verify(context.Background(), headerOnlyReader(field+testMsg))
			require.NoError(t, err, "the body was read")
			require.Len(t, got, 1)
			assert.Equal(t, PermError, got[0].Result)
			assert.ErrorIs(t, got[0].Err, tc.err)
			assert.Empty(t, res.lookups())
		})
	}
	// Beside a signature that needs the body, the refused one still costs
	// no lookup, and the other verifies.
	msg, zone := signedTwice(t)
	field := "DKIM-Signature: v=1; a=rsa-sha1; d=example.org; s=sha1sel; h=from; bh=" +
		base64.StdEncoding.EncodeToString(bh[:20]) + "; b=AAAA\r\n"
	res := &recordingResolver{Resolver: zone}
	got, err := (&Verifier{Resolver: res}).Verify(context.Background(), strings.NewReader(field+msg))
	require.NoError(t, err)
	assert.Equal(t, []string{"permerror", "pass", "pass"}, resultWords(got))
	assert.ErrorIs(t, got[0].Err, ErrInsecureAlgorithm)
	assert.ElementsMatch(t, []string{"s-rsa-sha256._domainkey.example.org.", "s-ed25519-sha256._domainkey.example.org."}, res.lookups())
}

// headerScanWork reads a header block with one field of size octets, a
// byte at a time, and returns how many bytes readHeader examined for a
// line end.
func headerScanWork(t *testing.T, size int) int {
	msg := "From: a@example.org\r\nX-Long: " + strings.Repeat("x", size) + "\r\n\r\nbody\r\n"
	m, err := readHeader(iotest.OneByteReader(strings.NewReader(msg)), 0)
	require.NoError(t, err)
	defer m.release()
	require.Len(t, m.fields, 2)
	require.Len(t, m.fields[1].raw, size+len("X-Long: \r\n"))
	return m.scanned
}

// TestReadHeaderLinear: a header read in one-byte pieces is scanned once,
// not once per piece (that was quadratic: 500 KB took seconds).
func TestReadHeaderLinear(t *testing.T) {
	for _, size := range []int{1000, 100_000, 500_000} {
		work := headerScanWork(t, size)
		assert.LessOrEqual(t, work, 2*(size+100), "bytes scanned for a %d-octet field", size)
	}
}

// TestVerifyMemoryPerMessage: a verification allocates less than 16 KiB
// on average, whatever the size of the message, read from memory or from
// a plain stream, with either canonicalization.
func TestVerifyMemoryPerMessage(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items: allocation counts mean nothing")
	}
	keys := testKeys(t)
	res := resolverFor(t, keys, "")
	for _, size := range []int{1 << 10, 1 << 20, 8 << 20} {
		msg := proseMessage(size)
		for _, alg := range []string{AlgorithmRSASHA256, AlgorithmEd25519SHA256} {
			for _, c := range []Canonicalization{Relaxed, Simple} {
				s := &Signer{Domain: "example.org", Selector: "s-" + alg, Key: keys[alg], HeaderCanonicalization: c, BodyCanonicalization: c}
				sig, err := s.Sign(bytes.NewReader(msg))
				require.NoError(t, err)
				signed := append([]byte(sig), msg...)
				v := &Verifier{Resolver: res}
				for _, stream := range []bool{false, true} {
					verify := func() {
						var r io.Reader = bytes.NewReader(signed)
						if stream {
							r = struct{ io.Reader }{r}
						}
						got, err := v.Verify(context.Background(), r)
						if err != nil || len(got) != 1 || got[0].Result != Pass {
							t.Fatalf("%v %+v", err, got)
						}
					}
					verify() // warm the pools
					perRun := testmem.PerRun(10, verify)
					assert.Less(t, perRun, uint64(16<<10), "%d octets, %s, %s, stream %v: bytes allocated per Verify", size, alg, c, stream)
				}
			}
		}
	}
}

// The safety caps of Verifier and Signer mean their default at 0 and at
// any negative value alike (issue 17: one meaning for negative limits).
func TestNegativeLimitsMeanDefault(t *testing.T) {
	// Seven unparsable signatures: each evaluated one is a permerror, and
	// only DefaultMaxSignatures of them are evaluated.
	msg := strings.Repeat("DKIM-Signature: v=1; bogus\r\n", DefaultMaxSignatures+2) + testMsg
	bigHeader := "X-Big: " + strings.Repeat("a", DefaultMaxHeaderBytes) + "\r\n" + testMsg
	for _, n := range []int{0, -1, -1 << 31} {
		v := &Verifier{Resolver: txtZone{}.mem(t), MaxSignatures: n, MaxHeaderBytes: n, MinRSABits: n, MaxRSABits: n}
		got, err := v.Verify(context.Background(), strings.NewReader(msg))
		require.NoError(t, err, "limits %d", n)
		assert.Len(t, got, DefaultMaxSignatures, "MaxSignatures %d", n)
		_, err = v.Verify(context.Background(), strings.NewReader(bigHeader))
		assert.ErrorIs(t, err, ErrHeaderTooLarge, "Verifier.MaxHeaderBytes %d", n)

		keys := testKeys(t)
		s := &Signer{Domain: "example.org", Selector: "s", Key: keys[AlgorithmEd25519SHA256], MaxHeaderBytes: n}
		_, err = s.Sign(strings.NewReader(testMsg))
		assert.NoError(t, err, "Signer.MaxHeaderBytes %d", n)
		_, err = s.Sign(strings.NewReader(bigHeader))
		assert.ErrorIs(t, err, ErrHeaderTooLarge, "Signer.MaxHeaderBytes %d", n)
	}
}

// SignMulti reads the header once, up to the largest limit among its
// signers, a signer at 0 (or negative) counting as DefaultMaxHeaderBytes:
// a small limit on one signer does not cut the default of another.
func TestSignMultiHeaderLimit(t *testing.T) {
	keys := testKeys(t)
	msg := "X-Pad: " + strings.Repeat("a", 1000) + "\r\n" + testMsg
	small := &Signer{Domain: "example.org", Selector: "a", Key: keys[AlgorithmEd25519SHA256], MaxHeaderBytes: 100}
	for _, n := range []int{0, -1} {
		def := &Signer{Domain: "example.org", Selector: "b", Key: keys[AlgorithmEd25519SHA256], MaxHeaderBytes: n}
		sigs, err := SignMulti(strings.NewReader(msg), def, small)
		require.NoError(t, err, "limits %d and 100", n)
		assert.Len(t, sigs, 2)
	}
	_, err := SignMulti(strings.NewReader(msg), small)
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
}
