package authres

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msgauthCase is one case of testdata/authres-cases.json (go-msgauth).
type msgauthCase struct {
	ID     string `json:"id"`
	Header string `json:"header"`
	Expect struct {
		Identifier      string              `json:"identifier"`
		Results         []map[string]string `json:"results"`
		FormatRoundtrip string              `json:"format_roundtrip"`
	} `json:"expect"`
}

// msgauthProps maps the go-msgauth struct fields to the properties they
// come from (authres/parse.go of go-msgauth, as the case file describes).
var msgauthProps = map[string]struct{ ptype, name string }{
	"Auth":       {"smtp", "auth"},
	"From":       {"smtp", "mailfrom"}, // SPFResult; DMARCResult's From is header.from
	"Helo":       {"smtp", "helo"},
	"Domain":     {"header", "d"},
	"Identifier": {"header", "i"},
}

func TestGoMsgauthCases(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "authres-cases.json"))
	require.NoError(t, err)
	var file struct{ Cases []msgauthCase }
	require.NoError(t, json.Unmarshal(data, &file))
	require.Len(t, file.Cases, 13)
	for _, c := range file.Cases {
		t.Run(c.ID, func(t *testing.T) {
			h := mustParse(t, c.Header)
			assert.Equal(t, c.Expect.Identifier, h.AuthServID)
			require.Len(t, h.Results, len(c.Expect.Results))
			for i, want := range c.Expect.Results {
				got := h.Results[i]
				assert.Equal(t, want["method"], got.Method)
				assert.Equal(t, want["Value"], got.Value)
				assert.Equal(t, want["Reason"], got.Reason)
				nprops := 0
				for field, v := range want {
					if field == "HeaderKey" {
						// SenderIDResult: the first header.* property.
						require.NotEmpty(t, got.Props)
						assert.Equal(t, Property{"header", v, want["HeaderValue"]}, got.Props[0])
						nprops++
						continue
					}
					src, ok := msgauthProps[field]
					if !ok {
						continue
					}
					if field == "From" && want["type"] == "DMARCResult" {
						src.ptype, src.name = "header", "from"
					}
					assert.Contains(t, got.Props, Property{src.ptype, src.name, v}, field)
					nprops++
				}
				assert.Len(t, got.Props, nprops, "properties beyond the expected ones")
			}
			// go-msgauth's Format reproduces these values; String writes
			// the same results, on one line when they fit, else one per
			// line: unfolded, that is the value again.
			if c.Expect.FormatRoundtrip != "" {
				s := h.String()
				assert.Equal(t, strings.TrimSpace(c.Header), strings.ReplaceAll(s, ";\r\n\t", "; "))
				assert.True(t, sameHeader(h, mustParse(t, s)), "Parse(String()) differs: %q", s)
			}
		})
	}
}
