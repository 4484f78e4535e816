package authres

import (
	"errors"
	"strconv"
)

// ErrAuthServID is returned by Build for an authserv-id that is empty or
// holds control characters, and by a Stripper without one.
var ErrAuthServID = errors.New("authres: missing or invalid authserv-id")

// Build returns the Header of authServID with one result per method
// string, in order. The strings are what the suite's packages return from
// their AuthResult methods ("spf=pass smtp.mailfrom=example.org",
// "dkim=pass header.d=example.org header.s=sel ...", "iprev=pass
// policy.iprev=192.0.2.1 (mail.example.org)"); each must be one resinfo
// (RFC 8601 §2.2), comments allowed, and is kept as the Result's Text. No
// methods gives "none".
func Build(authServID string, methods ...string) (*Header, error) {
	if authServID == "" || hasCtl(authServID) {
		return nil, ErrAuthServID
	}
	h := &Header{AuthServID: authServID}
	for _, m := range methods {
		if err := h.Add(m); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Add parses method, one resinfo such as
// "spf=pass smtp.mailfrom=example.org", and appends it to Results, with
// method as its Text. The error says where method went wrong (a
// *ParseError wrapping ErrSyntax or ErrLimit).
func (h *Header) Add(method string) error {
	if len(h.Results) >= MaxResults {
		return &ParseError{Msg: "more than " + strconv.Itoa(MaxResults) + " results", Err: ErrLimit}
	}
	p := parser{s: method}
	if len(method) > MaxValueLen {
		return p.limit(MaxValueLen, "method longer than "+strconv.Itoa(MaxValueLen)+" bytes")
	}
	start, err := p.textStart()
	if err != nil {
		return err
	}
	r, err := p.resinfo(start)
	if err != nil {
		return err
	}
	if !p.eof() {
		return p.syntax(`expected the end of the method, found ";": give one result per string`)
	}
	h.Results = append(h.Results, r)
	return nil
}

func hasCtl(s string) bool {
	for i := 0; i < len(s); i++ {
		if isCtl(s[i]) {
			return true
		}
	}
	return false
}

// Consolidate returns one Header of authServID holding, in order, the
// results of every value (an Authentication-Results field value, top
// field first) whose authserv-id is authServID by EqualAuthServID;
// values of other ADMDs are passed over. This is what an ARC sealer puts
// in its ARC-Authentication-Results field (RFC 8617 §4.1.1, §5.1): the
// results of its own ADMD, with their text. A value that claims
// authServID (as Stripper.Claims) but does not parse is an error, as is a
// total beyond MaxResults.
func Consolidate(authServID string, values ...string) (*Header, error) {
	if authServID == "" || hasCtl(authServID) {
		return nil, ErrAuthServID
	}
	ids := []string{authServID}
	h := &Header{AuthServID: authServID}
	for _, v := range values {
		got, err := Parse(v)
		if err != nil {
			if claims(ids, v) {
				return nil, err
			}
			continue
		}
		if !EqualAuthServID(authServID, got.AuthServID) {
			continue
		}
		if len(h.Results)+len(got.Results) > MaxResults {
			return nil, &ParseError{Msg: "more than " + strconv.Itoa(MaxResults) + " results of " + authServID, Err: ErrLimit}
		}
		h.Results = append(h.Results, got.Results...)
	}
	return h, nil
}
