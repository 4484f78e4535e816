package authres

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fill repeats unit after prefix as often as fits in n bytes, then adds
// suffix.
func fill(prefix, unit, suffix string, n int) string {
	k := (n - len(prefix) - len(suffix)) / len(unit)
	return prefix + strings.Repeat(unit, k) + suffix
}

// TestParseWorstShapes: the work of a parse (bytes and constructs the
// parser examines) stays linear in the value for the shapes that stress
// each part of it, at the size limit, whether the value parses or not.
func TestParseWorstShapes(t *testing.T) {
	n := MaxValueLen
	shapes := []struct {
		name, in string
		ok       bool
	}{
		{"nested comments at the depth limit", fill("ex; a=b ", "((((((((x))))))))", "", n), true},
		{"comment nesting beyond the limit at the end", fill("ex; a=b ", "((((((((x))))))))", "(((((((((", n), false},
		{"unclosed comment", fill("ex; a=b (", "x", "", n), false},
		{"unclosed quoted-string of escapes", fill(`ex; a=b reason="`, `\"`, "", n), false},
		{"quoted-string of escapes", fill(`ex; a=b reason="`, `\"`, `"`, n), true},
		{"folds", fill("ex;", "\r\n ", "none", n), true},
		{"comments after none", fill("ex; none", " (c)", "", n), true},
		{"most results", fill("ex", "; a=b", "", 5*MaxResults+2), true},
		{"most properties in most results", "ex" + strings.Repeat("; a=b"+strings.Repeat(" c.d=e", MaxProps), n/(5+6*MaxProps)), true},
		{"one long keyword", fill("ex; ", "a", "=b", n), true},
		{"one long value", fill("ex; a=b c.d=", "v", "", n), true},
		{"long authserv-id without semicolon", fill("", "x", "", n), false},
		{"results without authserv-id", fill("a=b", " (c)", "", n), true},
		{"long mailbox", fill(`ex; a=b c.d="`, "x", `"@example.org`, n), true},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			require.LessOrEqual(t, len(s.in), MaxValueLen)
			p := parser{s: s.in}
			h, err := p.header()
			if s.ok {
				require.NoError(t, err)
				require.NotNil(t, h)
			} else {
				require.Error(t, err)
			}
			t.Logf("%d bytes, %d steps", len(s.in), p.steps)
			// A look-ahead (is this resinfo a bare domain?) may read a
			// word twice: 3 steps a byte at most.
			assert.LessOrEqual(t, p.steps, 3*len(s.in)+10, "work not linear in the value")
		})
	}
}

// TestParseAllocations: allocations grow with the results and
// properties found, not with the bytes around them.
func TestParseAllocations(t *testing.T) {
	for _, tt := range []struct {
		in  string
		max float64
	}{
		{"mx.example.net; none", 1},
		{"mx.example.net;" + strings.Repeat(" (comment)", 1000) + " spf=pass smtp.mailfrom=example.org", 4},
		{strings.Repeat(" ", 1000) + "mx.example.net; dkim=pass header.d=example.org header.s=sel header.b=abc", 4},
		{"ex" + strings.Repeat("; spf=pass smtp.mailfrom=example.org", MaxResults), 3 * MaxResults},
	} {
		got := testing.AllocsPerRun(20, func() { _, _ = Parse(tt.in) })
		assert.LessOrEqual(t, got, tt.max+8, "%.60q", tt.in) // +8: the Results slice growing
	}
}

func TestParseAtLimits(t *testing.T) {
	// Exactly at each limit parses; one beyond fails with ErrLimit.
	mk := func(results, props, depth int) string {
		r := "a=b" + strings.Repeat(" c.d=e", props) + " " + strings.Repeat("(", depth) + strings.Repeat(")", depth)
		return "ex" + strings.Repeat("; "+r, results)
	}
	h, err := Parse(mk(MaxResults, 1, MaxCommentDepth))
	require.NoError(t, err)
	assert.Len(t, h.Results, MaxResults)
	h, err = Parse(mk(1, MaxProps, 1))
	require.NoError(t, err)
	assert.Len(t, h.Results[0].Props, MaxProps)
	for _, v := range []string{mk(MaxResults+1, 0, 0), mk(1, MaxProps+1, 0), mk(1, 0, MaxCommentDepth+1), fill("ex; none ", " ", "", MaxValueLen+1)} {
		_, err := Parse(v)
		assert.True(t, errors.Is(err, ErrLimit), "%.40q: %v", v, err)
	}
	_, err = Parse(fill("ex; none", " ", "", MaxValueLen))
	assert.NoError(t, err)
}

// TestStringWorstShape: a header at the result and property limits is
// written and read back; String's own work (checking each Text) stays
// within a few parses of the value.
func TestStringWorstShape(t *testing.T) {
	v := "ex" + strings.Repeat("; a=b"+strings.Repeat(" c.d=\"e f\"", 30), MaxResults)
	require.LessOrEqual(t, len(v), MaxValueLen)
	h := mustParse(t, v)
	s := h.String()
	checkFolded(t, h, s)
	allocs := testing.AllocsPerRun(5, func() { _ = h.String() })
	t.Logf("String of %d bytes: %v allocations", len(s), allocs)
	assert.LessOrEqual(t, allocs, float64(MaxResults*(10+30)+10), "more than a parse's allocations per result")
}
