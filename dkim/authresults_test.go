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
	keys := testKeys(t)
	res := resolverFor(t, keys, "")
	sig, err := (&Signer{Domain: "example.org", Selector: "s-" + AlgorithmEd25519SHA256, Key: keys[AlgorithmEd25519SHA256]}).Sign(strings.NewReader(testMsg))
	require.NoError(t, err)
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
