// Command submission is a mail submission server (RFC 6409): the server a
// mail client talks to when a user sends mail.
//
// It listens on port 587 with STARTTLS (RFC 3207) and on port 465 with
// implicit TLS (RFC 8314), and takes mail only from users who authenticate
// (AUTH PLAIN or LOGIN, RFC 4954, over TLS) and only in their own name.
// Then it fixes what clients leave out (Date, Message-ID), optionally
// removes what reveals the client (its IP address in Received, User-Agent,
// X-Mailer), signs with DKIM, finds the recipients' MX hosts and delivers
// with the smtp client: over TLS with DANE (-dane-resolver) when the MX
// host publishes secure TLSA records, else as the recipient domain's
// MTA-STS policy asks (-mta-sts, on by default), else opportunistically;
// each TLS session is counted for TLS reports (RFC 8460), written to
// -tlsrpt-dir at the end of each UTC day and at shutdown. Accepted mail is written to a queue on disk
// (-queue-dir) before the 250 reply, so a crash loses nothing; temporary
// failures are retried with growing delays, permanent ones are reported to
// the sender with a bounce (a delivery status notification, RFC 3464).
//
//	go run ./examples/submission -hostname mail.example.org \
//	    -users-file users.txt -dkim example.org:sel1:dkim.pem
//
// Without -dkim it generates an Ed25519 key for the domain of each user on
// first start, keeps it in -dkim-dir, and prints the TXT record to publish
// (the same record after every restart). Without -cert it uses a
// self-signed certificate. It prints the DANE TLSA record of its
// certificate, to publish if the host is also an MX. It stops gracefully on SIGINT or SIGTERM.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/mailmsg"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
	"github.com/mailsmith/mailsmith/examples/internal/submit"
)

func main() { serve.Main("submission", parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{users: submit.Users{}}
	var userList, userFile, dkimKeys string
	fs := serve.NewFlagSet("submission", "usage: submission -users a@example.org:pw [flags]", stderr)
	fs.StringVar(&cfg.listenSTARTTLS, "listen", ":587", "submission address (STARTTLS); \"\" disables it")
	fs.StringVar(&cfg.listenTLS, "listen-tls", ":465", "submissions address (implicit TLS); \"\" disables it")
	cfg.host.AddFlags(fs, "this host's name (greeting, EHLO, Message-ID)")
	fs.StringVar(&userList, "users", "", "comma-separated address:password pairs")
	fs.StringVar(&userFile, "users-file", "", "file of address:password lines")
	fs.StringVar(&dkimKeys, "dkim", "", "comma-separated DKIM keys, domain:selector:keyfile (PEM)")
	fs.BoolVar(&cfg.hideClient, "hide-client", false, "leave the client's address out of Received; remove User-Agent, X-Mailer, X-Originating-IP")
	cfg.cert.AddFlags(fs, "TLS certificate (PEM)")
	cfg.out.AddFlags(fs, "submission-queue")
	fs.StringVar(&cfg.dkimDir, "dkim-dir", "", "where keys generated for domains without -dkim are kept, reused after a restart (default: <queue-dir>/dkim)")
	fs.DurationVar(&cfg.maxAge, "max-age", 5*24*time.Hour, "give up and bounce after this long")
	fs.StringVar(&cfg.tlsrptDir, "tlsrpt-dir", "", "where TLS reports (RFC 8460) are written each day and at shutdown (default: <queue-dir>/tlsrpt)")
	fail := func(format string, args ...any) (config, error) { return cfg, serve.UsageError(fs, format, args...) }
	if err := serve.Parse(fs, args); err != nil {
		return cfg, err
	}
	if err := cfg.host.Check(); err != nil {
		return fail("%v", err)
	}
	if err := cfg.out.Check(); err != nil {
		return fail("%v", err)
	}
	if cfg.dkimDir == "" {
		cfg.dkimDir = filepath.Join(cfg.out.QueueDir, "dkim")
	}
	if cfg.tlsrptDir == "" {
		cfg.tlsrptDir = filepath.Join(cfg.out.QueueDir, "tlsrpt")
	}
	for _, u := range strings.Split(userList, ",") {
		if u = strings.TrimSpace(u); u != "" {
			if err := cfg.users.Add(u); err != nil {
				return fail("-users: %v", err)
			}
		}
	}
	if userFile != "" {
		f, err := os.Open(userFile)
		if err != nil {
			return fail("%v", err)
		}
		err = submit.ParseUsers(f, cfg.users)
		f.Close()
		if err != nil {
			return fail("%s: %v", userFile, err)
		}
	}
	if len(cfg.users) == 0 {
		return fail("no users: give -users or -users-file")
	}
	for _, spec := range strings.Split(dkimKeys, ",") {
		if spec = strings.TrimSpace(spec); spec != "" {
			k, err := submit.LoadKey(spec)
			if err != nil {
				return fail("-dkim: %v", err)
			}
			cfg.keys = append(cfg.keys, k)
		}
	}
	return cfg, nil
}

// addMissingKeys finds the key of every user domain without one in
// cfg.dkimDir, generating and saving it on first start, and prints the DNS
// record to publish for it.
func addMissingKeys(cfg *config, w io.Writer) error {
	var domains []string
	for u := range cfg.users {
		d := mailmsg.Domain(u)
		if !slices.Contains(domains, d) && !slices.ContainsFunc(cfg.keys, func(k submit.Key) bool { return k.Domain == d }) {
			domains = append(domains, d)
		}
	}
	slices.Sort(domains)
	for _, d := range domains {
		k, record, created, err := submit.LoadOrGenerateKey(cfg.dkimDir, d, generatedSelector)
		if err != nil {
			return err
		}
		cfg.keys = append(cfg.keys, k)
		what := "using the DKIM key"
		if created {
			what = "generated a DKIM key"
		}
		fmt.Fprintf(w, "submission: %s for %s in %s; publish:\n  %s\n", what, d, submit.KeyFile(cfg.dkimDir, d), record)
	}
	return nil
}

// generatedSelector is the selector of the keys addMissingKeys makes.
const generatedSelector = "mailsmith"
