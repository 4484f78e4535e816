package dane_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testcert"
	"github.com/mailsmith/mailsmith/mx/dane"
)

func TestParseRecord(t *testing.T) {
	h32 := strings.Repeat("ab", 32)
	tests := []struct {
		in   string
		want string // String() of the result; "" for an error
	}{
		{"3 1 1 " + h32, "3 1 1 " + h32},
		{"  3\t1 1 " + strings.ToUpper(h32) + "  ", "3 1 1 " + h32},
		{"2 0 1 " + h32[:20] + " " + h32[20:], "2 0 1 " + h32},
		{"255 255 255 00", "255 255 255 00"},
		{"0 0 0 01", "0 0 0 01"},
		{"3 1 1", ""},
		{"3 1 " + h32, ""},
		{"256 1 1 " + h32, ""},
		{"-1 1 1 " + h32, ""},
		{"3 x 1 " + h32, ""},
		{"3 1 1 abc", ""},
		{"3 1 1 zz", ""},
		{"", ""},
		{"3 1 1 " + strings.Repeat("00", 65536), ""},
	}
	for _, tc := range tests {
		r, err := dane.ParseRecord(tc.in)
		if tc.want == "" {
			require.ErrorIs(t, err, dane.ErrSyntax, "%.60q", tc.in)
			require.True(t, strings.HasPrefix(err.Error(), "dane: "), err.Error())
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, r.String())
		again, err := dane.ParseRecord(r.String())
		require.NoError(t, err)
		require.True(t, again.Equal(r))
	}
}

func TestUsable(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		r      dane.Record
		usable bool
		why    string
	}{
		{rec(p.leaf.Cert, 3, 1, 1), true, ""},
		{rec(p.leaf.Cert, 3, 0, 2), true, ""},
		{rec(p.root.Cert, 2, 0, 0), true, ""},
		{rec(p.root.Cert, 2, 1, 0), true, ""},
		{rec(p.leaf.Cert, 3, 1, 0), true, ""},
		{rec(p.leaf.Cert, 1, 1, 1), false, "PKIX"},
		{rec(p.root.Cert, 0, 0, 1), false, "PKIX"},
		{dane.Record{Usage: 4, Selector: 1, MatchingType: 1, Data: make([]byte, 32)}, false, "unknown usage"},
		{dane.Record{Usage: 3, Selector: 1, MatchingType: 1, Data: make([]byte, 31)}, false, "31 bytes"},
		{dane.Record{Usage: 3, Selector: 1, MatchingType: 2, Data: make([]byte, 32)}, false, "32 bytes"},
		{dane.Record{Usage: 2, Selector: 0, MatchingType: 0, Data: []byte{0x30, 0}}, false, "not a certificate"},
		{dane.Record{Usage: 2, Selector: 1, MatchingType: 0, Data: []byte{0x30, 0}}, false, "not a SubjectPublicKeyInfo"},
		{dane.Record{Usage: 3, Selector: 1, MatchingType: 0, Data: append(rec(p.leaf.Cert, 3, 1, 0).Data, 0)}, false, "not a SubjectPublicKeyInfo"},
		{dane.Record{Usage: 3, Selector: 2, MatchingType: 1, Data: make([]byte, 32)}, false, "unknown selector"},
		{dane.Record{Usage: 3, Selector: 1, MatchingType: 9, Data: make([]byte, 32)}, false, "unknown matching type"},
	}
	for _, tc := range tests {
		err := tc.r.Usable()
		if tc.usable {
			require.NoError(t, err, tc.r.String())
			continue
		}
		require.ErrorContains(t, err, tc.why)
	}
}

func TestPublish(t *testing.T) {
	p := newPKI(t)
	r := dane.RecordFor(p.leaf.Cert)
	sum := sha256.Sum256(p.leaf.Cert.RawSubjectPublicKeyInfo)
	require.Equal(t, "3 1 1 "+hex.EncodeToString(sum[:]), r.String())
	// The record verifies the certificate it was made for, and only it.
	_, err := dane.Verify([]dane.Record{r}, testcert.Chain(p.leaf), dane.VerifyOptions{})
	require.NoError(t, err)
	_, err = dane.Verify([]dane.Record{r}, testcert.Chain(p.other), dane.VerifyOptions{})
	require.ErrorIs(t, err, dane.ErrNoMatch)

	rk, err := dane.RecordForKey(p.leaf.Key.Public().(*ecdsa.PublicKey))
	require.NoError(t, err)
	require.True(t, rk.Equal(r))
	_, err = dane.RecordForKey(struct{}{})
	require.Error(t, err)

	require.Equal(t, "_25._tcp.mx.example.org. IN TLSA "+r.String(), r.ZoneText("MX.example.org", 0))
	require.Equal(t, "_465._tcp.mx.example.org. IN TLSA "+r.String(), r.ZoneText("mx.example.org.", 465))
	// The zone text is a TLSA record a DNS zone parser reads back.
	rr, err := dns.NewRR(r.ZoneText("mx.example.org", 25))
	require.NoError(t, err)
	tlsa := rr.(*dns.TLSA)
	require.Equal(t, "_25._tcp.mx.example.org.", tlsa.Hdr.Name)
	require.Equal(t, hex.EncodeToString(r.Data), tlsa.Certificate)
	require.Equal(t, [3]uint8{3, 1, 1}, [3]uint8{tlsa.Usage, tlsa.Selector, tlsa.MatchingType})
}
