package txtfields

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWalk(t *testing.T) {
	sts := Syntax{Version: "v=STSv1"}
	rpt := Syntax{Version: "v=TLSRPTv1", ListField: "rua", TrailingWSP: true}
	tests := []struct {
		name   string
		syntax Syntax
		txt    string
		want   string // the fields as "name=value|", or the error
	}{
		{"one field", sts, "v=STSv1; id=1", "id=1|"},
		{"trailing delimiter with WSP", sts, "v=STSv1 \t;\t id=1 ; ", "id=1|"},
		{"order kept", sts, "v=STSv1;b=2;a=1;b=3", "b=2|a=1|b=3|"},
		{"version only", sts, "v=STSv1", ""},
		{"empty", sts, "", `does not start with "v=STSv1"`},
		{"version glued", sts, "v=STSv10; id=1", `expected ";" at "0; id=1"`},
		{"trailing WSP refused", sts, "v=STSv1; id=1 ", `expected ";" at " "`},
		{"trailing WSP tolerated", rpt, "v=TLSRPTv1; rua=mailto:a@b; x=1 \t", "rua=mailto:a@b|x=1|"},
		{"no =", sts, "v=STSv1; id", `field "id" has no "="`},
		{"bad name", sts, "v=STSv1; _id=1", `invalid field name "_id"`},
		{"name too long", sts, "v=STSv1; " + strings.Repeat("a", 33) + "=1", "invalid field name"},
		{"empty value", sts, "v=STSv1; id=; x=1", `field "id" has an empty value`},
		{"value stops at space", sts, "v=STSv1; id=a b", `expected ";" at " b"`},
		{"list field runs to ;", rpt, "v=TLSRPTv1; rua=mailto:a@b , https://c ;x=1", "rua=mailto:a@b , https://c |x=1|"},
		{"empty list field passed on", rpt, "v=TLSRPTv1; rua=;", "rua=|"},
		{"case-sensitive version", sts, "V=STSv1; id=1", "does not start with"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got strings.Builder
			err := tc.syntax.Walk(tc.txt, func(name, value string) error {
				got.WriteString(name + "=" + value + "|")
				return nil
			})
			if err != nil {
				require.Contains(t, err.Error(), tc.want)
				return
			}
			require.Equal(t, tc.want, got.String())
		})
	}
}

func TestWalkStopsAtCallerError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Syntax{Version: "v=STSv1"}.Walk("v=STSv1; a=1; b=2", func(string, string) error {
		calls++
		return stop
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, calls)
}

func TestIsName(t *testing.T) {
	for s, want := range map[string]bool{
		"id": true, "a": true, "9x": true, "a_b-c.d": true,
		strings.Repeat("a", 32): true, strings.Repeat("a", 33): false,
		"": false, "_a": false, "-a": false, ".a": false, "a b": false, "é": false,
	} {
		require.Equal(t, want, IsName(s), "%q", s)
	}
}

func TestCut(t *testing.T) {
	require.Equal(t, "short", Cut("short"))
	long := strings.Repeat("x", 100)
	require.Equal(t, long[:80]+"...", Cut(long))
}

func TestWriteFieldParsesBack(t *testing.T) {
	var b strings.Builder
	b.WriteString("v=STSv1")
	WriteField(&b, "id", "20260101")
	WriteField(&b, "x.y", "a:b")
	require.Equal(t, "v=STSv1; id=20260101; x.y=a:b", b.String())
	var got []string
	require.NoError(t, Syntax{Version: "v=STSv1"}.Walk(b.String(), func(n, v string) error {
		got = append(got, n+"="+v)
		return nil
	}))
	require.Equal(t, []string{"id=20260101", "x.y=a:b"}, got)
}
