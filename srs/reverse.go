package srs

import "strings"

// Reverse returns the address an SRS address stands for: the original
// sender for SRS0, the first forwarder's SRS0 address for SRS1. It checks
// that the hash was made with one of Secrets (ErrBadHash) and, for SRS0,
// that the timestamp is at most MaxAge old and not in the future
// (ErrExpired). An address without the SRS0/SRS1 tag gives ErrNotSRS.
//
// The hash is compared in constant time, exactly first and then ignoring
// case, since some mail systems change the case of local parts; the
// result keeps whatever case the address had. The domain of address is
// not checked: routing decided it was ours.
//
// Reverse accepts only what Forward could have produced with the same
// secrets: fields must be complete, the domain valid, the timestamp two
// base32 characters.
//
// A malformed SRS address (missing fields, a bad timestamp or domain) gives
// an error that matches both ErrMalformed and ErrBadHash: its hash cannot
// verify, which is what Mail::SRS reports for such addresses ("Invalid
// hash"), so callers that only test ErrBadHash see them too.
func (r *Rewriter) Reverse(address string) (string, error) {
	cfg, err := r.begin("address", address)
	if err != nil {
		return "", err
	}
	at := lastAt(address)
	local := address
	if at >= 0 {
		local = address[:at]
	}
	tag := srsTag(local)
	if tag == 0 {
		return "", errf(ErrNotSRS, "%q does not start with SRS0 or SRS1 and a separator", address)
	}
	if at < 0 || at == len(address)-1 {
		return "", errf(ErrMalformed, "address %q has no domain", address)
	}

	s := getScratch()
	defer putScratch(s)
	k := r.keyState()
	body := local[5:]
	if tag == '1' {
		i := strings.IndexByte(body, '=')
		if i < 0 {
			return "", errUnverifiable("address %q: SRS1 local part has no fields after the hash", address)
		}
		host, rest, ok := splitSRS1(body)
		if !ok || strings.IndexByte(rest, '@') >= 0 {
			return "", errUnverifiable("address %q: SRS1 local part lacks a valid host after the hash", address)
		}
		s.setData(host, rest)
		if !k.verify(s, body[:i], cfg.hashMin) {
			return "", errf(ErrBadHash, "address %q (hash %q)", address, body[:i])
		}
		return "SRS0" + rest + "@" + host, nil
	}

	// SRS0<s>HASH=TT=HOST=USER; USER may itself contain '='.
	var f [3]int // positions of the first three '='
	n := 0
	for i := 0; i < len(body) && n < 3; i++ {
		if body[i] == '=' {
			f[n] = i
			n++
		}
	}
	if n < 3 {
		return "", errUnverifiable("address %q: SRS0 local part needs hash, timestamp, host and user", address)
	}
	hash, ts, host, user := body[:f[0]], body[f[0]+1:f[1]], body[f[1]+1:f[2]], body[f[2]+1:]
	stamp, ok := decodeStamp(ts)
	if !ok {
		return "", errUnverifiable("address %q: timestamp %q is not two base32 characters", address, ts)
	}
	if !validHost(host) {
		return "", errUnverifiable("address %q: %q is not a domain", address, host)
	}
	if strings.IndexByte(user, '@') >= 0 || srsTag(user) != 0 {
		return "", errUnverifiable("address %q: user %q cannot come from an SRS0 rewrite", address, user)
	}
	s.setData(ts, host, user)
	if !k.verify(s, hash, cfg.hashMin) {
		return "", errf(ErrBadHash, "address %q (hash %q)", address, hash)
	}
	if !stampValid(stamp, dayNumber(r.now()), cfg.maxDays) {
		return "", errf(ErrExpired, "address %q: timestamp %q is older than %d days or in the future", address, ts, cfg.maxDays)
	}
	return user + "@" + host, nil
}
