package spf

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// maxNames is the limit on MX and PTR names looked up by one "mx" or "ptr"
// mechanism or "p" macro (RFC 7208 §4.6.4).
const maxNames = 10

// keptTerms is how many parsed terms of a record an evaluation keeps on
// the stack between the syntax check and the evaluation; a longer record
// moves them to the heap.
const keptTerms = 8

// maxDepth caps include/redirect nesting whatever MaxLookups says, so no
// record can cause deep recursion.
const maxDepth = 32

// evaluator holds the state of one check_host() evaluation, including its
// recursive includes and redirects.
type evaluator struct {
	ctx          context.Context
	ec           *evalContext // ctx, when the Checker added a deadline
	calls        int          // DNS calls made
	r            Resolver
	ip           netip.Addr // unmapped, no zone
	local        string     // local-part of <sender>
	senderDomain string     // domain of <sender>
	senderAddr   string     // <sender>, built when first needed
	helo         string
	receiver     string
	now          func() time.Time

	maxLookups, maxVoid int
	lookups, voids      int

	localNonASCII bool // the local-part has non-ASCII bytes (RFC 8616 §4)

	ipDotted    string   // "i" macro in names, computed once
	ipDottedExp string   // "i" macro in explanations, computed once
	inExp       bool     // expanding an explanation
	pDone       bool     // pNames computed
	pNames      []string // validated names for the "p" macro

	names strings.Builder // the names queried, see fqdn
}

// frame is one domain on the path of include/redirect being evaluated,
// linked to the one that included or redirected to it; the frames live on
// the stack of checkHost's recursion.
type frame struct {
	domain string
	parent *frame
}

// hostResult is the outcome of one check_host() call.
type hostResult struct {
	result Result
	err    error
	mech   string // the matching mechanism as written
	domain string // the domain whose record gave the result
	exp    string // that record's exp= domain-spec
	hasExp bool
}

// checkHost is the check_host() function of RFC 7208 §4 for <domain>,
// already validated. parent is the path of domains that led here (nil at
// the top), depth its length.
func (e *evaluator) checkHost(domain string, parent *frame, depth int) hostResult {
	if depth >= maxDepth {
		return e.perm(domain, fmt.Errorf("%w: include/redirect nesting deeper than %d", ErrLookupLimit, maxDepth))
	}
	for f := parent; f != nil; f = f.parent {
		if strings.EqualFold(f.domain, domain) {
			return e.perm(domain, fmt.Errorf("%w: %s includes or redirects to itself", ErrLoop, domain))
		}
	}
	here := frame{domain: domain, parent: parent}

	// §4.4 record lookup, §4.5 selection.
	txts, notFound, err := e.lookupTXT(domain)
	if err != nil {
		return hostResult{result: TempError, err: err, domain: domain}
	}
	if notFound {
		return hostResult{result: None, domain: domain}
	}
	record, found, err := selectRecord(domain, txts)
	if err != nil {
		return e.perm(domain, err)
	}
	if !found {
		return hostResult{result: None, domain: domain}
	}
	body := record[len(versionTag):]

	// §4.6: the whole record is checked for syntax before evaluation.
	if err := checkASCII(body); err != nil {
		return e.perm(domain, fmt.Errorf("%w (in the record of %s)", err, domain))
	}
	var redirect, exp string
	var hasRedirect, hasExp bool
	// The terms are parsed once; a record of up to keptTerms terms (most
	// of them) keeps them on the stack.
	var kept [keptTerms]Term
	terms := kept[:0]
	for i := 0; ; {
		var tok string
		if tok, i = nextToken(body, i); tok == "" {
			break
		}
		terms = append(terms, Term{})
		t := &terms[len(terms)-1]
		err := parseTermInto(t, tok, true)
		if err == nil {
			err = checkDuplicate(t.Kind, tok, &hasRedirect, &hasExp)
		}
		if err != nil {
			return e.perm(domain, fmt.Errorf("%w (in the record of %s)", err, domain))
		}
		switch t.Kind {
		case KindRedirect:
			redirect = t.Value
		case KindExp:
			exp = t.Value
		}
	}

	// §4.6.2: mechanisms left to right; the first match decides.
	for k := range terms {
		t := &terms[k]
		var match bool
		switch t.Kind {
		// The mechanisms that need no lookup are decided here, without
		// the call to match (most terms of most records are of these).
		case KindAll:
			match = true
		case KindIP4:
			match = e.ip.Is4() && t.Prefix.Contains(e.ip)
		case KindIP6:
			match = e.ip.Is6() && t.Prefix.Contains(e.ip)
		case KindRedirect, KindExp, KindModifier:
			continue
		default:
			var res hostResult
			match, res = e.match(t, domain, &here, depth)
			if res.result != "" {
				return res
			}
		}
		if match {
			return hostResult{result: t.Qualifier.Result(), mech: t.text, domain: domain, exp: exp, hasExp: hasExp}
		}
	}

	// §6.1: redirect applies only when no mechanism matched (an "all"
	// always matches, so a record with "all" never gets here).
	if hasRedirect {
		if e.skipForLocalPart(redirect) {
			return e.perm(domain, fmt.Errorf("%w: redirect=%s needs the local-part, which is not ASCII (RFC 8616 §4)", ErrNoRecord, redirect))
		}
		if err := e.countLookup(domain, "redirect=", redirect); err != nil {
			return e.perm(domain, err)
		}
		target, ok := e.target(redirect, domain)
		if !ok {
			return e.perm(domain, fmt.Errorf("%w: redirect=%s expands to an invalid name", ErrNoRecord, redirect))
		}
		r := e.checkHost(target, &here, depth+1)
		if r.result == None {
			return e.perm(domain, fmt.Errorf("%w: redirect=%s (%s)", ErrNoRecord, redirect, target))
		}
		return r
	}
	return hostResult{result: Neutral, domain: domain} // §4.7
}

func (e *evaluator) perm(domain string, err error) hostResult {
	return hostResult{result: PermError, err: err, domain: domain}
}

// skipForLocalPart reports whether a term with the domain-spec spec must
// match nothing: RFC 8616 §4 says terms that include %{s} or %{l} do not
// match anything when the local-part is not ASCII, as it cannot form the
// DNS labels those macros are meant for. Such a term makes no query and is
// not counted.
func (e *evaluator) skipForLocalPart(spec string) bool {
	return e.localNonASCII && strings.IndexByte(spec, '%') >= 0 && usesLocalPart(spec)
}

// countLookup counts a DNS-querying term against the limit (§4.6.4). The
// term that would exceed the limit is not evaluated and not counted, so
// Verdict.Lookups never exceeds the limit.
func (e *evaluator) countLookup(domain, prefix, term string) error {
	if e.lookups >= e.maxLookups {
		return fmt.Errorf("%w: more than %d, at %q in the record of %s", ErrLookupLimit, e.maxLookups, prefix+term, domain)
	}
	e.lookups++
	return nil
}

// countVoid counts a term whose lookup found no records (§4.6.4).
func (e *evaluator) countVoid(domain, term string) error {
	e.voids++
	if e.voids > e.maxVoid {
		return fmt.Errorf("%w: more than %d, at %q in the record of %s", ErrVoidLookupLimit, e.maxVoid, term, domain)
	}
	return nil
}

// target expands a domain-spec into the name to query, without the final
// dot (RFC 7208 §7.3: macros expanded, long names cut from the left). An
// empty spec means <domain>. ok is false when the result is not a name DNS
// can carry; such a target matches nothing.
func (e *evaluator) target(spec, domain string) (string, bool) {
	if spec == "" {
		return domain, true
	}
	var name string
	if strings.IndexByte(spec, '%') < 0 {
		name = truncateName(trimDot(spec))
	} else {
		var scratch [256]byte
		b := e.expand(scratch[:0], spec, domain)
		if len(b) > maxExpansion {
			return "", false
		}
		if len(b) > 0 && b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
		name = truncateName(string(b))
	}
	return name, validName(name)
}

// match evaluates one mechanism that makes DNS queries (RFC 7208 §5:
// include, a, mx, ptr, exists; checkHost decides all, ip4 and ip6 itself).
// f is the frame of domain, the domain whose record holds the mechanism. A
// non-empty res.result ends the evaluation with that result (an error, or
// the result of a failed include).
func (e *evaluator) match(t *Term, domain string, f *frame, depth int) (bool, hostResult) {
	if e.skipForLocalPart(t.Value) {
		return false, hostResult{}
	}
	if err := e.countLookup(domain, "", t.text); err != nil {
		return false, e.perm(domain, err)
	}
	name, ok := e.target(t.Value, domain)
	if !ok && t.Kind != KindInclude {
		// §4.8, §5: a name that cannot be queried does not exist.
		return false, hostResult{}
	}
	switch t.Kind {
	case KindInclude:
		return e.include(t, name, ok, domain, f, depth)
	case KindA:
		addrs, notFound, err := e.lookupIP(e.network(), name)
		if err != nil {
			return false, hostResult{result: TempError, err: err, domain: domain}
		}
		if notFound {
			return false, e.void(domain, t)
		}
		return e.matchAddrs(addrs, t.CIDR4, t.CIDR6), hostResult{}
	case KindMX:
		return e.matchMX(t, name, domain)
	case KindPTR:
		names, void, err := e.validatedNames(func(n string) bool { return hasSuffixFold(n, name) }, true)
		if err != nil {
			return false, hostResult{result: TempError, err: err, domain: domain}
		}
		if void {
			return false, e.void(domain, t)
		}
		return len(names) > 0, hostResult{}
	case KindExists:
		addrs, notFound, err := e.lookupIP("ip4", name) // §5.7: always A
		if err != nil {
			return false, hostResult{result: TempError, err: err, domain: domain}
		}
		if notFound {
			return false, e.void(domain, t)
		}
		return len(addrs) > 0, hostResult{}
	}
	return false, hostResult{}
}

// void counts a void lookup; the result is empty unless the limit is
// exceeded.
func (e *evaluator) void(domain string, t *Term) hostResult {
	if err := e.countVoid(domain, t.text); err != nil {
		return e.perm(domain, err)
	}
	return hostResult{}
}

// include applies the table of RFC 7208 §5.2.
func (e *evaluator) include(t *Term, name string, ok bool, domain string, f *frame, depth int) (bool, hostResult) {
	if !ok {
		return false, e.perm(domain, fmt.Errorf("%w: %s expands to an invalid name", ErrNoRecord, t.text))
	}
	r := e.checkHost(name, f, depth+1)
	switch r.result {
	case Pass:
		return true, hostResult{}
	case Fail, SoftFail, Neutral:
		return false, hostResult{}
	case None:
		return false, e.perm(domain, fmt.Errorf("%w: %s", ErrNoRecord, t.text))
	}
	return false, r // TempError, PermError propagate
}

// matchMX evaluates "mx" (RFC 7208 §5.4).
func (e *evaluator) matchMX(t *Term, name, domain string) (bool, hostResult) {
	mxs, notFound, err := e.lookupMX(name)
	if err != nil {
		return false, hostResult{result: TempError, err: err, domain: domain}
	}
	if notFound {
		return false, e.void(domain, t)
	}
	if len(mxs) > maxNames {
		return false, e.perm(domain, fmt.Errorf("%w: %s has %d, more than %d", ErrMXLimit, name, len(mxs), maxNames))
	}
	network := e.network()
	for _, mx := range mxs {
		host := trimDot(mx.Host)
		if host == "" || !validName(host) {
			continue // null MX (RFC 7505) or an unusable name
		}
		addrs, _, err := e.lookupIP(network, host)
		if err != nil {
			return false, hostResult{result: TempError, err: err, domain: domain}
		}
		if e.matchAddrs(addrs, t.CIDR4, t.CIDR6) {
			return true, hostResult{}
		}
	}
	return false, hostResult{}
}

// explain computes the explanation of a Fail from the exp= of the deciding
// record (RFC 7208 §6.2). Any problem means no explanation.
func (e *evaluator) explain(spec, domain string) string {
	if e.skipForLocalPart(spec) {
		return ""
	}
	name, ok := e.target(spec, domain)
	if !ok {
		return ""
	}
	txts, _, err := e.lookupTXT(name)
	if err != nil || len(txts) != 1 {
		return ""
	}
	return e.expandExplanation(txts[0], domain)
}

// expandExplanation expands an explain-string; "" when it is not valid
// 7-bit text with valid macros, or when its expansion is not printable
// US-ASCII (RFC 7208 §6.2: the explanation is meant for an SMTP reply and
// "MUST be limited to [US-ASCII]"; a macro such as %{l} carries
// sender-controlled bytes) or is longer than maxExpansion.
func (e *evaluator) expandExplanation(s, domain string) string {
	if _, reason := checkMacroString(s, true); reason != "" {
		return ""
	}
	if strings.IndexByte(s, '%') < 0 {
		return s // checkMacroString allowed only printable ASCII
	}
	e.inExp = true
	b := e.expand(nil, s, domain)
	e.inExp = false
	if len(b) > maxExpansion {
		return ""
	}
	for _, c := range b {
		if c < ' ' || c > '~' {
			return ""
		}
	}
	return string(b)
}
