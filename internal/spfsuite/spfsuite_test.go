package spfsuite

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestZone(t *testing.T) {
	tests := []struct {
		name string
		data map[string][]any
		want map[string][]Record
		err  string
	}{
		{"SPF served as TXT",
			map[string][]any{"a.example": {map[string]any{"SPF": "v=spf1 -all"}}},
			map[string][]Record{"a.example": {{Type: "TXT", Text: "v=spf1 -all"}}}, ""},
		{"own TXT hides SPF",
			map[string][]any{"a.example": {map[string]any{"SPF": "v=spf1 -all"}, map[string]any{"TXT": "v=spf1 +all"}}},
			map[string][]Record{"a.example": {{Type: "TXT", Text: "v=spf1 +all"}}}, ""},
		{"TXT NONE hides SPF and serves nothing",
			map[string][]any{"a.example": {map[string]any{"SPF": "v=spf1 -all"}, map[string]any{"TXT": "NONE"}}},
			map[string][]Record{"a.example": nil}, ""},
		{"SPF NONE",
			map[string][]any{"a.example": {map[string]any{"SPF": "NONE"}, map[string]any{"A": "192.0.2.1"}}},
			map[string][]Record{"a.example": {{Type: "A", Text: "192.0.2.1"}}}, ""},
		{"strings of one record joined",
			map[string][]any{"a.example": {map[string]any{"TXT": []any{"v=spf1 ", "-all"}}}},
			map[string][]Record{"a.example": {{Type: "TXT", Text: "v=spf1 -all"}}}, ""},
		{"MX, faults and order kept",
			map[string][]any{"a.example": {map[string]any{"MX": []any{10, "mx.a.example"}}, "TIMEOUT", map[string]any{"SERVFAIL": true}}},
			map[string][]Record{"a.example": {{Type: "MX", Pref: 10, Text: "mx.a.example"}, {Type: "TIMEOUT"}, {Type: "SERVFAIL"}}}, ""},
		{"MX without host", map[string][]any{"a.example": {map[string]any{"MX": []any{10}}}}, nil, "is not [preference, host]"},
		{"MX preference out of range", map[string][]any{"a.example": {map[string]any{"MX": []any{70000, "m"}}}}, nil, "is not 0 to 65535"},
		{"TXT of a map", map[string][]any{"a.example": {map[string]any{"TXT": map[string]any{}}}}, nil, "neither a string nor a list"},
		{"entry of a number", map[string][]any{"a.example": {7}}, nil, "neither a word nor a map"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Zone(tc.data)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.ErrorContains(t, err, "spfsuite: a.example: ")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestLoadCasesAndResults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "suite.yml")
	require.NoError(t, os.WriteFile(path, []byte(`description: first
tests:
  b-case:
    spec: 4.6.4
    helo: mail.example.net
    host: 192.0.2.3
    mailfrom: foo@example.com
    result: [permerror, fail]
  a-case:
    host: 192.0.2.4
    result: pass
    explanation: why
zonedata:
  example.com:
    - SPF: v=spf1 -all
---
description: second
tests: {}
`), 0o644))
	scs := Load(t, path)
	require.Len(t, scs, 2)
	require.Equal(t, []string{"a-case", "b-case"}, scs[0].CaseNames())
	require.Equal(t, []string{"permerror", "fail"}, scs[0].Tests["b-case"].Results())
	require.Equal(t, []string{"pass"}, scs[0].Tests["a-case"].Results())
	require.Equal(t, "why", *scs[0].Tests["a-case"].Explanation)
	require.Nil(t, scs[0].Tests["b-case"].Explanation)
	z, err := Zone(scs[0].ZoneData)
	require.NoError(t, err)
	require.Equal(t, []Record{{Type: "TXT", Text: "v=spf1 -all"}}, z["example.com"])
	require.Empty(t, scs[1].CaseNames())
	require.Nil(t, Case{}.Results())
}
