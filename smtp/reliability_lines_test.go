package smtp

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReliabilityBareLFAnsweredAtOnce: a client whose command lines end
// in a bare LF, and which then waits, gets a 500 at once that says the
// line must end in CRLF; it used to get nothing until the idle timeout
// and then a misleading 421. The command is still refused.
func TestReliabilityBareLFAnsweredAtOnce(t *testing.T) {
	be := &stBackend{}
	// A long idle timeout: a reply that only comes with it fails the
	// test through the client's own short deadline below.
	c := stDial(t, stStart(t, &Server{Backend: be, ReadTimeout: time.Minute}))
	c.read()
	steps := []struct {
		send string
		want int
	}{
		{"EHLO c.example\n", 500},
		{"EHLO c.example\r\n", 250},
		{"MAIL FROM:<a@b.example>\n", 500},
		{"NOOP\n", 500},
		{"RSET\r\n", 250},
		{"MAIL FROM:<a@b.example>\r\n", 250},
	}
	for _, st := range steps {
		c.send(st.send)
		c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		r, err := c.tryRead()
		require.NoError(t, err, "no reply to %q", st.send)
		require.Equal(t, st.want, r.Code, "reply to %q: %v", st.send, r)
		if st.want == 500 {
			assert.Contains(t, r.Lines[0], "5.5.2")
			assert.Contains(t, r.Lines[0], "CRLF")
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	stRun(t, c, []stStep{{"QUIT\r\n", []int{221}}})
	assert.Empty(t, be.messages())
}

// TestReliabilityBareLFLines pins down where a line with a bare LF ends
// when more input is already there: at the next CRLF, as one refused
// line (a lenient reader would see two commands; this server runs
// neither). Only when the input stops after a bare LF is the line
// answered there.
func TestReliabilityBareLFLines(t *testing.T) {
	tests := []struct {
		name    string
		lenient bool
		send    string
		want    []int
	}{
		{"bare LF at the end of the input", false, "NOOP\n", []int{500}},
		{"two bare-LF lines in one write", false, "NOOP\nNOOP\n", []int{500}},
		{"bare LF then CRLF line: one line", false, "NOOP\nRSET\r\n", []int{500}},
		{"lenient: a bare LF ends the line", true, "NOOP\nNOOP\n", []int{250, 250}},
		{"over-long line ending in a bare LF", false, strings.Repeat("x", 600) + "\n", []int{500}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := stDial(t, stStart(t, &Server{Backend: &stBackend{}, AllowBareLineEndings: tc.lenient, ReadTimeout: time.Minute}))
			c.read()
			c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			stRun(t, c, []stStep{{tc.send, tc.want}, {"NOOP\r\n", []int{250}}})
		})
	}
}
