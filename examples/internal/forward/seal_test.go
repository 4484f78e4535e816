package forward

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/smtp"
)

// TestSeal: the set goes on top; a temporary failure to validate the
// incoming chain is a 451 (not a cv=fail seal); a chain already failed is
// passed on unsealed; no Sealer changes nothing.
func TestSeal(t *testing.T) {
	key, err := dkim.GenerateKey(dkim.KeyTypeEd25519, 0)
	require.NoError(t, err)
	f := &Forwarder{Sealer: &arc.Sealer{Domain: "example.net", Selector: "arc", Key: key, AuthServID: "mx.example.net"}}
	body := "From: a@example.org\r\nSubject: s\r\n\r\nx\r\n"
	ar := func(result string) string {
		return "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org; " + result + "\r\n"
	}

	out, err := f.seal(context.Background(), []byte(ar("arc=none")+body))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(out), "ARC-Seal: "), "set on top: %q", out)
	require.Contains(t, string(out), "ARC-Authentication-Results: i=1; mx.example.net;")
	require.Contains(t, string(out), "cv=none")
	require.True(t, strings.HasSuffix(string(out), ar("arc=none")+body))

	_, err = f.seal(context.Background(), []byte(ar("arc=temperror")+body))
	var se *smtp.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 451, se.Code)

	failed := "ARC-Seal: i=1; a=ed25519-sha256; cv=fail; d=example.org; s=arc; b=AAAA\r\n" + ar("arc=fail") + body
	out, err = f.seal(context.Background(), []byte(failed))
	require.NoError(t, err)
	require.Equal(t, failed, string(out), "no set after cv=fail")

	out, err = (&Forwarder{}).seal(context.Background(), []byte(body))
	require.NoError(t, err)
	require.Equal(t, body, string(out))
}
