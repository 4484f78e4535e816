package ptr

import "strings"

// AuthResult returns the verdict as an RFC 8601 Authentication-Results
// method, for example "iprev=pass policy.iprev=192.0.2.1" (RFC 8601 §2.7.3:
// the property policy.iprev holds the address checked). An IPv6 address is
// written as a quoted-string, as ':' may not appear in an RFC 2045 token:
// `iprev=fail policy.iprev="2001:db8::1"`.
func (v Verdict) AuthResult() string {
	result := v.Result
	if result == "" {
		result = PermError
	}
	var b strings.Builder
	b.WriteString("iprev=")
	b.WriteString(string(result))
	if v.IP.IsValid() {
		b.WriteString(" policy.iprev=")
		if v.IP.Is4() {
			b.WriteString(v.IP.String())
		} else {
			b.WriteByte('"')
			b.WriteString(v.IP.String())
			b.WriteByte('"')
		}
	}
	return b.String()
}

// String returns AuthResult.
func (v Verdict) String() string { return v.AuthResult() }
