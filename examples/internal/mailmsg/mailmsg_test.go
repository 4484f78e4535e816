package mailmsg

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const sample = "From: Alice <alice@Example.ORG>\r\nSubject: a long\r\n\tfolded subject\r\nTo: bob@example.com\r\nUser-Agent: Mutt\r\n\r\nbody\r\nFrom: not a header\r\n"

func TestFields(t *testing.T) {
	f := Fields([]byte(sample))
	require.Len(t, f, 4)
	require.Equal(t, "Subject", f[1].Name)
	require.Equal(t, "a long\tfolded subject", f[1].Value())
	require.Equal(t, []string{"Alice <alice@Example.ORG>"}, Get([]byte(sample), "from"))
	require.False(t, Has([]byte(sample), "Date"))
}

func TestSplit(t *testing.T) {
	tests := []struct{ msg, header, body string }{
		{sample, sample[:strings.Index(sample, "\r\n\r\n")+2], "body\r\nFrom: not a header\r\n"},
		{"A: b\n\nbody\n", "A: b\n", "body\n"},
		{"\r\nonly body", "", "only body"},
		{"A: b\r\n", "A: b\r\n", ""},
	}
	for _, tt := range tests {
		h, b := Split([]byte(tt.msg))
		require.Equal(t, tt.header, string(h), "%q", tt.msg)
		require.Equal(t, tt.body, string(b), "%q", tt.msg)
	}
}

func TestRemoveAndPrepend(t *testing.T) {
	msg, n := RemoveNamed([]byte(sample), "user-agent", "subject")
	require.Equal(t, 2, n)
	require.Equal(t, "From: Alice <alice@Example.ORG>\r\nTo: bob@example.com\r\n\r\nbody\r\nFrom: not a header\r\n", string(msg))
	msg = Prepend(msg, "X-A: 1", "X-B: 2\r\n")
	require.True(t, strings.HasPrefix(string(msg), "X-A: 1\r\nX-B: 2\r\nFrom: "))
}

func TestFromDomain(t *testing.T) {
	tests := []struct {
		msg, want string
		ok        bool
	}{
		{sample, "example.org", true},
		{"From: \"Doe, J\" <j@Sub.Example.COM>\r\n\r\n", "sub.example.com", true},
		{"To: x@example.com\r\n\r\n", "", false},
		{"From: a@example.com\r\nFrom: b@example.net\r\n\r\n", "", false},
		{"From: a@example.com, b@example.net\r\n\r\n", "", false},
		{"From: undisclosed\r\n\r\n", "", false},
	}
	for _, tt := range tests {
		got, err := FromDomain([]byte(tt.msg))
		if !tt.ok {
			require.ErrorIs(t, err, ErrFrom, "%q", tt.msg)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
	}
}

func TestEnsure(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	msg, added := EnsureDate([]byte(sample), now)
	require.True(t, added)
	require.Equal(t, []string{"Tue, 01 Dec 2026 08:00:00 +0000"}, Get(msg, "Date"))
	_, added = EnsureDate(msg, now)
	require.False(t, added)
	msg, added = EnsureMessageID(msg, "mail.example.org")
	require.True(t, added)
	require.Regexp(t, `^<[0-9a-f]{32}@mail\.example\.org>$`, Get(msg, "Message-ID")[0])
}

func FuzzMessage(f *testing.F) {
	for _, s := range []string{sample, "", "\r\n", "From:\r\n \r\n", "A\nB: c\n\n", "From: <@>\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, b := Split(msg)
		if len(h)+len(b) > len(msg) {
			t.Fatalf("split grew the message")
		}
		total := 0
		for _, fl := range Fields(msg) {
			total += len(fl.Raw)
			_ = fl.Value()
		}
		if total != len(h) {
			t.Fatalf("fields cover %d bytes of a %d-byte header", total, len(h))
		}
		_, _ = FromDomain(msg)
		out, _ := RemoveNamed(msg, "From")
		if len(out) > len(msg) {
			t.Fatalf("remove grew the message")
		}
	})
}
