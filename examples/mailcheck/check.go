package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// options are the checks' settings beyond the resolver.
type options struct {
	dane  dane.Resolver // DNSSEC-aware resolver for the DANE check; nil: no DANE check
	probe *prober       // connect to DANE hosts; nil: no probe
}

// check runs every check for domain.
func check(ctx context.Context, res resolver.Resolver, domain string, selectors []string, opts options) *Report {
	r := &Report{Domain: asciiDomain(domain), Findings: []Finding{}}
	checkMX(ctx, res, r)
	if opts.dane != nil {
		checkDANE(ctx, opts.dane, r, opts.probe)
	}
	checkSPF(ctx, res, r)
	checkDMARC(ctx, res, r)
	for _, sel := range selectors {
		checkDKIM(ctx, res, r, sel)
	}
	return r
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// oneLine puts an error's text on one line: errors.Join separates the
// joined errors with newlines, which would break the report's lines.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return l == "" }), ": ")
}

// errText is err's text on one line.
func errText(err error) string { return oneLine(err.Error()) }

// checkDomainName refuses what cannot be a domain name before any lookup:
// an email address, an IP address, characters outside IDNA, empty or
// over-long labels (RFC 1035 §2.3.4: 63 octets, 255 for the name).
func checkDomainName(domain string) error {
	d := strings.TrimSuffix(domain, ".")
	switch {
	case d == "":
		return errors.New("empty domain name")
	case strings.Contains(d, "@"):
		return fmt.Errorf("an email address: give its domain (%s)", d[strings.LastIndex(d, "@")+1:])
	case strings.HasPrefix(d, "-"):
		return errors.New("not a domain name (a misspelt flag?)")
	}
	if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil {
		return errors.New("an IP address, not a domain name")
	}
	a, err := idna.Lookup.ToASCII(strings.ToLower(d))
	if err != nil {
		return fmt.Errorf("not a valid domain name: %v", err)
	}
	if len(a) > 253 {
		return fmt.Errorf("not a valid domain name: %d octets, more than 253", len(a))
	}
	labels := strings.Split(a, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("not a valid domain name: label %q is empty or longer than 63 octets", l)
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("not a valid domain name: the last label is all digits")
	}
	return nil
}

// asciiDomain returns domain in lower-case A-labels without the trailing
// dot ("Bücher.example" → "xn--bcher-kva.example"), as DNS queries need.
func asciiDomain(domain string) string {
	d := strings.TrimSuffix(strings.ToLower(domain), ".")
	if a, err := idna.Lookup.ToASCII(d); err == nil {
		return a
	}
	return d
}

// fqdn adds the trailing dot that keeps a search domain from being appended.
func fqdn(name string) string { return strings.TrimSuffix(name, ".") + "." }
