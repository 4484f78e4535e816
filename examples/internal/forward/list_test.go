package forward

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListApply(t *testing.T) {
	l := List{Tag: "[friends]", Footer: "friends@example.net\nunsubscribe: mail friends-leave@example.net"}
	footer := "-- \r\nfriends@example.net\r\nunsubscribe: mail friends-leave@example.net\r\n"
	tests := []struct {
		name, in, want string
	}{
		{"plain", "From: a@example.org\r\nSubject: Hello\r\n\r\nHi.\r\n",
			"From: a@example.org\r\nSubject: [friends] Hello\r\n\r\nHi.\r\n" + footer},
		{"already tagged, body without final line end", "Subject: Re: [friends] Hello\r\n\r\nHi.",
			"Subject: Re: [friends] Hello\r\n\r\nHi.\r\n" + footer},
		{"folded subject", "Subject: a\r\n b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n",
			"Subject: [friends] a\r\n b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n" + footer},
		{"html: no footer", "Subject: s\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n",
			"Subject: [friends] s\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n"},
		{"base64: no footer", "Subject: s\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n",
			"Subject: [friends] s\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n"},
		{"no body at all", "Subject: s\r\n", "Subject: [friends] s\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, string(l.Apply([]byte(tt.in))))
		})
	}
	require.Equal(t, "Subject: s\r\n\r\nx\r\n", string(List{}.Apply([]byte("Subject: s\r\n\r\nx\r\n"))), "a zero List changes nothing")
}
