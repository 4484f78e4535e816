package arc

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handSeal builds a first ARC set by hand, with an AMS whose tags are
// given (its b= and bh= filled in), canonicalized with hc/bc, so that tests
// can make sets Sealer never writes.
func handSeal(t *testing.T, key crypto.Signer, domain, sel, msg string, amsTags []string, hc, bc dkim.Canonicalization) string {
	t.Helper()
	m, err := dkim.ReadMessage(strings.NewReader(msg), 0)
	require.NoError(t, err)
	defer m.Close()
	aar := "ARC-Authentication-Results: i=1; " + domain + "; none\r\n"
	fields := append([]dkim.HeaderField{{Name: []byte(AuthenticationResultsField), Raw: []byte(aar)}}, m.Fields()...)
	hh := sha256.New()
	dkim.HashHeaderFields(hh, fields, []string{"from", "to", "subject"}, hc)
	body := dkim.NewBodyHasher(bc, sha256.New(), -1)
	require.NoError(t, m.Body(body))
	// b= holds a placeholder of the signature's length while hashing, so
	// that the folding (which simple canonicalization sees) does not move.
	placeholder := "b=" + strings.Repeat("A", base64.StdEncoding.EncodedLen(key.Public().(interface{ Size() int }).Size()))
	tags := append([]string{"a=" + dkim.AlgorithmRSASHA256, placeholder, "bh=" + base64.StdEncoding.EncodeToString(body.Sum()),
		"d=" + domain, "h=from:to:subject", "i=1", "s=" + sel}, amsTags...)
	dkim.HashSignatureField(hh, []byte(formatTags(MessageSignatureField, tags)), hc)
	sig, _, err := dkim.SignDigest(key, hh.Sum(nil))
	require.NoError(t, err)
	tags[1] = "b=" + base64.StdEncoding.EncodeToString(sig)
	ams := formatTags(MessageSignatureField, tags)
	sh := sha256.New()
	sh.Write(dkim.AppendCanonicalHeader(nil, []byte(aar), dkim.Relaxed))
	sh.Write(dkim.AppendCanonicalHeader(nil, []byte(ams), dkim.Relaxed))
	as := []string{"a=rsa-sha256", "b=", "cv=none", "d=" + domain, "i=1", "s=" + sel}
	dkim.HashSignatureField(sh, []byte(formatTags(SealField, as)), dkim.Relaxed)
	sig, _, err = dkim.SignDigest(key, sh.Sum(nil))
	require.NoError(t, err)
	as[1] = "b=" + base64.StdEncoding.EncodeToString(sig)
	return formatTags(SealField, as) + ams + aar
}

// An AMS without c= verifies whether it was made simple/simple (DKIM's
// default, RFC 6376 §3.5) or relaxed/relaxed (the ARC drafts' default, as
// the suite's ams_fields_c_na expects); with c= only the named one counts.
func TestAMSDefaultCanonicalization(t *testing.T) {
	w := newWorld(t)
	// Extra white space, so that simple and relaxed differ.
	msg := strings.Replace(baseMessage, "Subject: hello", "Subject:   hello  ", 1) + "trailing  \r\n\r\n"
	for _, c := range []struct {
		name   string
		tags   []string
		hc, bc dkim.Canonicalization
		want   Status
	}{
		{"no c=, simple", nil, dkim.Simple, dkim.Simple, Pass},
		{"no c=, relaxed", nil, dkim.Relaxed, dkim.Relaxed, Pass},
		{"no c=, relaxed/simple", nil, dkim.Relaxed, dkim.Simple, Fail},
		{"c=simple/simple, made relaxed", []string{"c=simple/simple"}, dkim.Relaxed, dkim.Relaxed, Fail},
		{"c=relaxed, made relaxed/simple", []string{"c=relaxed"}, dkim.Relaxed, dkim.Simple, Pass},
	} {
		set := handSeal(t, rsaKey, "lists.example.org", "arc", msg, c.tags, c.hc, c.bc)
		res, err := (&Verifier{Resolver: w.dns}).Verify(context.Background(), strings.NewReader(set+msg))
		require.NoError(t, err)
		assert.Equal(t, c.want, res.Status, "%s: %v", c.name, res.Err)
	}
}
