// Command mailcheck checks the mail setup of domains, like the web tools
// people use for it, from the command line:
//
//   - MX: the mail exchangers in order, null MX (RFC 7505) and implicit MX,
//     the addresses of each and whether their reverse DNS is
//     forward-confirmed (FCrDNS, what receivers check as "iprev");
//   - SPF: the record, how many DNS lookups an evaluation costs across
//     includes (at most 10 are allowed), and the common mistakes: "+all",
//     "ptr", no "all", several records;
//   - DMARC: the policy that applies, where it was found, the organizational
//     domain (DNS tree walk and Public Suffix List), report addresses and
//     whether external ones have agreed to receive reports;
//   - DKIM: the keys of the selectors given with -selectors (type, size);
//   - DANE (RFC 7672): whether the MX records are DNSSEC-validated, the TLSA
//     records of each MX host and what they ask of senders, and with -probe
//     whether the certificate each host presents after STARTTLS matches them.
//     DNSSEC status comes from the AD bit of the -dane-resolver (by default
//     the -resolver server, else /etc/resolv.conf's): it must validate.
//
// Usage:
//
//	mailcheck [-json] [-resolver host:port] [-selectors s1,s2] [-dane-resolver host:port] [-probe] domain...
//	mailcheck -demo [domain...]      # the demo's embedded zone, offline
//
// The exit status is 0 when no check found an error, 1 when one did, 2 for
// bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/examples/internal/serve"
)

// timeout bounds the checks of all domains together.
const timeout = 60 * time.Second

func main() { serve.CLI(run) }

// run runs mailcheck with the given arguments and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	resolverAddr := fs.String("resolver", "", "DNS server to ask, host:port (a bare IP address means port 53); default: the system's resolver")
	demo := fs.Bool("demo", false, "check the demo's embedded zone on loopback (no network); default domains: example.org example.com")
	selectors := fs.String("selectors", "", "comma-separated DKIM selectors to look up")
	daneAddr := fs.String("dane-resolver", "", "validating DNS resolver for the DANE check, host:port or \"system\" (/etc/resolv.conf); default: -resolver's server, else the system's")
	probe := fs.Bool("probe", false, "connect to the MX hosts with TLSA records (port -probe-port, STARTTLS) and check that their certificate matches")
	probePort := fs.Int("probe-port", 25, "port of the MX hosts for -probe")
	probeTimeout := fs.Duration("probe-timeout", 10*time.Second, "time allowed for each -probe connection")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mailcheck [-json] [-resolver host:port] [-selectors s1,s2] domain... (flags may also follow the domains)")
		fmt.Fprintln(stderr, "       mailcheck -demo [domain...]")
		fs.PrintDefaults()
	}
	// Flags may come before and after the domains: parse up to the next
	// domain, take it, and go on.
	var domains []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if rest = fs.Args(); len(rest) == 0 {
			break
		}
		domains, rest = append(domains, rest[0]), rest[1:]
	}
	for _, d := range domains {
		if err := checkDomainName(d); err != nil {
			fmt.Fprintf(stderr, "mailcheck: %q: %v\n", d, err)
			return 2
		}
	}
	sels := splitList(*selectors)
	selectorsFor := func(string) []string { return sels }

	var res resolver.Resolver
	var opts options
	switch {
	case *demo && *resolverAddr != "":
		fmt.Fprintln(stderr, "mailcheck: -demo and -resolver exclude each other")
		return 2
	case *demo:
		zone, err := demozone.Start()
		if err != nil {
			fmt.Fprintln(stderr, "mailcheck:", err)
			return 1
		}
		defer zone.Close()
		res = zone.Resolver()
		opts.dane = zone.DANEResolver() // a stand-in: the demo zone is not really signed
		if len(domains) == 0 {
			domains = []string{demozone.SenderDomain, demozone.ReceiverDomain}
		}
		if len(sels) == 0 {
			selectorsFor = zone.Selectors
		}
	default:
		var err error
		if res, err = resolver.New(*resolverAddr); err != nil {
			fmt.Fprintln(stderr, "mailcheck:", err)
			return 2
		}
	}
	if opts.dane == nil || *daneAddr != "" {
		spec := *daneAddr
		if spec == "" {
			spec = "system"
			if *resolverAddr != "" {
				spec = *resolverAddr
			}
		}
		var err error
		if opts.dane, err = outbound.DANEResolver(spec); err != nil {
			fmt.Fprintln(stderr, "mailcheck: -dane-resolver:", err)
			return 2
		}
	}
	if *probe {
		if *demo {
			fmt.Fprintln(stderr, "mailcheck: -probe needs real servers; the demo zone has none running")
			return 2
		}
		opts.probe = &prober{Port: *probePort, Timeout: *probeTimeout}
	}
	if len(domains) == 0 {
		fs.Usage()
		return 2
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var reports []*Report
	failures := 0
	for i, d := range domains {
		r := check(ctx, res, d, selectorsFor(asciiDomain(d)), opts)
		reports = append(reports, r)
		failures += r.Errors()
		if !*asJSON {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			printReport(stdout, r)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			fmt.Fprintln(stderr, "mailcheck:", err)
			return 1
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mailcheck: stopped:", ctx.Err())
		return 1
	}
	if failures > 0 {
		return 1
	}
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
