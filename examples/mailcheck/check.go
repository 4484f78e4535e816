package main

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/net/idna"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
)

// check runs every check for domain.
func check(ctx context.Context, res resolver.Resolver, domain string, selectors []string) *Report {
	r := &Report{Domain: asciiDomain(domain), Findings: []Finding{}}
	checkMX(ctx, res, r)
	checkSPF(ctx, res, r)
	checkDMARC(ctx, res, r)
	for _, sel := range selectors {
		checkDKIM(ctx, res, r, sel)
	}
	return r
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

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
