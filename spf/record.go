package spf

import (
	"net/netip"
	"strconv"
	"strings"
)

// Kind says what a Term is: one of the eight mechanisms of RFC 7208 §5 or a
// modifier of §6.
type Kind uint8

// The kinds of term.
const (
	KindAll      Kind = iota + 1 // all
	KindInclude                  // include:domain-spec
	KindA                        // a[:domain-spec][dual-cidr]
	KindMX                       // mx[:domain-spec][dual-cidr]
	KindPTR                      // ptr[:domain-spec]
	KindIP4                      // ip4:network[/len]
	KindIP6                      // ip6:network[/len]
	KindExists                   // exists:domain-spec
	KindRedirect                 // redirect=domain-spec
	KindExp                      // exp=domain-spec
	KindModifier                 // an unknown modifier name=macro-string, kept but ignored (§6)
)

var kindNames = [...]string{
	KindAll: "all", KindInclude: "include", KindA: "a", KindMX: "mx",
	KindPTR: "ptr", KindIP4: "ip4", KindIP6: "ip6", KindExists: "exists",
	KindRedirect: "redirect", KindExp: "exp", KindModifier: "modifier",
}

// String returns the term's name as written in records ("include",
// "redirect"); "modifier" for unknown modifiers.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// IsMechanism reports whether k is one of the eight mechanisms.
func (k Kind) IsMechanism() bool { return k >= KindAll && k <= KindExists }

// NoCIDR is the value of Term.CIDR4 and Term.CIDR6 when no prefix length was
// written.
const NoCIDR = -1

// Term is one mechanism or modifier of a record.
type Term struct {
	Kind Kind
	// Qualifier of a mechanism; 0 when none was written (which means "+").
	Qualifier Qualifier
	// Name of an unknown modifier, as written.
	Name string
	// Value is the domain-spec (an unexpanded macro-string) of include,
	// a, mx, ptr, exists, redirect and exp ("" when a, mx or ptr has none),
	// or the macro-string value of an unknown modifier.
	Value string
	// Prefix is the network of ip4 and ip6, as written (not masked); its
	// length is 32 or 128 when none was written.
	Prefix netip.Prefix
	// CIDR4 and CIDR6 are the prefix lengths written after a and mx
	// (dual-cidr-length), after ip4 (CIDR4) and ip6 (CIDR6); NoCIDR when
	// absent. Parse always sets them.
	CIDR4, CIDR6 int

	text string // the term as written, during evaluation only (Parse clears it)
}

// String returns the term in record syntax.
func (t Term) String() string {
	var b strings.Builder
	t.appendTo(&b)
	return b.String()
}

// Text returns the term as written in a record the Checker evaluated,
// else (for terms of a Record from Parse, or built by hand) its String
// form.
func (t Term) Text() string {
	if t.text != "" {
		return t.text
	}
	return t.String()
}

func (t Term) appendTo(b *strings.Builder) {
	switch t.Kind {
	case KindRedirect, KindExp:
		b.WriteString(t.Kind.String())
		b.WriteByte('=')
		b.WriteString(t.Value)
		return
	case KindModifier:
		b.WriteString(t.Name)
		b.WriteByte('=')
		b.WriteString(t.Value)
		return
	}
	if t.Qualifier != 0 {
		b.WriteByte(byte(t.Qualifier))
	}
	b.WriteString(t.Kind.String())
	switch t.Kind {
	case KindIP4, KindIP6:
		b.WriteByte(':')
		b.WriteString(t.Prefix.Addr().String())
		n := t.CIDR4
		if t.Kind == KindIP6 {
			n = t.CIDR6
		}
		if n >= 0 {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(n))
		}
		return
	}
	if t.Value != "" || t.Kind == KindInclude || t.Kind == KindExists {
		b.WriteByte(':')
		b.WriteString(t.Value)
	}
	if t.Kind == KindA || t.Kind == KindMX {
		if t.CIDR4 >= 0 {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(t.CIDR4))
		}
		if t.CIDR6 >= 0 {
			b.WriteString("//")
			b.WriteString(strconv.Itoa(t.CIDR6))
		}
	}
}

// Record is a parsed SPF record: its terms in the order written.
type Record struct {
	Terms []Term
}

// String returns the record in canonical syntax: "v=spf1", then each term
// separated by one space, names in lower case. Parse(r.String()) yields a
// record equal to r.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for _, t := range r.Terms {
		b.WriteByte(' ')
		t.appendTo(&b)
	}
	return b.String()
}

// Redirect returns the domain-spec of the record's redirect modifier.
func (r *Record) Redirect() (string, bool) { return r.modifier(KindRedirect) }

// Exp returns the domain-spec of the record's exp modifier.
func (r *Record) Exp() (string, bool) { return r.modifier(KindExp) }

func (r *Record) modifier(k Kind) (string, bool) {
	for _, t := range r.Terms {
		if t.Kind == k {
			return t.Value, true
		}
	}
	return "", false
}
