// Command forwarder is a mail forwarder: an MX for one domain whose
// addresses are aliases for mailboxes elsewhere.
//
// Forwarding breaks SPF: the next MX sees the forwarder's address sending
// mail "from" the original sender's domain. So the forwarder rewrites the
// envelope sender with the Sender Rewriting Scheme (package srs):
// alice@example.org becomes SRS0=HHHH=TT=example.org=alice@example.net,
// an address in the forwarder's own domain that SPF can vouch for. A bounce
// sent to that address comes back here; the forwarder checks its hash and
// age and passes the bounce on to alice@example.org. Forged SRS addresses
// are refused, so the forwarder cannot be used to send backscatter.
//
// Incoming mail is checked like at any MX (iprev, SPF, DKIM, ARC, DMARC);
// mail failing DMARC p=reject is refused rather than forwarded. What it
// passes on, it seals with ARC (RFC 8617) after the SRS rewrite: a set
// signed as -domain with the key in -arc-key (RSA 2048, generated on first
// start and kept, its TXT record printed to publish at
// <-arc-selector>._domainkey.<-domain>), whose ARC-Authentication-Results
// are the Authentication-Results it added on receipt (authserv-id
// -hostname). A receiver that trusts the forwarder can then accept mail
// whose DKIM signature a later change broke.
//
//	go run ./examples/forwarder -domain example.net -hostname mx.example.net \
//	    -srs-secret 'long random string' -aliases /etc/mail/aliases
//
// Alias file lines look like /etc/aliases: "bob: bob@example.com,
// bob@example.org"; on the command line the same is
// -alias 'bob=bob@example.com,bob@example.org;team=...'. Accepted mail is
// written to a queue on disk (-queue-dir) before the 250 reply. It stops
// gracefully on SIGINT or SIGTERM.
package main

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/forward"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
)

func main() { serve.Main("forwarder", parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{aliases: forward.Aliases{}}
	var aliasFile, aliasList, secrets, secretFile string
	fs := serve.NewFlagSet("forwarder", "usage: forwarder -domain example.net -srs-secret S (-aliases FILE | -alias a=b@c) [flags]", stderr)
	fs.StringVar(&cfg.listen, "listen", ":25", "address to listen on")
	fs.StringVar(&cfg.domain, "domain", "", "the forwarding domain: aliases live here, SRS addresses are made here (required)")
	fs.StringVar(&aliasFile, "aliases", "", "alias file, lines \"name: target, target\"")
	fs.StringVar(&aliasList, "alias", "", "aliases on the command line: each `name=target[,target...]`, several separated by ';',\ne.g. \"bob=bob@example.com;team=a@example.org,b@example.org\"; a name without @ is in -domain")
	fs.StringVar(&secrets, "srs-secret", "", "SRS secrets, comma-separated: the first signs, all verify")
	fs.StringVar(&secretFile, "srs-secret-file", "", "file with one SRS secret per line (first signs)")
	cfg.host.AddFlags(fs, "this host's name (EHLO, Received)")
	cfg.out.AddFlags(fs, "forwarder-queue")
	fs.BoolVar(&cfg.arcSeal, "arc", true, "seal forwarded mail with ARC (RFC 8617) as -domain, so the next receiver learns what this forwarder's checks found")
	fs.StringVar(&cfg.arcKey, "arc-key", "", "ARC sealing key (PEM); generated (RSA 2048) on first start when missing; default <queue-dir>/arc/<domain>.pem")
	fs.StringVar(&cfg.arcSelector, "arc-selector", "arc", "selector of the ARC key record, <selector>._domainkey.<domain>")
	fail := func(format string, args ...any) (config, error) { return cfg, serve.UsageError(fs, format, args...) }
	if err := serve.Parse(fs, args); err != nil {
		return cfg, err
	}
	cfg.domain = strings.TrimSuffix(strings.ToLower(cfg.domain), ".")
	if cfg.domain == "" {
		return fail("-domain is required")
	}
	if err := cfg.host.Check(); err != nil {
		return fail("%v", err)
	}
	if err := cfg.out.Check(); err != nil {
		return fail("%v", err)
	}
	if cfg.arcSeal && (cfg.arcSelector == "" || strings.ContainsAny(cfg.arcSelector, " \t;=")) {
		return fail("-arc-selector %q is not a selector", cfg.arcSelector)
	}
	if aliasFile != "" {
		f, err := os.Open(aliasFile)
		if err != nil {
			return fail("%v", err)
		}
		err = forward.ParseAliases(f, cfg.domain, cfg.aliases)
		f.Close()
		if err != nil {
			return fail("%s: %v", aliasFile, err)
		}
	}
	for _, def := range strings.Split(aliasList, ";") {
		if def = strings.TrimSpace(def); def == "" {
			continue
		}
		name, targets, ok := strings.Cut(def, "=")
		if !ok || strings.Contains(name, ":") {
			return fail("-alias %q: want name=target[,target...], several separated by ';'", def)
		}
		if err := cfg.aliases.Add(name+":"+targets, cfg.domain); err != nil {
			return fail("-alias %q: %v (want name=target[,target...], several separated by ';')", def, err)
		}
	}
	if len(cfg.aliases) == 0 {
		return fail("no aliases: give -aliases or -alias")
	}
	var err error
	if cfg.secrets, err = readSecrets(secrets, secretFile); err != nil {
		return fail("%v", err)
	}
	return cfg, nil
}

// readSecrets collects the SRS secrets from the flag and the file.
func readSecrets(list, file string) ([][]byte, error) {
	var out [][]byte
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, []byte(s))
		}
	}
	for _, s := range strings.Split(list, ",") {
		add(s)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		for _, s := range strings.Split(string(b), "\n") {
			add(s)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("an SRS secret is required: -srs-secret or -srs-secret-file")
	}
	return out, nil
}
