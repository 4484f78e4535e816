package dkim

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
