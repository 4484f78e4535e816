package dane

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Limits of Verify. They bound its work whatever the records and the chain.
const (
	// MaxChain is the number of certificates of the server's chain that
	// Verify looks at; the rest are ignored.
	MaxChain = 16
	// MaxRecords is the number of TLSA records Verify looks at; the rest
	// are ignored. A TLSA RRset that fits a DNS message over TCP has far
	// fewer useful records.
	MaxRecords = 64
)

// VerifyOptions are the settings of Verify. The zero value verifies at the
// current time and does no name check.
type VerifyOptions struct {
	// Names are the reference identifiers that a certificate authenticated
	// through a DANE-TA(2) record must match (RFC 7672 §3.2.2): the TLSA
	// base domain, and the names Lookup puts in Host.Names. Matching is
	// case-insensitive; a wildcard "*" is honoured only as the complete
	// left-most label and matches exactly one label (RFC 7672 §3.2.3).
	// When Names is empty, no name check is done: SMTP callers must set
	// it (Host.VerifyOptions does). DANE-EE(3) matches never check names
	// (RFC 7672 §3.1.1).
	Names []string
	// Now is the time at which the certificates of a DANE-TA(2) chain must
	// be valid; zero means time.Now(). DANE-EE(3) matches never check
	// validity dates (RFC 7672 §3.1.1).
	Now time.Time
	// PKIXRoots, when not nil, makes PKIX-TA(0) and PKIX-EE(1) records
	// usable as RFC 6698 §2.1.1 defines them: the chain must also
	// validate against these roots at Now and match Names. This is for
	// protocols other than SMTP; for SMTP leave it nil, as those usages
	// are unusable there (RFC 7672 §3.1.3).
	PKIXRoots *x509.CertPool
}

// Match is a successful verification: the record that matched and where.
type Match struct {
	Record Record
	// Depth is the position in the certificate chain of what the record
	// matched, the server certificate being 0: 0 for DANE-EE(3); for
	// DANE-TA(2) the trust anchor's position in the chain that was
	// built, which is one above the certificate it signed when the
	// anchor comes from a record of matching type Full(0) and was not
	// sent by the server (for a bare public key, selector 1, the depth of
	// the certificate it signed). These are the depths OpenSSL reports.
	Depth int
}

// Verify checks a server's certificate chain (server certificate first,
// as in tls.ConnectionState.PeerCertificates) against TLSA records as
// RFC 7672 §3 says for SMTP and returns the record that matched.
//
// Unusable records are skipped (RFC 7672 §3.1: PKIX-TA(0), PKIX-EE(1),
// unknown parameters, a digest of the wrong length, Full(0) data that is
// not a certificate or key); when none is left the error is
// ErrNoUsableRecords. Among records of one usage and selector, only
// digests of the strongest matching type present are used (RFC 7671 §9:
// SHA2-512 over SHA2-256; Full(0) is always used).
//
// A DANE-EE(3) record matches the server certificate itself, with no name
// or expiry check (RFC 7672 §3.1.1, RFC 7671 §5.1). A DANE-TA(2) record
// matches a CA certificate of the chain other than the server's, or gives
// the trust anchor in full (a certificate or a public key with matching
// type Full(0)), which then need not be sent (RFC 7671 §5.2.2); the chain
// from the server certificate to that anchor must then validate at
// opts.Now (signatures, validity dates, CA constraints; the anchor itself
// is taken as a name and a key, RFC 5280 §6.1.1 (d), except that a
// self-signed anchor certificate must be valid too, as OpenSSL and so
// Postfix require), the server certificate must be fit for a TLS server
// (an extended key usage, when present, includes serverAuth; a key usage,
// when present, allows a TLS key), and it must match one of opts.Names
// (RFC 7672 §3.2.2). The server certificate is never its own DANE-TA(2)
// anchor. A failure of the names is ErrNameMismatch; any other failure is
// ErrNoMatch, which then also wraps the x509 error of the first anchor
// that failed.
func Verify(records []Record, chain []*x509.Certificate, opts VerifyOptions) (Record, error) {
	m, err := VerifyMatch(records, chain, opts)
	return m.Record, err
}

// VerifyMatch is Verify, telling also at which depth of the chain the
// record matched.
func VerifyMatch(records []Record, chain []*x509.Certificate, opts VerifyOptions) (Match, error) {
	if len(chain) == 0 || chain[0] == nil {
		return Match{}, fmt.Errorf("%w: no server certificate", ErrNoMatch)
	}
	if len(chain) > MaxChain {
		chain = chain[:MaxChain]
	}
	recs, skipped := usableRecords(records, opts.PKIXRoots != nil)
	if len(recs) == 0 {
		if skipped != nil {
			return Match{}, fmt.Errorf("%w: %w", ErrNoUsableRecords, skipped)
		}
		return Match{}, ErrNoUsableRecords
	}
	var d digests
	// DANE-EE(3): the server certificate, nothing else (RFC 7671 §5.1).
	for _, r := range recs {
		if r.Usage == UsageDANEEE && d.matches(chain[0], 0, r) {
			return Match{Record: r, Depth: 0}, nil
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	v := taVerifier{chain: chain, now: now, names: opts.Names}
	if opts.PKIXRoots != nil {
		if m, ok := v.tryPKIX(recs, &d, opts.PKIXRoots, UsagePKIXEE); ok {
			return m, nil
		}
	}
	// DANE-TA(2) anchors sent by the server, the lowest first, as a
	// chain builder meets them (RFC 7671 §5.2).
	for i := 1; i < len(chain); i++ {
		for _, r := range recs {
			if r.Usage == UsageDANETA && d.matches(chain[i], i, r) {
				if m, ok := v.try(anchorFromCert(chain[i], r)); ok {
					return m, nil
				}
				break
			}
		}
	}
	// DANE-TA(2) anchors given in full in the records (RFC 7671 §5.2.2).
	for _, r := range recs {
		if r.Usage != UsageDANETA || r.MatchingType != MatchFull {
			continue
		}
		var a anchor
		if r.Selector == SelectorCert {
			c, err := x509.ParseCertificate(r.Data)
			if err != nil {
				continue // Usable checked it
			}
			if c.Equal(chain[0]) {
				// The server certificate cannot anchor itself (OpenSSL:
				// "self-signed certificate"); DANE-EE(3) is for that.
				if v.pathErr == nil {
					v.pathErr = fmt.Errorf("DANE-TA(2) record %s is the server certificate itself", r.short())
				}
				continue
			}
			a = anchorFromCert(c, r)
		} else {
			a = anchorFromKey(r)
		}
		if m, ok := v.try(a); ok {
			return m, nil
		}
	}
	if opts.PKIXRoots != nil {
		if m, ok := v.tryPKIX(recs, &d, opts.PKIXRoots, UsagePKIXTA); ok {
			return m, nil
		}
	}
	return Match{}, v.failure()
}

// usableRecords returns the records Verify uses, in the order it tries
// them, and an error naming the first record it skipped.
func usableRecords(records []Record, pkix bool) ([]Record, error) {
	if len(records) > MaxRecords {
		records = records[:MaxRecords]
	}
	var out []Record
	var skipped error
	for _, r := range records {
		err := r.Usable()
		if pkix && (r.Usage == UsagePKIXTA || r.Usage == UsagePKIXEE) {
			err = r.usableParams()
		}
		if err != nil {
			if skipped == nil {
				skipped = err
			}
			continue
		}
		if !slices.ContainsFunc(out, r.Equal) {
			out = append(out, r)
		}
	}
	// Digest agility (RFC 7671 §9): per usage and selector, only the
	// strongest digest type present counts; Full(0) always does.
	var strongest [4][2]uint8
	for _, r := range out {
		if r.MatchingType > strongest[r.Usage][r.Selector] {
			strongest[r.Usage][r.Selector] = r.MatchingType
		}
	}
	out = slices.DeleteFunc(out, func(r Record) bool {
		return r.MatchingType != MatchFull && r.MatchingType < strongest[r.Usage][r.Selector]
	})
	// DANE-EE before DANE-TA, SPKI before Cert, stronger digests first,
	// Full last: the order OpenSSL tries them in, so that both name the
	// same record when several match.
	slices.SortStableFunc(out, func(a, b Record) int {
		switch {
		case a.Usage != b.Usage:
			return int(b.Usage) - int(a.Usage)
		case a.Selector != b.Selector:
			return int(b.Selector) - int(a.Selector)
		}
		return int(b.MatchingType) - int(a.MatchingType)
	})
	return out, skipped
}

// digests computes and keeps the digests of the chain's certificates.
type digests struct {
	cache [MaxChain][2][3][]byte
}

// matches reports whether record r matches certificate c, at index i of
// the chain.
func (d *digests) matches(c *x509.Certificate, i int, r Record) bool {
	return bytes.Equal(d.get(c, i, r.Selector, r.MatchingType), r.Data)
}

func (d *digests) get(c *x509.Certificate, i int, sel, mt uint8) []byte {
	if v := d.cache[i][sel][mt]; v != nil {
		return v
	}
	data := c.Raw
	if sel == SelectorSPKI {
		data = c.RawSubjectPublicKeyInfo
	}
	var v []byte
	switch mt {
	case MatchSHA256:
		s := sha256.Sum256(data)
		v = s[:]
	case MatchSHA512:
		s := sha512.Sum512(data)
		v = s[:]
	default:
		v = data
	}
	d.cache[i][sel][mt] = v
	return v
}

// taVerifier tries DANE-TA(2) anchors and remembers why they failed.
type taVerifier struct {
	chain   []*x509.Certificate
	now     time.Time
	names   []string
	nameErr error
	pathErr error
}

// try checks the chain against one anchor, then the names.
func (v *taVerifier) try(a anchor) (Match, bool) {
	depth, err := a.verify(v.chain, v.now)
	if err != nil {
		if v.pathErr == nil {
			v.pathErr = fmt.Errorf("DANE-TA(2) record %s: %w", a.rec.short(), err)
		}
		return Match{}, false
	}
	return v.checkNames(a.rec, depth)
}

// failure is the error after every record failed.
func (v *taVerifier) failure() error {
	switch {
	case v.nameErr != nil:
		return v.nameErr
	case v.pathErr != nil:
		return fmt.Errorf("%w: %w", ErrNoMatch, v.pathErr)
	}
	return ErrNoMatch
}

// tryPKIX tries the records of a PKIX usage (RFC 6698 §2.1.1): the chain
// must validate against roots, and for PKIX-EE(1) the record match the
// server certificate, for PKIX-TA(0) a CA certificate of the validated
// chain.
func (v *taVerifier) tryPKIX(recs []Record, d *digests, roots *x509.CertPool, usage uint8) (Match, bool) {
	var mine []Record
	for _, r := range recs {
		if r.Usage == usage {
			mine = append(mine, r)
		}
	}
	if len(mine) == 0 {
		return Match{}, false
	}
	inter := x509.NewCertPool()
	for _, c := range v.chain[1:] {
		inter.AddCert(c)
	}
	chains, err := v.chain[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: v.now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err == nil {
		err = serverKeyUsage(v.chain[0])
	}
	if err != nil {
		if v.pathErr == nil {
			v.pathErr = fmt.Errorf("PKIX record %s: %w", mine[0].short(), err)
		}
		return Match{}, false
	}
	var dd digests
	for _, r := range mine {
		if usage == UsagePKIXEE {
			if !d.matches(v.chain[0], 0, r) {
				continue
			}
			if m, ok := v.checkNames(r, 0); ok {
				return m, true
			}
			continue
		}
		for _, ch := range chains {
			for i := 1; i < len(ch) && i < MaxChain; i++ {
				dd = digests{}
				if dd.matches(ch[i], i, r) {
					if m, ok := v.checkNames(r, i); ok {
						return m, true
					}
				}
			}
		}
	}
	return Match{}, false
}

// checkNames checks the server certificate's names after a match.
func (v *taVerifier) checkNames(r Record, depth int) (Match, bool) {
	if len(v.names) > 0 && !certMatchesNames(v.chain[0], v.names) {
		if v.nameErr == nil {
			v.nameErr = fmt.Errorf("%w: record %s matches, but the certificate names %s, not %s",
				ErrNameMismatch, r.short(), certNames(v.chain[0]), quoteNames(v.names))
		}
		return Match{}, false
	}
	return Match{Record: r, Depth: depth}, true
}

// errNoIssuer means a bare trust-anchor key signed no certificate of the
// chain.
var errNoIssuer = errors.New("the trust anchor key signed no certificate of the chain")
