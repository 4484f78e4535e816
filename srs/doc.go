// Package srs implements the Sender Rewriting Scheme (SRS) used by mail
// forwarders, producing and accepting exactly the addresses of Perl's
// Mail::SRS (its default "Guarded" scheme), libsrs2 and postsrsd.
//
// A forwarder that relays a message with the original envelope sender
// (RFC 5321 MAIL FROM) fails the sender's SPF check (RFC 7208) at the next
// hop. SRS replaces the sender with an address in the forwarder's own
// domain that encodes the original one, signed so that only the forwarder
// can turn it back, and dated so that it expires:
//
//	user@example.org
//	  -> SRS0=HHHH=TT=example.org=user@forwarder.example        (first hop)
//	  -> SRS1=HHHH=forwarder.example==HHHH=TT=example.org=user@next.example
//
// HHHH is the start (HashLength base64 characters, 4 by default) of
// HMAC-SHA1 (RFC 2104) keyed with the secret over the fields of the
// address, each lower-cased in ASCII and concatenated without separator:
// timestamp, domain and local part for SRS0; first-forwarder domain and
// opaque SRS0 remainder for SRS1. TT is the day number (Unix time / 86400)
// modulo 1024 in two base32 characters (RFC 4648 alphabet). Forwarding an
// SRS0 address produces SRS1 (the "guarded" shortcut: bounces go straight
// back to the first forwarder); forwarding an SRS1 only re-signs it.
// The first separator may be '=', '+' or '-' so that MTAs splitting local
// parts at a delimiter can route all SRS mail to one mailbox.
//
// # Usage
//
//	rw := &srs.Rewriter{
//		Domain:  "forwarder.example",
//		Secrets: [][]byte{newSecret, oldSecret}, // first signs, all verify
//	}
//	sender, err := rw.Forward(mailFrom) // use as MAIL FROM when relaying
//	...
//	orig, err := rw.Reverse(rcptTo)     // a bounce arrives for an SRS address
//	switch {
//	case errors.Is(err, srs.ErrNotSRS): // an ordinary recipient
//	case err != nil:                    // forged, damaged or expired: reject
//	default:                            // relay the bounce to orig
//	}
//
// # Behaviour in detail
//
// Forward leaves the null sender ("" or "<>") alone, and a sender in the
// forwarder's own Domain (compared ignoring ASCII case) unless
// AlwaysRewrite is set. Addresses are split at the last '@'; like Mail::SRS
// (and unlike postsrsd, which splits at the first), a local part
// containing '@' is refused. Quotes, '=', '+' and '-' in the local part are
// carried through verbatim, so the result is the one the reference
// implementations produce. Forward takes the bare address: a sender in
// angle brackets ("<user@example.org>") is refused with ErrMalformed, not
// stripped, as is one without a local part ("@example.org") or without
// '@'. This is the one place where Forward is stricter than Mail::SRS and
// postsrsd, which make unusable addresses of such input; Reverse still
// accepts what they made. Reverse splits SRS0 into at most four fields,
// so the original local part may contain '='.
//
// Reverse compares the hash in constant time against every secret,
// exactly first and then ignoring case (some MTAs change the case of local
// parts; the timestamp survives that because base32 has one case); it also
// accepts the base64url characters '-' and '_' that newer postsrsd versions
// emit. A hash shorter than HashMin is refused; a longer one is compared
// with the same-length prefix of the MAC. An SRS0 timestamp is valid from
// its day until MaxAge days later (21 by default); since it counts days
// modulo 1024, today's value is raised by 1024 when it is below the stamp,
// and a stamp from the future therefore counts as nearly 1024 days old and
// is refused. SRS1 addresses carry no timestamp of their own. Reverse does
// not check the domain of the address: routing has already decided it is
// the forwarder's.
//
// The MAC input concatenates fields without delimiters (as in every
// implementation), so moving a field boundary keeps the MAC valid.
// Reverse therefore accepts only addresses that Forward itself could have
// produced: complete fields, a non-empty domain without '=', spaces or
// control characters (Mail::SRS and libsrs2 take any domain, and so does
// Forward, but an '=' there could never reverse), a two-character
// timestamp, no '@' and no SRS tag in an SRS0 user part. Mail::SRS accepts
// a few such re-split or degenerate forms; this package does not, and
// reports them as malformed (ErrMalformed, together with ErrBadHash, since
// their hash cannot verify: Mail::SRS says "Invalid hash"). The remainder
// of an SRS1 address is opaque: like Mail::SRS and libsrs2, Forward and
// Reverse keep it as it is even when it does not start with a separator.
//
// # Local parts over 64 octets
//
// RFC 5321 §4.5.3.1.1 limits a local part to 64 octets, while §4.5.3.1
// asks implementations to accept larger objects wherever possible. An SRS
// local part holds a whole address plus about 14 octets, so it often
// exceeds 64. Forward returns such addresses, as Mail::SRS, libsrs2 and
// postsrsd do: truncating would make them irreversible, and widely used
// MTAs accept them. A forwarder whose next hops enforce the limit sets
// LimitLocalPart; Forward then returns an error wrapping ErrTooLong
// instead, and the caller can relay with the original sender or refuse.
// Reverse accepts long local parts. Every address Forward or Reverse takes
// or makes is bounded by MaxAddressLength (1024 octets).
//
// # Differences from the peers
//
// postsrsd (1.x) declines to forward an address that its own secrets
// already verify ("Already rewritten"); Mail::SRS and this package re-wrap
// it as SRS1. postsrsd's minimum hash length defaults to 4 whatever the
// hash length; here, as in Mail::SRS, HashMin defaults to HashLength.
// Like Mail::SRS, a HashLength above 27 gives the whole 27-character MAC,
// and HashMin defaults to the configured HashLength. Forward refuses
// (ErrMalformed) a sender whose domain holds '=', a space or a control
// character, and an SRS1 sender without a host field; Mail::SRS and
// libsrs2 rewrite those too, into addresses that cannot be reversed or
// that reverse to garbage. Any other domain, valid name or not, is
// rewritten exactly as they do.
//
// # Not implemented
//
// The database-backed schemes (Mail::SRS::DB, postsrsd 2's
// "original-envelope = database"), the hashless SRS1 format accepted by
// Mail::SRS's AllowUnsafeSrs, and the Reversible and Shortcut schemes are
// not provided. Converting U-labels to A-labels is left to the caller.
// SRS is not an RFC; the format follows the Mail::SRS documentation and
// code, which libsrs2 and postsrsd reproduce.
package srs
