package dkim

import (
	"crypto"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTagListExported(t *testing.T) {
	tags, err := ParseTagList(" i=1 ; a = rsa-sha256;\r\n\tb=ab\r\n cd;")
	require.NoError(t, err)
	assert.Equal(t, []Tag{{"i", "1"}, {"a", "rsa-sha256"}, {"b", "ab\r\n cd"}}, tags)
	_, err = ParseTagList("a=1; a=2")
	assert.Error(t, err)
	_, err = ParseTagList("1a=1")
	assert.Error(t, err)
}

func TestCanonicalizationTag(t *testing.T) {
	h, b, err := ParseCanonicalizationTag("relaxed")
	require.NoError(t, err)
	assert.Equal(t, Relaxed, h)
	assert.Equal(t, Simple, b)
	h, b, err = ParseCanonicalizationTag(" Simple / Relaxed ")
	require.NoError(t, err)
	assert.Equal(t, Simple, h)
	assert.Equal(t, Relaxed, b)
	_, _, err = ParseCanonicalizationTag("relaxed/nowsp")
	assert.ErrorIs(t, err, ErrUnsupportedCanonicalization)
}

func TestCheckAlgorithm(t *testing.T) {
	k, err := ParseKeyRecord("k=ed25519; h=sha256; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	require.NoError(t, err)
	assert.NoError(t, k.CheckAlgorithm("ED25519-SHA256"))
	assert.ErrorIs(t, k.CheckAlgorithm("rsa-sha256"), ErrKeyMismatch)
	revoked, err := ParseKeyRecord("k=rsa; p=")
	require.NoError(t, err)
	assert.ErrorIs(t, revoked.CheckAlgorithm("rsa-sha256"), ErrKeyRevoked)
}

func TestMessageBlocks(t *testing.T) {
	m, err := ReadMessage(strings.NewReader("From: a@example.org\r\nSubject:  Hi \r\n\r\nbody  \r\n\r\n"), 0)
	require.NoError(t, err)
	fields := m.Fields()
	require.Len(t, fields, 2)
	assert.Equal(t, "Subject", string(fields[1].Name))
	assert.Equal(t, "subject:Hi\r\n", string(AppendCanonicalHeader(nil, fields[1].Raw, Relaxed)))
	h1, h2 := sha256.New(), sha256.New()
	m.HashHeaders(h1, []string{"subject", "from"}, Relaxed)
	HashHeaderFields(h2, fields, []string{"subject", "from"}, Relaxed)
	assert.Equal(t, h1.Sum(nil), h2.Sum(nil))
	bh := NewBodyHasher(Relaxed, sha256.New(), -1)
	require.NoError(t, m.Body(bh))
	sum := sha256.Sum256([]byte("body\r\n"))
	assert.Equal(t, sum[:], bh.Sum())
	assert.Equal(t, int64(6), bh.Len())
	m.Close()
	assert.Error(t, m.Body(bh))
	m.Close()
}

func TestSignVerifyDigest(t *testing.T) {
	key, err := GenerateKey(KeyTypeEd25519, 0)
	require.NoError(t, err)
	d := sha256.Sum256([]byte("x"))
	sig, alg, err := SignDigest(key, d[:])
	require.NoError(t, err)
	assert.Equal(t, AlgorithmEd25519SHA256, alg)
	assert.True(t, VerifyDigest(key.Public(), d[:], sig))
	sig[0] ^= 1
	assert.False(t, VerifyDigest(key.Public(), d[:], sig))
	_, _, err = SignDigest(badSigner{}, d[:])
	assert.True(t, errors.Is(err, ErrUnsupportedKey))
}

// badSigner is a crypto.Signer with a key type DKIM does not know.
type badSigner struct{}

func (badSigner) Public() crypto.PublicKey { return "not a key" }
func (badSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("no")
}

// TestCheckDomainSelector: the d= and s= syntax ARC shares with DKIM
// (RFC 6376 §3.1, §3.5).
func TestCheckDomainSelector(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool // valid as a d= and as an s= value
	}{
		{"example.org", true},
		{"Mail.Example.ORG", true},
		{"_dmarc-x.ex_ample.org", true},
		{"xn--bcher-kva.example", true},
		{"bücher.example", true},
		{"", false},
		{"a..example", false},
		{".example", false},
		{"exa mple.org", false},
		{"a/b.example", false},
		{strings.Repeat("a", 63) + ".example", true},
		{strings.Repeat("a", 64) + ".example", false},
		{strings.Repeat("a.", 127) + "ab", false},
	} {
		assert.Equal(t, c.ok, CheckDomain(c.name) == nil, "CheckDomain(%q)", c.name)
		assert.Equal(t, c.ok, CheckSelector(c.name) == nil, "CheckSelector(%q)", c.name)
	}
}
