// Command inbound is a receiving MX that checks every message and delivers
// it to Maildir folders: the delivery-agent role of a mail system.
//
// For each message it checks the client's reverse DNS (iprev), SPF, DKIM,
// ARC (RFC 8617) and DMARC, records the results in Authentication-Results
// (RFC 8601, with arc=) and Received-SPF (RFC 7208 §9.1) header fields,
// refuses mail whose author domain publishes DMARC p=reject and fails (550
// 5.7.1), and files mail that fails under p=quarantine into the recipient's
// Junk folder (Maildir++ ".Junk").
//
// With -trust-arc-sealer lists.example.org,... it accepts a message that
// fails DMARC on the word of a mailing list or forwarder it trusts (a local
// policy, RFC 8617 §7.2), when all of these hold: the ARC chain passes; the
// newest ARC set sealed by one of the named domains still has a verifying
// ARC-Message-Signature (its instance is at least the chain's oldest-pass,
// so the message is as that sealer sent it); and that set's
// ARC-Authentication-Results say dmarc=pass with header.from= the From
// domain, or dkim=pass with header.d= the From domain itself. The dmarc
// result then carries the note "(policy override: arc from <sealer> i=N)"
// and the message goes to the inbox. Nothing else changes the decision: an
// unnamed sealer, a failed chain or results for another domain leave the
// DMARC policy in force. Each recipient has a Maildir under -maildir named after the
// address. A message is written with the Maildir protocol before the 250
// reply: into tmp/, synced, moved to new/, and new/ synced, so an accepted
// message survives a crash or a power cut.
//
//	go run ./examples/inbound -listen :25 -hostname mx.example.com \
//	    -domains example.com -maildir /var/mail
//
// At start it prints the DANE TLSA record of its STARTTLS certificate
// ("_25._tcp.<hostname>. IN TLSA 3 1 1 <hex>") for the operator to
// publish in the DNSSEC-signed zone. It stops gracefully on SIGINT or SIGTERM: messages being received are
// finished first.
package main

import (
	"io"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
)

func main() { serve.Main("inbound", parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var domains, users, trust string
	fs := serve.NewFlagSet("inbound", "usage: inbound -domains example.com [flags]", stderr)
	fs.StringVar(&cfg.listen, "listen", ":25", "address to listen on")
	cfg.host.AddFlags(fs, "this MX's host name (Received, Authentication-Results)")
	fs.StringVar(&cfg.maildir, "maildir", "Maildir", "directory holding one Maildir per recipient address")
	fs.StringVar(&domains, "domains", "", "comma-separated domains to accept mail for (required)")
	fs.StringVar(&users, "users", "", "comma-separated addresses that exist; default: every address in -domains")
	cfg.cert.AddFlags(fs, "TLS certificate (PEM) for STARTTLS")
	fs.Int64Var(&cfg.maxSize, "max-size", 32<<20, "largest message accepted, in bytes")
	fs.StringVar(&trust, "trust-arc-sealer", "", "comma-separated ARC sealer `domains` (mailing lists, forwarders) whose results may\noverride a DMARC failure (RFC 8617 §7.2): accepted when the ARC chain passes and the\nnewest set sealed by one of them, still covering the message, says dmarc=pass (or\ndkim=pass) for the From domain")
	fail := func(format string, args ...any) (config, error) { return cfg, serve.UsageError(fs, format, args...) }
	if err := serve.Parse(fs, args); err != nil {
		return cfg, err
	}
	cfg.domains = splitList(domains)
	cfg.users = splitList(users)
	cfg.trustARC = authcheck.NormalizeSealers(trust)
	if len(cfg.domains) == 0 {
		return fail("-domains is required")
	}
	if err := cfg.host.Check(); err != nil {
		return fail("%v", err)
	}
	return cfg, nil
}

// splitList splits a comma-separated flag into lower-case items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}
