package dkim

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func resultWords(vs []Verification) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v.Result)
	}
	return out
}

// TestVectors checks every vector of the shared set (testdata/manifest.json)
// against its expected results, with an in-memory resolver.
func TestVectors(t *testing.T) {
	for _, v := range loadManifest(t) {
		t.Run(v.ID, func(t *testing.T) {
			got := v.verify(t, v.zone(t).mem(t), v.message(t))
			if !assert.Equal(t, v.Expected, resultWords(got), v.Notes) {
				for i, g := range got {
					t.Logf("sig %d: %s err=%v", i, g.Result, g.Err)
				}
			}
			for _, g := range got {
				if g.Result == Pass {
					assert.NoError(t, g.Err)
				} else {
					assert.Error(t, g.Err)
				}
			}
		})
	}
}

// TestVectorsOverDNS runs the vectors against a real DNS server on
// loopback, with SERVFAIL and dropped queries for the TIMEOUT/SERVFAIL
// entries.
func TestVectorsOverDNS(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, v := range loadManifest(t) {
		t.Run(v.ID, func(t *testing.T) {
			got := v.verify(t, dnsServer(t, v.zone(t)), v.message(t))
			assert.Equal(t, v.Expected, resultWords(got), v.Notes)
		})
	}
}

// TestVectorErrors pins the reason (sentinel error) for vectors where the
// reason matters.
func TestVectorErrors(t *testing.T) {
	want := map[string][]error{
		"rfc8463-a3-body-modified":                    {ErrBodyHashMismatch, ErrBodyHashMismatch},
		"rfc8463-a3-header-modified":                  {ErrSignatureMismatch, ErrSignatureMismatch},
		"rfc8463-a3-oversigning-blocks-added-subject": {ErrSignatureMismatch, ErrSignatureMismatch},
		"keyrec-nxdomain":                             {nil, ErrKeyNotFound},
		"keyrec-revoked-empty-p":                      {nil, ErrKeyRevoked},
		"keyrec-bad-version":                          {nil, ErrMalformedKey},
		"keyrec-duplicate-tag":                        {nil, ErrMalformedKey},
		"keyrec-k-mismatch-ed25519":                   {nil, ErrKeyMismatch},
		"keyrec-service-chat":                         {nil, ErrKeyMismatch},
		"keyrec-h-sha1-only":                          {nil, ErrKeyMismatch},
		"keyrec-dns-timeout":                          {nil, ErrTemporary},
		"keyrec-dns-servfail":                         {nil, ErrTemporary},
		"maildkim-badkey-14-dns-timeout":              {ErrInsecureAlgorithm},
		"maildkim-badkey-10-t-s-subdomain-i":          {ErrInsecureAlgorithm}, // rsa-sha1: refused before the key is looked at
		"maildkim-ignore-7-expired":                   {ErrExpired},
		"maildkim-ignore-8-i-not-in-d":                {ErrIdentityMismatch},
		"maildkim-ignore-1-sig-v5":                    {ErrUnsupportedVersion},
		"maildkim-ignore-5-q-http":                    {ErrUnsupportedQueryMethod},
		"opendkim-t-test00-relaxed-relaxed-rsa-sha1":  {ErrInsecureAlgorithm},
		"opendkim-t-test16-body-modified":             {ErrBodyHashMismatch},
	}
	for _, v := range loadManifest(t) {
		errs, ok := want[v.ID]
		if !ok {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			got := v.verify(t, v.zone(t).mem(t), v.message(t))
			require.Len(t, got, len(errs))
			for i, e := range errs {
				if e == nil {
					assert.NoError(t, got[i].Err)
				} else {
					assert.True(t, errors.Is(got[i].Err, e), "sig %d: got %v, want %v", i, got[i].Err, e)
				}
			}
		})
		delete(want, v.ID)
	}
	assert.Empty(t, want, "vectors missing from the manifest")
}

// TestVectorsBareLF: a message stored with bare LF line endings verifies
// like the CRLF original.
func TestVectorsBareLF(t *testing.T) {
	for _, v := range loadManifest(t) {
		if !strings.HasPrefix(v.ID, "interop-") && !strings.HasPrefix(v.ID, "rfc8463-a3-ed25519") {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			msg := v.message(t)
			lf := bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
			require.NotEqual(t, msg, lf)
			got := v.verify(t, v.zone(t).mem(t), lf)
			assert.Equal(t, v.Expected, resultWords(got))
		})
	}
}
