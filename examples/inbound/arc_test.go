package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/forward"
	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/smtp"
)

// The Authentication-Results a list at example.net writes on receipt of
// Alice's message: what its ARC-Authentication-Results will say.
const (
	listSawPass = "Authentication-Results: mx.example.net;\r\n\tspf=pass smtp.mailfrom=example.org;\r\n\tdkim=pass header.d=example.org header.s=ed2026;\r\n\tarc=none;\r\n\tdmarc=pass (p=reject dis=none) header.from=example.org\r\n"
	listSawFail = "Authentication-Results: mx.example.net;\r\n\tspf=fail smtp.mailfrom=example.org;\r\n\tdkim=none;\r\n\tarc=none;\r\n\tdmarc=fail (p=reject dis=reject) header.from=example.org\r\n"
)

// listMessage is Alice's signed message as a mailing list passes it on:
// with the list's Authentication-Results, a subject tag and a footer (which
// break her DKIM signature), sealed with ARC by sealer (nil: not sealed).
func listMessage(t *testing.T, zone *demozone.Zone, saw string, sealer *arc.Sealer) []byte {
	t.Helper()
	signed, err := zone.Sign("example.org", message("Alice <alice@example.org>", "list"))
	require.NoError(t, err)
	msg := forward.List{Tag: "[friends]", Footer: "friends@example.net"}.Apply(mailmsg.Prepend(signed, saw))
	if sealer == nil {
		return msg
	}
	set, err := sealer.Seal(context.Background(), bytes.NewReader(msg))
	require.NoError(t, err)
	return mailmsg.Prepend(msg, set)
}

// TestARC: arc= is reported in Authentication-Results (none, pass, fail),
// and a DMARC failure is accepted on ARC only from a sealer named in
// -trust-arc-sealer, only when the chain passes and only when the sealer's
// results vouch for the From domain.
func TestARC(t *testing.T) {
	zone := testZone
	k := zone.Key(demozone.ForwarderDomain, demozone.SelectorARC)
	require.NotNil(t, k)
	list := &arc.Sealer{Domain: "example.net", Selector: demozone.SelectorARC, Key: k.Signer,
		AuthServID: demozone.ForwarderMX, Resolver: zone.Resolver()}
	// Mallory seals as phish.example with a key he never published.
	mkey, err := dkim.GenerateKey(dkim.KeyTypeEd25519, 0)
	require.NoError(t, err)
	mallory := &arc.Sealer{Domain: "phish.example", Selector: "arc", Key: mkey,
		AuthServID: "mx.phish.example", Resolver: zone.Resolver()}

	sealed := listMessage(t, zone, listSawPass, list)
	// A seal whose signature was changed on the way: the chain fails.
	tampered := tamperSeal(t, sealed)
	signed, err := zone.Sign("example.org", message("Alice <alice@example.org>", "direct"))
	require.NoError(t, err)
	badSealOnGood, err := list.Seal(context.Background(), bytes.NewReader(mailmsg.Prepend(signed, listSawPass)))
	require.NoError(t, err)

	tests := []struct {
		name    string
		trust   string // -trust-arc-sealer
		msg     []byte
		want    int      // 0: accepted to the inbox
		wantAR  []string // in the delivered Authentication-Results
		wantNot []string
	}{
		{"no ARC: arc=none", "example.net", signed, 0, []string{"arc=none", "dmarc=pass"}, []string{"policy override"}},
		{"unchanged message, broken seal: arc=fail, DMARC passes anyway", "example.net",
			tamperSeal(t, mailmsg.Prepend(signed, listSawPass, badSealOnGood)), 0, []string{"arc=fail (i=1)", "dmarc=pass"}, nil},
		{"trusted sealer, chain passes: accepted", "example.net", sealed, 0,
			[]string{"arc=pass (i=1 d=example.net)", "dkim=fail", "dmarc=fail (p=reject dis=reject) header.from=example.org (policy", "override: arc from example.net i=1)"}, nil},
		{"trusted among others", "lists.example.org,Example.NET", sealed, 0, []string{"policy"}, nil},
		{"sealer not named: rejected", "lists.example.org", sealed, 550, nil, nil},
		{"no sealer trusted: rejected", "", sealed, 550, nil, nil},
		{"not sealed at all: rejected", "example.net", listMessage(t, zone, listSawPass, nil), 550, nil, nil},
		{"trusted sealer, chain fails: rejected", "example.net", tampered, 550, nil, nil},
		{"trusted sealer saw dmarc=fail: rejected", "example.net", listMessage(t, zone, listSawFail, list), 550, nil, nil},
		{"sealer with an unpublished key, trusted: rejected", "phish.example", listMessage(t, zone, listSawPass, mallory), 550, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr, root := startInboundConfig(t, func(c *config) { c.trustARC = splitList(tt.trust) })
			err := send(t, addr, demozone.ForwarderMX, "friends-bounces@example.net", "bob@example.com", tt.msg)
			if tt.want != 0 {
				var se *smtp.Error
				require.ErrorAs(t, err, &se)
				require.Equal(t, tt.want, se.Code, "reply %v", se)
				require.Equal(t, [3]int{5, 7, 1}, se.EnhancedCode)
				return
			}
			require.NoError(t, err)
			msgs := delivered(t, filepath.Join(root, "bob@example.com"))
			require.Len(t, msgs, 1, "in the inbox")
			ar := strings.Join(mailmsg.Get([]byte(msgs[0]), "Authentication-Results"), "\n")
			for _, w := range tt.wantAR {
				require.Contains(t, ar, w)
			}
			for _, w := range tt.wantNot {
				require.NotContains(t, ar, w)
			}
		})
	}
}

// tamperSeal changes the signature in the ARC-Seal of msg.
func tamperSeal(t *testing.T, msg []byte) []byte {
	t.Helper()
	for _, f := range mailmsg.Fields(msg) {
		if strings.EqualFold(f.Name, arc.SealField) {
			bad := strings.Replace(f.Raw, "b=", "b=AAAA", 1)
			require.NotEqual(t, f.Raw, bad)
			return bytes.Replace(msg, []byte(f.Raw), []byte(bad), 1)
		}
	}
	t.Fatal("no ARC-Seal")
	return nil
}
