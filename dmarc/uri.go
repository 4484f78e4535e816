package dmarc

import (
	"net/url"
	"strconv"
	"strings"
)

// ReportURI is one entry of a rua or ruf list (RFC 9989 §4.6, §4.8): a URI
// with the obsolete "!size" suffix of RFC 7489 §6.2 kept when present.
type ReportURI struct {
	URI  string // as published, without the size suffix
	Size uint64 // the number of "!size"; 0 when there is none
	Unit byte   // 0, 'k', 'm', 'g' or 't' (lower case)
}

// MaxBytes returns the size limit in bytes (0 for none), saturating at the
// largest uint64. RFC 9989 §4.8 says reporters should ignore the limit;
// RFC 9990 §2.4 says a report over it must not be sent to that URI.
func (u ReportURI) MaxBytes() uint64 {
	if u.Size == 0 {
		return 0
	}
	var shift uint
	switch u.Unit {
	case 'k':
		shift = 10
	case 'm':
		shift = 20
	case 'g':
		shift = 30
	case 't':
		shift = 40
	}
	if u.Size > (^uint64(0))>>shift {
		return ^uint64(0)
	}
	return u.Size << shift
}

// String formats the entry as it appears in a record.
func (u ReportURI) String() string {
	if u.Size == 0 {
		return u.URI
	}
	s := u.URI + "!" + strconv.FormatUint(u.Size, 10)
	if u.Unit != 0 {
		s += string(u.Unit)
	}
	return s
}

// Scheme returns the URI scheme in lower case ("mailto", "https", ...).
func (u ReportURI) Scheme() string {
	i := strings.IndexByte(u.URI, ':')
	if i < 0 {
		return ""
	}
	return strings.ToLower(u.URI[:i])
}

// Host returns the "destination host" of RFC 9990 §3: the domain of a
// mailto address, or the host of other URIs; "" when there is none.
func (u ReportURI) Host() string {
	if u.Scheme() == "mailto" {
		addr := u.URI[len("mailto:"):]
		if i := strings.IndexAny(addr, "?"); i >= 0 {
			addr = addr[:i]
		}
		if un, err := url.PathUnescape(addr); err == nil {
			addr = un
		}
		at := strings.LastIndexByte(addr, '@')
		if at < 0 {
			return ""
		}
		return strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	}
	pu, err := url.Parse(u.URI)
	if err != nil {
		return ""
	}
	return strings.ToLower(pu.Hostname())
}

// parseURIList parses dmarc-urilist and keeps the syntactically valid
// entries (RFC 9989 §4.10.1 speaks of "at least one syntactically valid
// reporting URI", so one bad entry does not spoil the others).
func parseURIList(v string) []ReportURI {
	out := make([]ReportURI, 0, strings.Count(v, ",")+1)
	for more := true; more; {
		var item string
		item, v, more = strings.Cut(v, ",")
		if u, ok := parseReportURI(trimWSP(item)); ok {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func parseReportURI(s string) (ReportURI, bool) {
	var u ReportURI
	if i := strings.IndexByte(s, '!'); i >= 0 {
		size := strings.ToLower(s[i+1:])
		s = s[:i]
		if n := len(size); n > 0 && strings.IndexByte("kmgt", size[n-1]) >= 0 {
			u.Unit = size[n-1]
			size = size[:n-1]
		}
		if !allDigits(size) {
			return u, false
		}
		n, err := strconv.ParseUint(size, 10, 64)
		if err != nil {
			return u, false
		}
		u.Size = n
		if n == 0 {
			u.Unit = 0
		}
	}
	if !validURI(s) {
		return u, false
	}
	u.URI = s
	return u, true
}

// validURI checks the RFC 3986 URI syntax that RFC 9989 §4.8 imports for
// dmarc-uri: a scheme, ":", then URI characters (unreserved, sub-delims,
// ":", "@", "/", "?", "#", "[", "]") and well-formed percent-encodings.
// Commas and "!" never reach here (they separate entries and sizes).
// "mailto:" with nothing after it is a valid URI and accepted.
func validURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i] | 0x20
		alpha := c >= 'a' && c <= 'z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !(s[i] >= '0' && s[i] <= '9') && s[i] != '+' && s[i] != '-' && s[i] != '.' {
			return false
		}
	}
	for i := colon + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~:/?#[]@$&'()*+;=", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func joinURIs(us []ReportURI) string {
	if len(us) == 0 {
		return ""
	}
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
