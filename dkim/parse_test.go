package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sigBase = "v=1; a=rsa-sha256; d=example.org; s=sel; h=from:to; bh=MTIz; b=YWJj"

func TestParseSignature(t *testing.T) {
	ok := []struct {
		name, in string
		check    func(t *testing.T, s *Signature)
	}{
		{"minimal", sigBase, func(t *testing.T, s *Signature) {
			assert.Equal(t, Simple, s.HeaderCanonicalization)
			assert.Equal(t, Simple, s.BodyCanonicalization)
			assert.Equal(t, "@example.org", s.Identity)
			assert.Equal(t, int64(-1), s.BodyLength)
			assert.Equal(t, []byte("123"), s.BodyHash)
			assert.Equal(t, []byte("abc"), s.Value)
		}},
		{"with field name", "DKIM-Signature: " + sigBase, nil},
		{"folding and whitespace", "v = 1 ;\r\n\ta=rsa-sha256;  d=example.org;\r\n s=sel;\th = from :\r\n\tto ; bh=MT\r\n\tIz; b = YW Jj ;", func(t *testing.T, s *Signature) {
			assert.Equal(t, []string{"from", "to"}, s.Headers)
			assert.Equal(t, []byte("abc"), s.Value)
		}},
		{"upper-case values", "v=1; a=RSA-SHA256; c=Relaxed/SIMPLE; d=Example.ORG; s=sel; h=FROM:To; q=DNS/TXT; bh=MTIz; b=YWJj", func(t *testing.T, s *Signature) {
			assert.Equal(t, AlgorithmRSASHA256, s.Algorithm)
			assert.Equal(t, Relaxed, s.HeaderCanonicalization)
			assert.Equal(t, "example.org", s.Domain)
		}},
		{"c= header only", sigBase + "; c=relaxed", func(t *testing.T, s *Signature) {
			assert.Equal(t, Relaxed, s.HeaderCanonicalization)
			assert.Equal(t, Simple, s.BodyCanonicalization)
		}},
		{"all optional tags", sigBase + "; c=relaxed/relaxed; i=alice@mail.example.org; l=120; q=dns/txt; t=1700000000; x=1700003600; z=From:a|To:b", func(t *testing.T, s *Signature) {
			assert.Equal(t, "alice@mail.example.org", s.Identity)
			assert.Equal(t, int64(120), s.BodyLength)
			assert.Equal(t, int64(1700000000), s.Timestamp.Unix())
			assert.Equal(t, int64(1700003600), s.Expiration.Unix())
		}},
		{"quoted-printable i=", sigBase + "; i=jlong=40example.org", func(t *testing.T, s *Signature) {
			assert.Equal(t, "jlong@example.org", s.Identity)
		}},
		{"unknown tag ignored", sigBase + "; foo=bar", nil},
		{"empty h entries dropped", strings.Replace(sigBase, "h=from:to", "h=from::to:", 1), func(t *testing.T, s *Signature) {
			assert.Equal(t, []string{"from", "to"}, s.Headers)
		}},
		{"trailing semicolon", sigBase + ";", nil},
		{"ed25519", strings.Replace(sigBase, "rsa-sha256", "ed25519-sha256", 1), nil},
		{"rsa-sha1 parses", strings.Replace(sigBase, "rsa-sha256", "rsa-sha1", 1), nil},
		{"unpadded base64", strings.Replace(sigBase, "b=YWJj", "b=YWI", 1), func(t *testing.T, s *Signature) {
			assert.Equal(t, []byte("ab"), s.Value)
		}},
		{"huge l= saturates", sigBase + "; l=99999999999999999999999", nil},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSignature(tc.in)
			require.NoError(t, err)
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
	bad := []struct {
		name, in string
		err      error
	}{
		{"empty", "", ErrMissingTag},
		{"no v", strings.Replace(sigBase, "v=1; ", "", 1), ErrMissingTag},
		{"v=2", strings.Replace(sigBase, "v=1", "v=2", 1), ErrUnsupportedVersion},
		{"no b", strings.Replace(sigBase, "; b=YWJj", "", 1), ErrMissingTag},
		{"no bh", strings.Replace(sigBase, "bh=MTIz; ", "", 1), ErrMissingTag},
		{"no d", strings.Replace(sigBase, "d=example.org; ", "", 1), ErrMissingTag},
		{"no s", strings.Replace(sigBase, "s=sel; ", "", 1), ErrMissingTag},
		{"no h", strings.Replace(sigBase, "h=from:to; ", "", 1), ErrMissingTag},
		{"duplicate tag", sigBase + "; d=example.com", ErrMalformedSignature},
		{"tag without =", sigBase + "; oops", ErrMalformedSignature},
		{"bad tag name", sigBase + "; 1x=2", ErrMalformedSignature},
		{"unknown algorithm", strings.Replace(sigBase, "rsa-sha256", "rsa-md5", 1), ErrUnsupportedAlgorithm},
		{"unknown canonicalization", sigBase + "; c=foobar", ErrUnsupportedCanonicalization},
		{"From not signed", strings.Replace(sigBase, "h=from:to", "h=to:subject", 1), ErrFromNotSigned},
		{"bad h entry", strings.Replace(sigBase, "h=from:to", "h=from:t o", 1), ErrMalformedSignature},
		{"only empty h entries", strings.Replace(sigBase, "h=from:to", "h=::", 1), ErrFromNotSigned},
		{"i outside d", sigBase + "; i=a@example.com", ErrIdentityMismatch},
		{"i suffix trick", sigBase + "; i=a@badexample.org", ErrIdentityMismatch},
		{"i without @", sigBase + "; i=example.org", ErrMalformedSignature},
		{"bad l", sigBase + "; l=12a", ErrMalformedSignature},
		{"negative l", sigBase + "; l=-1", ErrMalformedSignature},
		{"q http", sigBase + "; q=http", ErrUnsupportedQueryMethod},
		{"x before t", sigBase + "; t=200; x=100", ErrExpired},
		{"t too long", sigBase + "; t=1234567890123", ErrMalformedSignature},
		{"bad base64", strings.Replace(sigBase, "b=YWJj", "b=!!!", 1), ErrMalformedSignature},
		{"empty b", strings.Replace(sigBase, "b=YWJj", "b=", 1), ErrMalformedSignature},
		{"bad domain", strings.Replace(sigBase, "d=example.org", "d=exa mple..org", 1), ErrMalformedSignature},
		{"control char", sigBase + "; z=a\x00b", ErrMalformedSignature},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSignature(tc.in)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, tc.err)
		})
	}
}

func TestStripBValue(t *testing.T) {
	for in, want := range map[string]string{
		"DKIM-Signature: a=1; b=abc; bh=x\r\n":        "DKIM-Signature: a=1; b=; bh=x\r\n",
		"DKIM-Signature: a=1; bh=x; b=ab\r\n\tcd\r\n": "DKIM-Signature: a=1; bh=x; b=\r\n",
		"DKIM-Signature: b = ab cd ;a=1\r\n":          "DKIM-Signature: b =;a=1\r\n",
		"DKIM-Signature: bh=x; a=1\r\n":               "DKIM-Signature: bh=x; a=1\r\n",
	} {
		assert.Equal(t, want, string(stripBValue([]byte(in))), in)
	}
}

func TestParseKeyRecord(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join("testdata", "keys", "rfc8463-ed25519.seed"))
	require.NoError(t, err)
	edKey, err := ParsePrivateKey(seed)
	require.NoError(t, err)
	edPub := base64.StdEncoding.EncodeToString(edKey.Public().(ed25519.PublicKey))
	assert.Equal(t, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", edPub, "RFC 8463 A.2 public key")
	rsaKey := testKeys(t)[AlgorithmRSASHA256]
	rsaRec, err := NewKeyRecord(rsaKey.Public())
	require.NoError(t, err)
	rsaP := strings.TrimPrefix(rsaRec.String(), "v=DKIM1; k=rsa; p=")

	k, err := ParseKeyRecord("v=DKIM1; k=ed25519; p=" + edPub)
	require.NoError(t, err)
	assert.Equal(t, KeyTypeEd25519, k.KeyType)
	assert.Equal(t, "v=DKIM1; k=ed25519; p="+edPub, k.String())

	k, err = ParseKeyRecord(" k = rsa ; t = y : s : z ; h = SHA1 : sha256 ; s = email : * ; n = hi there ; x1 = y ; p = " +
		rsaP[:40] + " \r\n\t" + rsaP[40:] + " ;")
	require.NoError(t, err)
	assert.True(t, k.Testing())
	assert.True(t, k.Strict())
	assert.Equal(t, []string{"sha1", "sha256"}, k.HashAlgorithms)
	assert.Equal(t, []string{"email", "*"}, k.Services)
	assert.Equal(t, rsaKey.Public().(*rsa.PublicKey).N, k.PublicKey.(*rsa.PublicKey).N)

	k, err = ParseKeyRecord("v=DKIM1; p=")
	require.NoError(t, err)
	assert.True(t, k.Revoked())

	for name, in := range map[string]string{
		"no p":            "v=DKIM1; k=rsa",
		"bad v":           "v=DKIM2; p=" + edPub,
		"duplicate":       "k=rsa; k=rsa; p=" + rsaP,
		"syntax":          "v=DKIM1; t; p=" + rsaP,
		"unknown k":       "k=dsa; p=" + rsaP,
		"ed25519 size":    "k=ed25519; p=" + rsaP,
		"rsa not a key":   "k=rsa; p=" + edPub,
		"not base64":      "p=@@@@",
		"spki of ed25519": "k=rsa; p=MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
	} {
		_, err := ParseKeyRecord(in)
		assert.ErrorIs(t, err, ErrMalformedKey, name)
	}
}

func TestKeyRecordTXT(t *testing.T) {
	key, err := GenerateKey(KeyTypeRSA, 4096)
	require.NoError(t, err)
	rec, err := NewKeyRecord(key)
	require.NoError(t, err)
	parts := rec.TXT()
	require.Greater(t, len(parts), 2)
	for _, p := range parts {
		assert.LessOrEqual(t, len(p), 255)
	}
	back, err := ParseKeyRecord(strings.Join(parts, ""))
	require.NoError(t, err)
	assert.Equal(t, rec.String(), back.String())
	zt := rec.ZoneText("big", "example.org.")
	assert.True(t, strings.HasPrefix(zt, `big._domainkey.example.org. 3600 IN TXT "v=DKIM1; k=rsa; p=`), zt)
	assert.Equal(t, []string{""}, SplitTXT(""))
}

func TestParsePrivateKey(t *testing.T) {
	for _, f := range []struct {
		file string
		want any
	}{
		{"interop-rsa2048.pem", &rsa.PrivateKey{}},            // PKCS#8 RSA
		{"rfc8463-test-rsa1024.pem", &rsa.PrivateKey{}},       // PKCS#1
		{"interop-ed25519.pem", ed25519.PrivateKey{}},         // PKCS#8 Ed25519
		{"interop-ed25519-dkimpy.seed", ed25519.PrivateKey{}}, // bare seed
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "keys", f.file))
		require.NoError(t, err)
		k, err := ParsePrivateKey(data)
		require.NoError(t, err, f.file)
		assert.IsType(t, f.want, k, f.file)
		out, err := MarshalPrivateKey(k)
		require.NoError(t, err)
		back, err := ParsePrivateKey(out)
		require.NoError(t, err)
		assert.True(t, back.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()))
	}
	for _, bad := range []string{"", "garbage", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		_, err := ParsePrivateKey([]byte(bad))
		assert.ErrorIs(t, err, ErrUnsupportedKey)
	}
	ed, err := GenerateKey(KeyTypeEd25519, 0)
	require.NoError(t, err)
	assert.IsType(t, ed25519.PrivateKey{}, ed)
	_, err = GenerateKey(KeyTypeRSA, 512)
	assert.ErrorIs(t, err, ErrKeyTooSmall)
	_, err = GenerateKey("dsa", 0)
	assert.ErrorIs(t, err, ErrUnsupportedKey)
}
