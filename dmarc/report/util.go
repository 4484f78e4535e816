package report

import "strings"

// isSubdomain reports whether child is a proper subdomain of parent (both
// lower case, without trailing dots).
func isSubdomain(child, parent string) bool {
	return len(child) > len(parent) && strings.HasSuffix(child, parent) && child[len(child)-len(parent)-1] == '.'
}

// truncate shortens s to n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool { return s != "" && strings.TrimLeft(s, "0123456789") == "" }

func oneOf(s string, vals ...string) bool {
	for _, v := range vals {
		if s == v {
			return true
		}
	}
	return false
}
