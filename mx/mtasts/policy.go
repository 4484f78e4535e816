package mtasts

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailsmith/mailsmith/mx/internal/txtfields"
)

// Mode is the policy mode of RFC 8461 §3.2, with the RFC's words as values.
type Mode string

// The three policy modes (RFC 8461 §5).
const (
	// ModeEnforce: deliver only to MX hosts that match the policy, over TLS
	// with a certificate valid for the MX host name (WebPKI).
	ModeEnforce Mode = "enforce"
	// ModeTesting: check as in enforce mode and report failures (TLS-RPT),
	// but deliver anyway.
	ModeTesting Mode = "testing"
	// ModeNone: the domain no longer uses MTA-STS; deliver as without a
	// policy.
	ModeNone Mode = "none"
)

// MaxMaxAge is the largest max_age RFC 8461 §3.2 allows: 31557600 seconds
// (about one year).
const MaxMaxAge = 31557600 * time.Second

// Policy is a parsed MTA-STS policy (RFC 8461 §3.2).
type Policy struct {
	// Mode says how senders apply the policy.
	Mode Mode
	// MX lists the allowed MX host patterns in lower case, each a host name
	// in A-labels or "*." followed by one (RFC 8461 §4.1), duplicates
	// removed, in the order they appeared.
	MX []string
	// MaxAge is how long the policy may be cached (at most MaxMaxAge).
	MaxAge time.Duration
	// Extensions holds the fields RFC 8461 does not define, in order.
	Extensions []Extension
}

// ParsePolicy parses the text of an MTA-STS policy (the body of
// https://mta-sts.<domain>/.well-known/mta-sts.txt) by the rules of RFC 8461
// §3.2:
//
//   - lines end in LF or CRLF; each is "key:" *WSP value *WSP, the key an
//     sts-policy-ext-name (case-sensitive: "Mode" is an unknown field);
//   - "version" must be "STSv1", "mode" one of "enforce", "testing",
//     "none", "max_age" 1 to 10 digits and at most 31557600; all three are
//     required;
//   - "mx" is ["*."] Domain in A-labels (U-labels are an error), and at
//     least one is required unless the mode is "none";
//   - a repeated field other than "mx" is ignored after its first
//     occurrence (§3.2: "all entries except for the first SHOULD be
//     ignored");
//   - other fields are extensions: their value must be an
//     sts-policy-ext-value (visible characters, UTF-8 allowed, inner
//     spaces, no control characters).
//
// Empty lines (only WSP) are skipped, as several real policies end with
// them. Errors wrap ErrPolicySyntax and give the line number.
func ParsePolicy(text string) (*Policy, error) {
	p := &Policy{}
	var haveVersion, haveMode, haveMaxAge bool
	lineNo := 0
	for len(text) > 0 {
		lineNo++
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		line = strings.TrimSuffix(line, "\r")
		if strings.Trim(line, " \t") == "" {
			continue
		}
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			return nil, policyErr(lineNo, "no \":\" in %q", cut(line))
		}
		key := line[:colon]
		if !txtfields.IsName(key) {
			return nil, policyErr(lineNo, "invalid field name %q", cut(key))
		}
		value := strings.Trim(line[colon+1:], " \t")
		switch key {
		case "version":
			if haveVersion {
				continue
			}
			if value != "STSv1" {
				return nil, policyErr(lineNo, "version %q is not \"STSv1\"", cut(value))
			}
			haveVersion = true
		case "mode":
			if haveMode {
				continue
			}
			switch m := Mode(value); m {
			case ModeEnforce, ModeTesting, ModeNone:
				p.Mode = m
			default:
				return nil, policyErr(lineNo, "mode %q is not enforce, testing or none", cut(value))
			}
			haveMode = true
		case "max_age":
			if haveMaxAge {
				continue
			}
			if len(value) == 0 || len(value) > 10 || strings.Trim(value, "0123456789") != "" {
				return nil, policyErr(lineNo, "max_age %q is not 1 to 10 digits", cut(value))
			}
			n, _ := strconv.ParseUint(value, 10, 64)
			if n > uint64(MaxMaxAge/time.Second) {
				return nil, policyErr(lineNo, "max_age %d is over the maximum of %d seconds", n, MaxMaxAge/time.Second)
			}
			p.MaxAge = time.Duration(n) * time.Second
			haveMaxAge = true
		case "mx":
			mx, err := parseMXPattern(value)
			if err != nil {
				return nil, policyErr(lineNo, "%v", err)
			}
			if !contains(p.MX, mx) {
				p.MX = append(p.MX, mx)
			}
		default:
			if err := checkExtValue(value); err != nil {
				return nil, policyErr(lineNo, "field %q: %v", key, err)
			}
			p.Extensions = append(p.Extensions, Extension{Key: key, Value: value})
		}
	}
	switch {
	case !haveVersion:
		return nil, fmt.Errorf("%w: missing version field", ErrPolicySyntax)
	case !haveMode:
		return nil, fmt.Errorf("%w: missing mode field", ErrPolicySyntax)
	case !haveMaxAge:
		return nil, fmt.Errorf("%w: missing max_age field", ErrPolicySyntax)
	case p.Mode != ModeNone && len(p.MX) == 0:
		return nil, fmt.Errorf("%w: mode %s needs at least one mx field", ErrPolicySyntax, p.Mode)
	}
	return p, nil
}

func policyErr(line int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrPolicySyntax, line, fmt.Sprintf(format, args...))
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// parseMXPattern checks sts-policy-mx-value = ["*."] Domain (RFC 8461
// §3.2, Domain of RFC 5321 §4.1.2 in A-labels) and returns it in lower case.
func parseMXPattern(v string) (string, error) {
	d := strings.TrimPrefix(v, "*.")
	if !isASCII(d) {
		return "", fmt.Errorf("mx %q is not in A-labels", cut(v))
	}
	if !isHostName(d) {
		return "", fmt.Errorf("mx %q is not a host name or \"*.\" and a host name", cut(v))
	}
	return strings.ToLower(v), nil
}

// checkExtValue checks sts-policy-ext-value: sts-policy-vchar
// [*(%x20 / sts-policy-vchar) sts-policy-vchar], where sts-policy-vchar is
// %x21-7E or a UTF-8 multi-octet character.
func checkExtValue(v string) error {
	if v == "" {
		return fmt.Errorf("empty value")
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("value is not valid UTF-8")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("control character %U in value", r)
		}
	}
	return nil
}

// String formats the policy as a policy host serves it: version, mode,
// max_age, the mx lines, then the extensions, each line ending in LF.
func (p *Policy) String() string {
	var b strings.Builder
	b.WriteString("version: STSv1\nmode: ")
	b.WriteString(string(p.Mode))
	b.WriteString("\nmax_age: ")
	b.WriteString(strconv.FormatInt(int64(p.MaxAge/time.Second), 10))
	b.WriteByte('\n')
	for _, mx := range p.MX {
		b.WriteString("mx: ")
		b.WriteString(mx)
		b.WriteByte('\n')
	}
	for _, e := range p.Extensions {
		b.WriteString(e.Key)
		b.WriteString(": ")
		b.WriteString(e.Value)
		b.WriteByte('\n')
	}
	return b.String()
}
