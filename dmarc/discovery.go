package dmarc

import (
	"context"
)

// Discovery selects how policy records and Organizational Domains are
// found.
type Discovery int

const (
	// TreeWalk is the DNS Tree Walk of RFC 9989 §4.10 (the default).
	TreeWalk Discovery = iota
	// PSL is the Public Suffix List method of RFC 7489 §3.2 and §6.6.3,
	// with the list compiled into golang.org/x/net/publicsuffix.
	PSL
)

// String returns "treewalk" or "psl", the RFC 9990 discovery_method names.
func (d Discovery) String() string {
	if d == PSL {
		return "psl"
	}
	return "treewalk"
}

// MaxTreeWalkQueries is the most DNS queries one tree walk makes (RFC 9989
// §4.10: the Author Domain, then at most seven names of 7 labels or fewer).
const MaxTreeWalkQueries = 8

// treeWalkShortcut is the label count the walk jumps to from longer names
// (RFC 9989 §4.10 step 4).
const treeWalkShortcut = 7

// txtResult is what one _dmarc TXT query produced.
type txtResult struct {
	rec       *Record // the single valid DMARC record, if any
	count     int     // TXT records that start with v=DMARC1
	malformed error   // count == 1 but the record did not parse
	err       error   // temporary failure (wraps ErrTemporary)
}

// session caches DNS answers for one Check or Lookup call, so the walks for
// the Author Domain and the authenticated identifiers share queries.
type session struct {
	c    *Checker
	txt  map[string]txtResult
	orgs map[string]orgResult
}

type orgResult struct {
	org string
	err error
}

func (c *Checker) newSession() *session {
	return &session{c: c, txt: map[string]txtResult{}, orgs: map[string]orgResult{}}
}

// fetch queries _dmarc.<domain> and applies RFC 9989 §4.10 step 2:
// records not starting with v=DMARC1 are discarded; several DMARC records
// are all discarded.
func (s *session) fetch(ctx context.Context, domain string) txtResult {
	if r, ok := s.txt[domain]; ok {
		return r
	}
	name := "_dmarc." + domain + "."
	var r txtResult
	if len(name)-1 > maxDomainLen {
		// A name this long cannot exist in the DNS (RFC 1035 §2.3.4), so
		// it holds no record; asking a resolver would only risk an error
		// that reads as a temporary failure.
		s.txt[domain] = r
		return r
	}
	txts, err := s.c.resolver().LookupTXT(ctx, name)
	if err = classify("TXT", name, err); err != nil {
		if err != errNotFound {
			r.err = err
		}
		s.txt[domain] = r
		return r
	}
	var only string
	for _, t := range txts {
		if HasDMARCVersion(t) {
			r.count++
			only = t
		}
	}
	if r.count == 1 {
		rec, perr := Parse(only)
		if perr != nil {
			r.malformed = chain(ErrMalformedRecord, name, perr)
		} else {
			r.rec = rec
		}
	}
	s.txt[domain] = r
	return r
}

// walkFound is one valid record met during a tree walk.
type walkFound struct {
	domain string
	rec    *Record
}

type walkResult struct {
	start     string
	found     []walkFound // longest name first
	malformed error       // first malformed record met, if any
	queries   int
}

// treeWalkTargets lists the names a tree walk queries for start (RFC 9989
// §4.10 steps 1-7): start itself, then, if start has 8 or more labels, its
// 7-label suffix, otherwise its parent, then each parent in turn down to a
// single label. There are never more than MaxTreeWalkQueries.
func treeWalkTargets(start string) []string {
	n := labelCount(start)
	out := make([]string, 0, min(n, MaxTreeWalkQueries))
	out = append(out, start)
	next := n - 1
	if n >= treeWalkShortcut+1 {
		next = treeWalkShortcut
	}
	for k := next; k >= 1; k-- {
		out = append(out, suffixLabels(start, k))
	}
	return out
}

// walk performs the DNS Tree Walk from start. With stopAtStart it stops
// after the first query when start itself has a record (policy discovery,
// §4.10.1). It stops at a record with psd=y or psd=n (steps 2 and 6). A
// temporary DNS failure ends the walk with that error: the outcome of a
// walk with a gap cannot be trusted (§5.3.6).
func (s *session) walk(ctx context.Context, start string, stopAtStart bool) (walkResult, error) {
	w := walkResult{start: start}
	for i, target := range treeWalkTargets(start) {
		w.queries++
		r := s.fetch(ctx, target)
		if r.err != nil {
			return w, r.err
		}
		if r.malformed != nil && w.malformed == nil {
			w.malformed = r.malformed
		}
		if r.rec == nil {
			continue
		}
		w.found = append(w.found, walkFound{domain: target, rec: r.rec})
		if psd := r.rec.PSD; psd == PSDYes || psd == PSDNo {
			break
		}
		if i == 0 && stopAtStart {
			break
		}
	}
	return w, nil
}

// orgFromWalk selects the Organizational Domain from a complete walk (RFC
// 9989 §4.10.2): going from the longest name to the shortest, a record
// with psd=n names itself; a record with psd=y (other than at the start)
// names the domain one label below it; otherwise the record with the
// fewest labels; with no record at all, the start domain.
func orgFromWalk(w walkResult) string {
	for _, f := range w.found {
		switch f.rec.PSD {
		case PSDNo:
			return f.domain
		case PSDYes:
			if f.domain != w.start {
				return suffixLabels(w.start, labelCount(f.domain)+1)
			}
		}
	}
	if len(w.found) > 0 {
		return w.found[len(w.found)-1].domain
	}
	return w.start
}

// policyFromWalk picks the DMARC Policy Record (RFC 9989 §4.10.1): the
// Author Domain's, else the Organizational Domain's, else the Public
// Suffix Domain's (the record with psd=y that ended the walk).
func policyFromWalk(w walkResult) (walkFound, bool) {
	if len(w.found) == 0 {
		return walkFound{}, false
	}
	if w.found[0].domain == w.start {
		return w.found[0], true
	}
	org := orgFromWalk(w)
	for _, f := range w.found {
		if f.domain == org {
			return f, true
		}
	}
	for _, f := range w.found {
		if f.rec.PSD == PSDYes {
			return f, true
		}
	}
	return walkFound{}, false
}

// lookup finds the policy record for a normalized Author Domain.
func (s *session) lookup(ctx context.Context, author string) (*Record, string, error) {
	if s.c.Discovery == PSL {
		return s.lookupPSL(ctx, author)
	}
	w, err := s.walk(ctx, author, true)
	if err != nil {
		return nil, "", err
	}
	if f, ok := policyFromWalk(w); ok {
		return f.rec, f.domain, nil
	}
	if w.malformed != nil {
		return nil, "", w.malformed
	}
	return nil, "", nil
}

// lookupPSL is RFC 7489 §6.6.3: the Author Domain, then (if the set of
// DMARC records there is empty) the Organizational Domain by the Public
// Suffix List. Several records, or a malformed one, end discovery.
func (s *session) lookupPSL(ctx context.Context, author string) (*Record, string, error) {
	r := s.fetch(ctx, author)
	domain := author
	if r.err == nil && r.count == 0 {
		if org := OrganizationalDomain(author); org != author {
			r = s.fetch(ctx, org)
			domain = org
		}
	}
	switch {
	case r.err != nil:
		return nil, "", r.err
	case r.malformed != nil:
		return nil, "", r.malformed
	case r.rec == nil:
		return nil, "", nil
	}
	return r.rec, domain, nil
}

// orgDomain returns the Organizational Domain of a normalized domain by the
// configured discovery method.
func (s *session) orgDomain(ctx context.Context, domain string) (string, error) {
	if s.c.Discovery == PSL {
		return OrganizationalDomain(domain), nil
	}
	if o, ok := s.orgs[domain]; ok {
		return o.org, o.err
	}
	w, err := s.walk(ctx, domain, false)
	o := orgResult{err: err}
	if err == nil {
		o.org = orgFromWalk(w)
	}
	s.orgs[domain] = o
	return o.org, o.err
}

// Lookup finds the DMARC Policy Record that applies to an Author Domain and
// returns it with the domain it was published at (the DMARC Policy
// Domain). With TreeWalk it follows RFC 9989 §4.10.1, with PSL RFC 7489
// §6.6.3. When no record applies it returns (nil, "", nil). The error wraps
// ErrTemporary for a temporary DNS failure, ErrMalformedRecord when the
// only candidate record was malformed, ErrInvalidDomain for a bad name.
func (c *Checker) Lookup(ctx context.Context, domain string) (*Record, string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return nil, "", err
	}
	return c.newSession().lookup(ctx, d)
}

// OrganizationalDomain returns the Organizational Domain of domain by the
// Checker's discovery method: the DNS Tree Walk (RFC 9989 §4.10.2) or the
// Public Suffix List (RFC 7489 §3.2). Only the tree walk can fail.
func (c *Checker) OrganizationalDomain(ctx context.Context, domain string) (string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}
	return c.newSession().orgDomain(ctx, d)
}
