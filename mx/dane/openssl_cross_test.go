package dane_test

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/dane"
)

// opensslCase is one block of OpenSSL's danetest input format:
// "<TLSA-count> <cert-count> <nonamechecks> <desired-verify-result>
// <desired-match-depth>", the TLSA lines, the peer chain in PEM.
type opensslCase struct {
	line         int
	records      []dane.Record
	chain        []*x509.Certificate
	noNameChecks bool
	wantOK       bool
	wantDepth    int
}

func readOpenSSLCases(t *testing.T, path string) []opensslCase {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var cases []opensslCase
	sc := bufio.NewScanner(f)
	lineNo := 0
	next := func() (string, bool) {
		for sc.Scan() {
			lineNo++
			l := strings.TrimSpace(sc.Text())
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			return l, true
		}
		return "", false
	}
	for {
		head, ok := next()
		if !ok {
			break
		}
		var n [5]int
		fields := strings.Fields(head)
		require.Len(t, fields, 5, "line %d", lineNo)
		for i, s := range fields {
			n[i], err = strconv.Atoi(s)
			require.NoError(t, err)
		}
		c := opensslCase{line: lineNo, noNameChecks: n[2] != 0, wantOK: n[3] == 0, wantDepth: n[4]}
		for range n[0] {
			l, ok := next()
			require.True(t, ok)
			r, err := dane.ParseRecord(l)
			require.NoError(t, err)
			c.records = append(c.records, r)
		}
		for range n[1] {
			var b strings.Builder
			for {
				l, ok := next()
				require.True(t, ok)
				b.WriteString(l + "\n")
				if strings.HasPrefix(l, "-----END") {
					break
				}
			}
			blk, _ := pem.Decode([]byte(b.String()))
			require.NotNil(t, blk)
			cert, err := x509.ParseCertificate(blk.Bytes)
			require.NoError(t, err)
			c.chain = append(c.chain, cert)
		}
		cases = append(cases, c)
	}
	require.NoError(t, sc.Err())
	return cases
}

// TestOpenSSLCross runs OpenSSL's cross-certificate DANE case: a
// DANE-TA(2) Full(0) root whose cross-signed twin is in the peer chain
// must match at depth 2. OpenSSL's test runs it with the base domain
// "server.example".
func TestOpenSSLCross(t *testing.T) {
	cases := readOpenSSLCases(t, "testdata/openssl-cross/dane-cross.in")
	require.Len(t, cases, 1)
	for _, c := range cases {
		opts := dane.VerifyOptions{}
		if !c.noNameChecks {
			opts.Names = []string{"server.example"}
		}
		m, err := dane.VerifyMatch(c.records, c.chain, opts)
		if !c.wantOK {
			require.Error(t, err, "case at line %d", c.line)
			continue
		}
		require.NoError(t, err, "case at line %d", c.line)
		require.Equal(t, c.wantDepth, m.Depth, "case at line %d", c.line)
		// The same chain against another name fails the name check.
		_, err = dane.Verify(c.records, c.chain, dane.VerifyOptions{Names: []string{"other.example"}})
		require.ErrorIs(t, err, dane.ErrNameMismatch)
	}
}
