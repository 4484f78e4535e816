package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), &out)
	text := out.String()
	require.NoError(t, err, text)
	for _, want := range []string{
		"signed: rsa-sha256 by d=example.org s=rsa2026, ed25519-sha256 by d=example.org s=ed2026",
		"Authentication-Results: mx.example.com;",
		"dmarc=pass (p=reject dis=none) header.from=example.org",
		"refused it: 550 5.7.1",
		"decision: quarantine",
		"1 Authentication-Results header from mx.example.com: Mallory's is gone",
		"it says dmarc=fail, not the pass Mallory wrote",
		"envelope sender rewritten: alice@example.org → SRS0=",
		"spf=fail        with the original sender alice@example.org",
		"the forwarder reversed SRS0=",
		"the forwarder refused it (the hash does not verify): 550 5.1.1",
		"5.2.2 mailbox full",
		// the mailing list: its footer breaks DKIM, ARC carries its results
		"subject tagged: [friends] Saturday's hike",
		"ARC-Seal i=1 cv=none d=example.net s=arc2026 (rsa-sha256)",
		"ARC-Authentication-Results: i=1; mx.example.net;",
		"arc=pass        1 ARC set(s), the newest sealed by example.net",
		"the body was changed on the way",
		"DMARC failed, but the ARC chain passes and its sealer is trusted: policy override",
		"arc=pass (i=1 d=example.net);",
		"(policy override: arc from example.net i=1)",
		"arc=none        no ARC headers",
		"1 DMARC failure reported as accepted under local policy",
		"7 messages today claimed to be from example.org",
		`Alice's server counted 1 successful TLS session(s) under policy type "sts"`,
		"mx.phish.example was never contacted",
		"validation-failure at mx.phish.example (mx-not-in-policy)",
		`to example.net under policy type "tlsa", none failed`,
		"_25._tcp.mx.example.net. IN TLSA 3 1 1 ",
		"iprev=pass policy.iprev=192.0.2.1", // the appendix
		"relaying as mx1: mail loop",
		"All ",
	} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "FAIL")

	// The list's scene: accepted on ARC, then the same message without
	// ARC refused under example.org's p=reject.
	scene := text[strings.Index(text, "13:10  Alice writes to a mailing list"):strings.Index(text, "14:45")]
	accepted := strings.Index(scene, "decision: accept: deliver to the inbox")
	refused := strings.Index(scene, "mx.example.com refused it: 550 5.7.1")
	require.True(t, accepted > 0 && refused > accepted, scene)
	require.Contains(t, scene[refused:], "decision: reject, with 550 5.7.1")
	require.Contains(t, scene[refused:], "dmarc=fail      neither SPF nor DKIM vouches for example.org, whose policy is p=reject")
}

func TestNarratorCountsFailures(t *testing.T) {
	var out strings.Builder
	n := &narrator{w: &out}
	require.True(t, n.expect(true, "fine"))
	require.False(t, n.expect(false, "broken %d", 1))
	n.fail("could not run")
	require.Equal(t, 3, n.checks)
	require.Equal(t, 2, n.failed)
	require.Contains(t, out.String(), "  FAIL  broken 1")
}

// TestHelp: -help prints the usage and exits 0 without playing the day;
// an argument is a usage error.
func TestHelp(t *testing.T) {
	var out, errOut strings.Builder
	require.Equal(t, 0, cli(context.Background(), []string{"-help"}, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: demo")
	require.Empty(t, out.String(), "the demo did not run")
	errOut.Reset()
	require.Equal(t, 2, cli(context.Background(), []string{"extra"}, &out, &errOut))
	require.Contains(t, errOut.String(), `unexpected argument "extra"`)
	require.Empty(t, out.String())
}
