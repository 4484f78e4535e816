package arc

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/internal/testyaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standard undoes the YAML presentation of an expected value of the
// signing suite: a line break after ";" stands for the one space there,
// any other line break for nothing (b= is cut across lines).
func standard(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	s = strings.ReplaceAll(s, ";\n", "; ")
	return strings.ReplaceAll(s, "\n", "")
}

// unfold undoes our folding (CRLF before the space that follows a ";").
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n", "") }

// relaxedValue is a field value under relaxed header canonicalization.
func relaxedValue(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r\n", " ")), " ")
}

// splitSet cuts the output of Seal into its three field values.
func splitSet(t *testing.T, out string) (as, ams, aar string) {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "\r\n"))
	var vals []string
	for _, f := range strings.SplitAfter(out, "\r\n") {
		if f == "" {
			continue
		}
		if f[0] == ' ' || f[0] == '\t' {
			vals[len(vals)-1] += f
			continue
		}
		vals = append(vals, f)
	}
	require.Len(t, vals, 3, out)
	cut := func(f, name string) string {
		require.True(t, strings.HasPrefix(f, name+": "), f)
		return strings.TrimSuffix(f[len(name)+2:], "\r\n")
	}
	return cut(vals[0], SealField), cut(vals[1], MessageSignatureField), cut(vals[2], AuthenticationResultsField)
}

// TestSigningSuite runs the 9 signing cases of the public ARC test suite:
// the ARC-Seal and ARC-Message-Signature must be the expected ones byte
// for byte once unfolded (RSA PKCS #1 v1.5 signatures are deterministic),
// the ARC-Authentication-Results the expected one under relaxed
// canonicalization (the suite's YAML loses its folding white space), and
// the new set must verify.
func TestSigningSuite(t *testing.T) {
	scenarios := testyaml.Load[signScenario](t, filepath.Join("testdata", "arc-sign-tests.yml"))
	total := 0
	for _, sc := range scenarios {
		key, err := dkim.ParsePrivateKey([]byte(sc.PrivateKey))
		require.NoError(t, err)
		res := memResolver(t, sc.TXTRecords)
		for _, name := range sortedKeys(sc.Tests) {
			c := sc.Tests[name]
			total++
			t.Run(name, func(t *testing.T) {
				s := &Sealer{
					Domain: sc.Domain, Selector: sc.Sel, Key: key, AuthServID: c.SrvID,
					Headers:  strings.Split(c.SigHeaders, ":"),
					Resolver: res,
					Now:      func() time.Time { return time.Unix(c.T, 0) },
				}
				msg := crlf(c.Message)
				out, err := s.Seal(context.Background(), strings.NewReader(msg))
				require.NoError(t, err)
				as, ams, aar := splitSet(t, out)
				assert.Equal(t, standard(c.AS), unfold(as), "ARC-Seal")
				assert.Equal(t, standard(c.AMS), unfold(ams), "ARC-Message-Signature")
				assert.Equal(t, relaxedValue(c.AAR), relaxedValue(aar), "ARC-Authentication-Results")
				// Folding only after ";" in the ARC-Seal and the
				// ARC-Message-Signature.
				for _, f := range []string{as, ams} {
					for _, l := range strings.Split(f, "\r\n")[1:] {
						assert.True(t, strings.HasPrefix(l, " "), l)
					}
					for _, l := range strings.Split(f, "\r\n")[:len(strings.Split(f, "\r\n"))-1] {
						assert.True(t, strings.HasSuffix(l, ";"), l)
					}
				}
				for _, l := range strings.Split(out, "\r\n") {
					if !strings.Contains(l, "b=") {
						assert.LessOrEqual(t, len(l), lineWidth, l)
					}
				}
				v := &Verifier{Resolver: res}
				got, err := v.Verify(context.Background(), strings.NewReader(out+msg))
				require.NoError(t, err)
				assert.Equal(t, Pass, got.Status, "%v", got.Err)
			})
		}
	}
	assert.Equal(t, 9, total)
}
