package smtp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerBDAT(t *testing.T) {
	tests := []struct {
		name  string
		srv   func(*Server)
		be    func(*stBackend)
		steps []stStep
		want  []string // message data delivered
	}{
		{"two chunks", nil, nil, []stStep{
			{"BDAT 5\r\nhello", []int{250}},
			{"BDAT 8 LAST\r\n world\r\n", []int{250}},
		}, []string{"hello world\r\n"}},
		{"pipelined chunks with dots and bare LF kept", nil, nil, []stStep{
			{"BDAT 4\r\n.\n.\nBDAT 0 LAST\r\n", []int{250, 250}},
		}, []string{".\n.\n"}},
		{"single empty last", nil, nil, []stStep{{"BDAT 0 LAST\r\n", []int{250}}}, []string{""}},
		{"noop between chunks", nil, nil, []stStep{
			{"BDAT 3\r\nabc", []int{250}},
			{"NOOP\r\n", []int{250}},
			{"MAIL FROM:<x@y.example>\r\n", []int{503}},
			{"BDAT 3 last\r\ndef", []int{250}},
		}, []string{"abcdef"}},
		{"rset aborts", nil, nil, []stStep{
			{"BDAT 3\r\nabc", []int{250}},
			{"RSET\r\n", []int{250}},
			{"BDAT 3 LAST\r\nabc", []int{503}},
		}, []string{"abc"}},
		{"size limit", func(s *Server) { s.MaxMessageBytes = 5 }, nil, []stStep{
			{"BDAT 3\r\nabc", []int{250}},
			{"BDAT 3 LAST\r\nQUI", []int{552}},
			{"NOOP\r\n", []int{250}},
		}, []string{"abc"}},
		{"session refuses early", nil, func(b *stBackend) {
			b.readLimit = 2
			b.dataErr = &Error{Code: 550, EnhancedCode: [3]int{5, 7, 1}, Message: "no"}
		}, []stStep{
			{"BDAT 6\r\nQUIT\r\n", []int{550}},
			{"BDAT 6 LAST\r\nQUIT\r\n", []int{503}},
			{"NOOP\r\n", []int{250}},
		}, []string{"QU"}},
		{"data after bdat refused", nil, func(b *stBackend) { b.readLimit = 1 }, []stStep{
			{"BDAT 2\r\nab", []int{250}},
			{"DATA\r\n", []int{503}},
			{"BDAT 2 LAST\r\ncd", []int{250}},
		}, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be, c := stSetup(t, tc.be, tc.srv)
			c.read()
			stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n", []int{250, 250, 250}}})
			stRun(t, c, tc.steps)
			c.expect("QUIT", 221)
			assert.True(t, c.closed())
			var got []string
			for _, m := range be.messages() {
				got = append(got, string(m.Data))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestServerBDATOutOfTransaction(t *testing.T) {
	be := &stBackend{}
	c := stGreeted(t, stStart(t, &Server{Backend: be}))
	// The chunk holds a command; it must be consumed as data, not run.
	stRun(t, c, []stStep{
		{"BDAT 6 LAST\r\nQUIT\r\n", []int{503}},
		{"EHLO c.example\r\nBDAT 6 LAST\r\nQUIT\r\n", []int{250, 503}},
		{"MAIL FROM:<a@b.example>\r\nBDAT 6 LAST\r\nQUIT\r\n", []int{250, 503}},
		{"BDAT x\r\n", []int{501}},
	})
	assert.True(t, c.closed(), "an unparseable BDAT size closes the connection")
	require.Empty(t, be.messages())
}

func TestServerBDATDisabled(t *testing.T) {
	c := stGreeted(t, stStart(t, &Server{Backend: &stBackend{}, DisableChunking: true}))
	e := c.expect("EHLO c.example", 250)
	assert.NotContains(t, e.Lines, "CHUNKING")
	stRun(t, c, []stStep{{"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 6 LAST\r\nQUIT\r\n", []int{250, 250, 503}}})
	c.expect("NOOP", 250)
}

func TestServerBDATBadLinesBetweenChunks(t *testing.T) {
	be := &stBackend{}
	c := stGreeted(t, stStart(t, &Server{Backend: be, MaxErrors: 4}))
	stRun(t, c, []stStep{
		{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n", []int{250, 250, 250}},
		{"BDAT 2\r\nab", []int{250}},
		{"NOOP " + strings.Repeat("x", 600) + "\r\n", []int{500}},
		{"NOOP\nx\r\n", []int{500}},
		{"BDAT 2 LAST\r\ncd", []int{250}},
		{"FROB\r\nFROB\r\n", []int{500, 500, 421}},
	})
	assert.True(t, c.closed())
	require.Len(t, be.messages(), 1)
	assert.Equal(t, "abcd", string(be.messages()[0].Data))
}
