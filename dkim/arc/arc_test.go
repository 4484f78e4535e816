package arc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailsmith/mailsmith/authres"
	"github.com/mailsmith/mailsmith/dkim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChainOfThree(t *testing.T) {
	w := newWorld(t)
	msg := baseMessage
	assert.Equal(t, None, w.verify(t, msg).Status)

	msg = w.seal(t, "lists.example.org", msg)
	res := w.verify(t, msg)
	require.Equal(t, Pass, res.Status, "%v", res.Err)
	assert.Equal(t, 1, res.Sets)
	assert.Equal(t, 1, res.OldestPass)

	// The list adds a footer and a subject tag, the forwarder seals.
	msg = w.seal(t, "fwd.example.net", msg, addFooter, tagSubject)
	res = w.verify(t, msg)
	require.Equal(t, Pass, res.Status, "%v", res.Err)
	assert.Equal(t, 2, res.Sets)
	assert.Equal(t, 2, res.OldestPass, "AMS i=1 no longer verifies")
	assert.ErrorIs(t, res.Instances[0].MessageSignatureErr, dkim.ErrBodyHashMismatch)
	assert.Equal(t, "arc=pass (i=2 d=fwd.example.net) header.oldest-pass=2", res.AuthResult())

	msg = w.seal(t, "relay.example.com", msg)
	res = w.verify(t, msg)
	require.Equal(t, Pass, res.Status, "%v", res.Err)
	assert.Equal(t, 3, res.Sets)
	assert.Equal(t, 2, res.OldestPass)
	for i, s := range res.Instances {
		assert.True(t, s.SealVerified, "seal %d", i+1)
		assert.Equal(t, i+1, s.Instance)
	}
	assert.Equal(t, Pass, res.Instances[2].Seal.ChainStatus)
	assert.Equal(t, None, res.Instances[0].Seal.ChainStatus)
	assert.Equal(t, dkim.AlgorithmEd25519SHA256, res.Instances[1].Seal.Algorithm)

	// What the forwarder saw, for a receiver that trusts it (§7.2).
	set, ok := res.SealedBy("FWD.example.net.")
	require.True(t, ok)
	assert.Equal(t, 2, set.Instance)
	ar, err := set.Results()
	require.NoError(t, err)
	assert.Equal(t, "fwd.example.net", ar.AuthServID)
	require.Len(t, ar.Results, 2)
	assert.Equal(t, "arc", ar.Results[0].Method)
	assert.Equal(t, "pass", ar.Results[0].Value)
	_, ok = res.SealedBy("nobody.example")
	assert.False(t, ok)

	// Changing the message after the newest seal breaks the chain.
	res = w.verify(t, addFooter(msg))
	assertFail(t, res, false, ErrMessageSignature, dkim.ErrBodyHashMismatch)
}

func TestAuthResultParses(t *testing.T) {
	w := newWorld(t)
	msg := w.seal(t, "lists.example.org", baseMessage)
	for _, r := range []Result{w.verify(t, baseMessage), w.verify(t, msg), w.verify(t, addFooter(msg))} {
		h, err := authres.Build("mx.example", r.AuthResult())
		require.NoError(t, err, r.AuthResult())
		require.Len(t, h.Results, 1)
		assert.Equal(t, "arc", h.Results[0].Method)
		assert.Equal(t, string(r.Status), h.Results[0].Value)
	}
	assert.Equal(t, "arc=none", w.verify(t, baseMessage).AuthResult())
	assert.Equal(t, "arc=pass (i=1 d=lists.example.org)", w.verify(t, msg).AuthResult())
	assert.True(t, strings.HasPrefix(w.verify(t, addFooter(msg)).AuthResult(), `arc=fail (i=1) reason="arc: ARC-Message-Signature did not verify`))
}

// A broken chain is sealed with cv=fail; nothing is added after that.
func TestSealFailedChain(t *testing.T) {
	w := newWorld(t)
	msg := addFooter(w.seal(t, "lists.example.org", baseMessage))
	require.Equal(t, Fail, w.verify(t, msg).Status)

	msg = w.seal(t, "fwd.example.net", msg)
	assert.Contains(t, msg, "cv=fail")
	res := w.verify(t, msg)
	assertFail(t, res, false, ErrChainFailed)
	assert.Equal(t, 2, res.Sets)

	_, err := w.sealers["relay.example.com"].Seal(context.Background(), strings.NewReader(msg))
	assert.ErrorIs(t, err, ErrChainFailed)
}

// RSA keys beyond MaxRSABits are refused before any RSA operation: with a
// signature that would not verify, the error is still ErrKeyTooLarge.
func TestMaxRSABits(t *testing.T) {
	w := newWorld(t)
	msg := w.seal(t, "lists.example.org", baseMessage) // 2048 bits
	v := &Verifier{Resolver: w.dns, MaxRSABits: 1024}
	res, err := v.Verify(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	assertFail(t, res, false, dkim.ErrKeyTooLarge)

	broken := strings.Replace(msg, "; b=", "; b=AAAA", 2)
	res, err = v.Verify(context.Background(), strings.NewReader(broken))
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err, dkim.ErrKeyTooLarge)

	v = &Verifier{Resolver: w.dns, MinRSABits: 4096}
	res, err = v.Verify(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err, dkim.ErrKeyTooSmall)

	// The default allows 2048 bits.
	assert.Equal(t, Pass, w.verify(t, msg).Status)
}

func TestSealerAAR(t *testing.T) {
	w := newWorld(t)
	msg := "Authentication-Results: other.example; spf=fail smtp.mailfrom=x@example.com\r\n" +
		"Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=alice@example.com (comment kept)\r\n" +
		"Authentication-Results: LISTS.example.org; dkim=pass header.d=example.com;\r\n dmarc=pass header.from=example.com\r\n" +
		baseMessage
	s := w.sealers["lists.example.org"]
	set, err := s.Seal(context.Background(), strings.NewReader(msg))
	require.NoError(t, err)
	_, ams, aar := splitSet(t, set)
	assert.Equal(t, "i=1; lists.example.org; spf=pass smtp.mailfrom=alice@example.com (comment kept); dkim=pass header.d=example.com; dmarc=pass header.from=example.com", relaxedValue(aar))
	// Default h=: the default fields present, From first.
	assert.Contains(t, ams, "h=from:subject:date:to:message-id;")
	assert.Equal(t, Pass, w.verify(t, set+msg).Status)

	// No result of this ADMD: the AAR says none.
	set, err = s.Seal(context.Background(), strings.NewReader(baseMessage))
	require.NoError(t, err)
	_, _, aar = splitSet(t, set)
	assert.Equal(t, "i=1; lists.example.org; none", relaxedValue(aar))
}

func TestSealerConfig(t *testing.T) {
	testKeys(t)
	for name, s := range map[string]*Sealer{
		"no key":       {Domain: "a.example", Selector: "s", AuthServID: "a.example"},
		"no domain":    {Selector: "s", Key: edKey, AuthServID: "a.example"},
		"no selector":  {Domain: "a.example", Key: edKey, AuthServID: "a.example"},
		"no servid":    {Domain: "a.example", Selector: "s", Key: edKey},
		"bad header":   {Domain: "a.example", Selector: "s", Key: edKey, AuthServID: "a.example", Headers: []string{"from", "to:cc"}},
		"seal in h=":   {Domain: "a.example", Selector: "s", Key: edKey, AuthServID: "a.example", Headers: []string{"from", "arc-seal"}},
		"bad domain":   {Domain: "a..example", Selector: "s", Key: edKey, AuthServID: "a.example"},
		"servid space": {Domain: "a.example", Selector: "s", Key: edKey, AuthServID: "a example"},
		"empty h=":     {Domain: "a.example", Selector: "s", Key: edKey, AuthServID: "a.example", Headers: []string{}},
	} {
		_, err := s.Seal(context.Background(), strings.NewReader(baseMessage))
		assert.ErrorIs(t, err, ErrInvalidSealer, name)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadError(t *testing.T) {
	_, err := (&Verifier{}).Verify(context.Background(), failingReader{})
	assert.ErrorContains(t, err, "disk on fire")
	_, err = (&Verifier{MaxHeaderBytes: 100}).Verify(context.Background(), strings.NewReader(strings.Repeat("X-A: b\r\n", 100)+"\r\n"))
	assert.ErrorIs(t, err, dkim.ErrHeaderTooLarge)
}

// The cv= of a new set comes from this ADMD's arc= result when there is
// one, else from validating the message as given.
func TestSealChainStatusSource(t *testing.T) {
	w := newWorld(t)
	one := w.seal(t, "lists.example.org", baseMessage)
	s := w.sealers["fwd.example.net"]
	for _, c := range []struct {
		name, ar, msg string
		want          string
		err           error
	}{
		{"stated pass", "arc=pass", addFooter(one), "cv=pass", nil},
		{"stated fail", "arc=fail", one, "cv=fail", nil},
		{"stated temperror", "arc=temperror", one, "", ErrTemporary},
		{"stated junk", "arc=maybe", one, "cv=fail", nil},
		{"validated pass", "spf=pass smtp.mailfrom=example.com", one, "cv=pass", nil},
		{"validated fail", "spf=pass smtp.mailfrom=example.com", addFooter(one), "cv=fail", nil},
		{"stated pass, no chain under it", "arc=pass", strings.Replace(one, "ARC-Seal:", "X-Seal:", 1), "cv=fail", nil},
		{"first set", "arc=pass", baseMessage, "cv=none", nil},
	} {
		msg := "Authentication-Results: fwd.example.net; " + c.ar + "\r\n" + c.msg
		set, err := s.Seal(context.Background(), strings.NewReader(msg))
		if c.err != nil {
			assert.ErrorIs(t, err, c.err, c.name)
			continue
		}
		require.NoError(t, err, c.name)
		as, _, _ := splitSet(t, set)
		assert.Contains(t, unfold(as), "; "+c.want+";", c.name)
		want := Pass
		if c.want == "cv=fail" {
			want = Fail
		}
		assert.Equal(t, want, w.verify(t, set+msg).Status, c.name)
	}
}
