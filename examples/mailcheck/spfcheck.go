package main

import (
	"context"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/spf"
)

// maxSPFDepth bounds how deep includes are followed when counting.
const maxSPFDepth = 10

// spfWalk counts DNS lookups through includes and redirects.
type spfWalk struct {
	ctx    context.Context
	res    resolver.Resolver
	r      *Report
	seen   map[string]bool
	allPTR bool
}

// checkSPF reads the SPF record, counts the DNS lookups an evaluation makes
// (RFC 7208 §4.6.4: at most 10) and flags risky constructs.
func checkSPF(ctx context.Context, res resolver.Resolver, r *Report) {
	w := &spfWalk{ctx: ctx, res: res, r: r, seen: map[string]bool{}}
	rec, text, err := w.fetch(r.Domain)
	switch {
	case err != nil:
		r.SPF.Error = errText(err)
		r.add(Error, "spf", "%v", err)
		return
	case rec == nil:
		r.SPF.Error = r.Domain + " publishes no v=spf1 record"
		r.add(Warning, "spf", "%s", r.SPF.Error)
		return
	}
	r.SPF.Record = text
	hasAll := false
	for _, t := range rec.Terms {
		if t.Kind != spf.KindAll {
			continue
		}
		hasAll = true
		r.SPF.All = t.Text()
		switch t.Qualifier {
		case 0, spf.QualifierPass:
			r.add(Error, "spf", "%q authorises every host on the Internet to send as %s", t.Text(), r.Domain)
		case spf.QualifierNeutral:
			r.add(Warning, "spf", "%q makes no assertion about other hosts; receivers learn nothing", t.Text())
		case spf.QualifierSoftFail:
			r.add(Info, "spf", "%q: other hosts get softfail; \"-all\" is stricter once every sender is listed", t.Text())
		}
	}
	if _, redirect := rec.Redirect(); !hasAll && !redirect {
		r.add(Warning, "spf", "no \"all\" mechanism and no redirect: hosts not listed get neutral")
	}
	w.walk(r.Domain, rec, 0)
	if w.allPTR {
		r.add(Warning, "spf", "the \"ptr\" mechanism is slow and unreliable; RFC 7208 §5.5 says not to use it")
	}
	switch {
	case r.SPF.Lookups > spf.DefaultMaxLookups:
		r.add(Error, "spf", "%d DNS lookups: over the limit of %d (RFC 7208 §4.6.4); receivers will return permerror",
			r.SPF.Lookups, spf.DefaultMaxLookups)
	case r.SPF.Lookups >= spf.DefaultMaxLookups-2:
		r.add(Warning, "spf", "%d DNS lookups: close to the limit of %d", r.SPF.Lookups, spf.DefaultMaxLookups)
	}
}

// fetch returns the SPF record of domain, parsed and as published, as
// check_host() selects it (spf.Checker.Lookup, RFC 7208 §4.4-§4.5); a
// domain without one gives a nil record and no error.
func (w *spfWalk) fetch(domain string) (*spf.Record, string, error) {
	return (&spf.Checker{Resolver: w.res}).Lookup(w.ctx, domain)
}

// walk counts the lookups of rec and of the records it includes.
func (w *spfWalk) walk(domain string, rec *spf.Record, depth int) {
	w.seen[domain] = true
	follow := func(target string) {
		switch {
		case strings.Contains(target, "%"):
			w.r.SPF.Incomplete = true // a macro: depends on the message
		case w.seen[target] || depth >= maxSPFDepth:
			w.r.add(Error, "spf", "include or redirect loop at %s", target)
		default:
			sub, _, err := w.fetch(target)
			if err == nil && sub == nil {
				err = spf.ErrNoRecord // RFC 7208 §5.2, §6.1: permerror
			}
			if err != nil {
				w.r.SPF.Incomplete = true
				w.r.add(Error, "spf", "%s (referred to by %s): %v", target, domain, err)
				return
			}
			w.r.SPF.Includes = append(w.r.SPF.Includes, target)
			w.walk(target, sub, depth+1)
		}
	}
	for _, t := range rec.Terms {
		switch t.Kind {
		case spf.KindInclude:
			w.r.SPF.Lookups++
			follow(t.Value)
		case spf.KindA, spf.KindMX, spf.KindExists:
			w.r.SPF.Lookups++
		case spf.KindPTR:
			w.r.SPF.Lookups++
			w.allPTR = true
		case spf.KindAll:
			if depth > 0 && (t.Qualifier == 0 || t.Qualifier == spf.QualifierPass) {
				w.r.add(Warning, "spf", "%s (included) ends in %q: harmless inside include, but usually a mistake", domain, t.Text())
			}
		}
	}
	if target, ok := rec.Redirect(); ok && !hasAll(rec) { // RFC 7208 §6.1: ignored beside "all"
		w.r.SPF.Lookups++
		follow(target)
	}
}

func hasAll(rec *spf.Record) bool {
	for _, t := range rec.Terms {
		if t.Kind == spf.KindAll {
			return true
		}
	}
	return false
}
