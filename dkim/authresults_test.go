package dkim

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/authres"
)

// AuthResults gives authres.Build one dkim result per signature, and
// "dkim=none" (RFC 8601 §2.7.1) for a message without any.
func TestAuthResults(t *testing.T) {
	sig, res := edSigned(t)
	signed := verifyOne(t, &Verifier{Resolver: res}, sig+testMsg)

	for _, tc := range []struct {
		name  string
		in    []Verification
		words []string // result keyword per method string
	}{
		{"unsigned, nil", nil, []string{"none"}},
		{"unsigned, empty", []Verification{}, []string{"none"}},
		{"one signature", []Verification{signed}, []string{"pass"}},
		{"two", []Verification{signed, {Result: PermError, Err: ErrMissingTag}}, []string{"pass", "permerror"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AuthResults(tc.in)
			h, err := authres.Build("mx.example.net", got...)
			require.NoError(t, err)
			require.Len(t, h.Results, len(tc.words))
			for i, w := range tc.words {
				assert.Equal(t, "dkim", h.Results[i].Method)
				assert.Equal(t, w, h.Results[i].Value)
				if i < len(tc.in) {
					assert.Equal(t, tc.in[i].AuthResult(), got[i])
					assert.Equal(t, got[i], tc.in[i].String(), "String is the method string")
				}
			}
		})
	}
	assert.Equal(t, []string{NoSignature}, AuthResults(nil))
}

// edSigned returns the Ed25519 DKIM-Signature field of testMsg and a
// resolver that publishes its key.
func edSigned(t *testing.T) (string, Resolver) {
	keys := testKeys(t)
	sig, err := (&Signer{Domain: "example.org", Selector: "s-" + AlgorithmEd25519SHA256, Key: keys[AlgorithmEd25519SHA256]}).Sign(strings.NewReader(testMsg))
	require.NoError(t, err)
	return sig, resolverFor(t, keys, "")
}

func TestVerificationString(t *testing.T) {
	sig, res := edSigned(t)
	got := verifyOne(t, &Verifier{Resolver: res}, sig+testMsg)
	s := got.String()
	assert.True(t, strings.HasPrefix(s, "dkim=pass header.d=example.org header.s=s-ed25519-sha256 header.i=@example.org header.a=ed25519-sha256 header.b="), s)
	got = verifyOne(t, &Verifier{Resolver: res}, sig+strings.Replace(testMsg, "Hi", "Ho", 1))
	assert.True(t, strings.HasPrefix(got.String(), "dkim=fail (body hash did not verify"), got.String())
}
