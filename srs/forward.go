package srs

import "strings"

// Forward returns the address to use as envelope sender when forwarding a
// message whose sender is sender:
//
//   - "" and "<>" (the null reverse-path of bounces) are returned as they
//     are: there is nobody to bounce to.
//   - A sender whose domain equals Domain (ignoring ASCII case) is
//     returned unchanged unless AlwaysRewrite is set.
//   - An SRS0 address (from the first forwarder) becomes
//     SRS1<sep>HASH=<its domain>=<its local part after "SRS0">@Domain.
//   - An SRS1 address becomes a new SRS1 keeping its first-forwarder
//     domain and opaque remainder, with a new hash and @Domain.
//   - Anything else becomes SRS0<sep>HASH=TT=<domain>=<local>@Domain.
//
// The address is split at its last '@'; a local part containing '@'
// (possible only when quoted) is refused with ErrMalformed, as Mail::SRS
// does. Quotes and any other characters in the local part are kept as
// they are.
//
// sender is the bare address, as in a reverse-path without its brackets.
// An address in angle brackets ("<user@example.org>", or with a stray '<'
// or '>' at either end) is refused with ErrMalformed, not stripped: the
// brackets belong to the SMTP command, and an address that still carries
// them usually means the caller passed the wrong string. A sender without
// a local part ("@example.org": RFC 5321 §4.1.2 allows no empty one, but
// the quoted `""@example.org` is accepted) or without '@' ("example.org")
// is refused too. Here this package is stricter than Mail::SRS and
// postsrsd, which turn such input into addresses like
// "SRS0=HHHH=TT=example.org>=<user@forwarder" that no bounce can use;
// Reverse still accepts what they made.
func (r *Rewriter) Forward(sender string) (string, error) {
	if sender == "" || sender == "<>" {
		return sender, nil
	}
	cfg, err := r.begin("sender", sender)
	if err != nil {
		return "", err
	}
	domain, err := r.forwardDomain()
	if err != nil {
		return "", err
	}
	if sender[0] == '<' || sender[len(sender)-1] == '>' {
		return "", errf(ErrMalformed, "sender %q is in angle brackets: pass the address without them", sender)
	}
	at := lastAt(sender)
	if at < 0 {
		return "", errf(ErrMalformed, "sender %q has no '@': a domain alone is not an address", sender)
	}
	user, host := sender[:at], sender[at+1:]
	if user == "" {
		return "", errf(ErrMalformed, "sender %q has an empty local part", sender)
	}
	if !validHost(host) {
		return "", errf(ErrMalformed, "sender %q: %q is not a domain", sender, host)
	}
	if strings.IndexByte(user, '@') >= 0 {
		return "", errf(ErrMalformed, "sender %q: local part contains '@'", sender)
	}
	if !r.AlwaysRewrite && equalFoldASCII(host, domain) {
		return sender, nil
	}

	s := getScratch()
	defer putScratch(s)
	var stamp [2]byte
	tag := srsTag(user)
	switch tag {
	case '1':
		// SRS1<s>HASH=HOST=REST: keep HOST and REST, re-sign them.
		h, u, ok := splitSRS1(user[5:])
		if !ok {
			return "", errf(ErrMalformed, "sender %q: SRS1 local part lacks hash, host or SRS0 remainder", sender)
		}
		host, user = h, u
		s.setData(host, user)
	case '0':
		// SRS0<s>REST@HOST: wrap as SRS1, keeping <s>REST opaque.
		tag = '1'
		user = user[4:]
		s.setData(host, user)
	default:
		tag = '0'
		stamp = encodeStamp(dayNumber(r.now()))
		s.setData(string(stamp[:]), host, user)
	}
	var mac [MaxHashLength]byte
	r.keyState().mac(s, 0, &mac)
	hash := mac[:cfg.hashLength]

	// "SRSx" sep hash "=" [TT "="] host "=" user
	local := 4 + 1 + len(hash) + 1 + len(host) + 1 + len(user)
	if tag == '0' {
		local += 3
	}
	if r.LimitLocalPart && local > MaxLocalPartLength {
		return "", errf(ErrTooLong, "sender %q: rewritten local part would be %d octets, over the RFC 5321 limit of %d", sender, local, MaxLocalPartLength)
	}
	total := local + 1 + len(domain)
	if total > MaxAddressLength {
		return "", errf(ErrTooLong, "sender %q: rewritten address would be %d octets, over %d", sender, total, MaxAddressLength)
	}
	var b strings.Builder
	b.Grow(total)
	b.WriteString("SRS")
	b.WriteByte(tag)
	b.WriteByte(cfg.separator)
	b.Write(hash)
	b.WriteByte('=')
	if tag == '0' {
		b.Write(stamp[:])
		b.WriteByte('=')
	}
	b.WriteString(host)
	b.WriteByte('=')
	b.WriteString(user)
	b.WriteByte('@')
	b.WriteString(domain)
	return b.String(), nil
}

// splitSRS1 splits the part of an SRS1 local part after "SRS1<s>" into the
// first forwarder's host and the SRS0 remainder. The host must be a valid
// host; the remainder is opaque and kept as it is, even when it does not
// start with a separator or is empty: Mail::SRS (Guarded compile and
// parse) and libsrs2 (srs_compile_guarded, srs_parse_guarded) accept both,
// so an SRS1 address made by either still forwards and reverses here.
func splitSRS1(body string) (host, rest string, ok bool) {
	i := strings.IndexByte(body, '=')
	if i < 0 {
		return "", "", false
	}
	body = body[i+1:]
	j := strings.IndexByte(body, '=')
	if j < 0 {
		return "", "", false
	}
	host, rest = body[:j], body[j+1:]
	if !validHost(host) {
		return "", "", false
	}
	return host, rest, true
}
