package srs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedByDesign reports whether Forward refuses sender where Mail::SRS
// and postsrsd rewrite it: an address in angle brackets or with an empty
// local part (see Forward's doc).
func refusedByDesign(sender string) bool {
	if sender == "" || sender == "<>" {
		return false
	}
	if sender[0] == '<' || sender[len(sender)-1] == '>' {
		return true
	}
	return strings.LastIndexByte(sender, '@') == 0
}

// RefusedByDesign lets the black-box tests (package srs_test) use it.
var RefusedByDesign = refusedByDesign

func TestForwardRefusesBracketsAndMissingLocalPart(t *testing.T) {
	r := testRewriter()
	tests := []struct {
		in, why string // why: part of the error message
	}{
		{"<user@example.org>", "angle brackets"},
		{"<user@example.org", "angle brackets"},
		{"user@example.org>", "angle brackets"},
		{"<@relay.example:user@example.org>", "angle brackets"}, // source route (RFC 5321 §4.1.2)
		{"<SRS0=GzLP=G3=origin.example=alice@hop1.example>", "angle brackets"},
		{"@example.org", "empty local part"},
		{"@", "empty local part"},
		{"example.org", "no '@'"},
	}
	for _, tc := range tests {
		got, err := r.Forward(tc.in)
		require.ErrorIs(t, err, ErrMalformed, "%q gave %q", tc.in, got)
		assert.Empty(t, got)
		assert.Contains(t, err.Error(), tc.why, tc.in)
		assert.Contains(t, err.Error(), tc.in)
		assert.True(t, strings.HasPrefix(err.Error(), "srs: "), err.Error())
		assert.True(t, refusedByDesign(tc.in) || tc.in == "example.org", tc.in)
	}

	// Still accepted: the null sender, a quoted empty local part, and an
	// address literal as domain.
	for in, want := range map[string]string{
		"<>":                "<>",
		`""@example.org`:    "SRS0=",
		"user@[192.0.2.1]":  "SRS0=",
		`"<x>"@example.org`: "SRS0=", // quoted brackets in the local part are the sender's business
	} {
		got, err := r.Forward(in)
		require.NoError(t, err, in)
		assert.True(t, strings.HasPrefix(got, want), "%q gave %q", in, got)
	}
}

// Reverse still takes the SRS0 address Mail::SRS and postsrsd make from an
// empty local part (vector rev-local-empty): bounces to it must work.
func TestReverseKeepsEmptyLocalPartOfPeers(t *testing.T) {
	got, err := testRewriter().Reverse("SRS0=cuxH=G3=example.org=@forwarder.example")
	require.NoError(t, err)
	assert.Equal(t, "@example.org", got)
}

// The zero Rewriter is not ready (the README and the type's doc say so):
// its errors name the fields to set.
func TestZeroRewriterSaysWhatItNeeds(t *testing.T) {
	var r Rewriter
	_, err := r.Forward("user@example.org")
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "Secrets")
	_, err = r.Reverse("SRS0=HHHH=G3=example.org=user@forwarder.example")
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "Secrets")

	r.Secrets = [][]byte{[]byte("secret")}
	_, err = r.Forward("user@example.org")
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "Domain")
}
