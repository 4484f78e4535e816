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
// # Details
//
// DESIGN.md beside this file says how Forward and Reverse treat every
// corner (null senders, angle brackets, '@' and '=' in local parts, case
// changes, base64url hashes, timestamps modulo 1024, local parts over the
// 64 octets of RFC 5321 §4.5.3.1.1, MaxAddressLength) and where they
// differ from Mail::SRS, libsrs2 and postsrsd.
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
