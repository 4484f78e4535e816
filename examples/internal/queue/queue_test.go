package queue

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/smtp"
)

// script answers each recipient by its local part: "ok", "temp" (4yz
// until the third attempt), "later" (4yz forever), anything else 5yz.
type script struct {
	mu       sync.Mutex
	attempts map[string]int
	sent     []string // "from>to" of accepted deliveries
}

func (s *script) Deliver(_ context.Context, from string, to []string, _ []byte) []outbound.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := make([]outbound.Status, len(to))
	for i, rcpt := range to {
		s.attempts[rcpt]++
		st[i].Recipient = rcpt
		switch local, _, _ := strings.Cut(rcpt, "@"); {
		case local == "ok", local == "temp" && s.attempts[rcpt] >= 3, local == "alice":
			s.sent = append(s.sent, from+">"+rcpt)
		case local == "temp", local == "later":
			st[i].Err = &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "later"}
		default:
			st[i].Err, st[i].Permanent = &smtp.Error{Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no"}, true
		}
	}
	return st
}

func (s *script) snapshot() ([]string, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	att := map[string]int{}
	for k, v := range s.attempts {
		att[k] = v
	}
	return append([]string(nil), s.sent...), att
}

func TestQueue(t *testing.T) {
	d := &script{attempts: map[string]int{}}
	q := &Queue{Deliverer: d, Hostname: "mail.example.org", Backoff: Doubling(5*time.Millisecond, 3), MaxAge: 300 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	q.Enqueue("alice@example.org", []string{"ok@example.com", "temp@example.com", "gone@example.com"}, []byte("Subject: x\r\n\r\nx\r\n"))
	q.Enqueue("alice@example.org", []string{"later@example.net"}, []byte("Subject: y\r\n\r\ny\r\n"))
	q.Enqueue("", []string{"gone@example.net"}, []byte("Subject: a bounce\r\n\r\nx\r\n"))

	require.Eventually(t, func() bool {
		sent, _ := d.snapshot()
		bounces := 0
		for _, s := range sent {
			if s == ">alice@example.org" {
				bounces++
			}
		}
		return q.Len() == 0 && bounces == 2
	}, 5*time.Second, 5*time.Millisecond)

	sent, attempts := d.snapshot()
	require.Contains(t, sent, "alice@example.org>ok@example.com")
	require.Contains(t, sent, "alice@example.org>temp@example.com")
	require.Equal(t, 3, attempts["temp@example.com"], "retried until it worked")
	require.Equal(t, 1, attempts["gone@example.com"], "permanent: no retry")
	require.Greater(t, attempts["later@example.net"], 1, "retried until MaxAge")
	require.Equal(t, 1, attempts["gone@example.net"], "a failed bounce is dropped, never bounced")
	require.Equal(t, 1, attempts["ok@example.com"])
}

func TestDoubling(t *testing.T) {
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, Doubling(time.Second, 3))
	require.Nil(t, Doubling(0, 3))
	q := &Queue{Backoff: []time.Duration{time.Second, time.Minute}}
	require.Equal(t, time.Second, q.delay(1))
	require.Equal(t, time.Minute, q.delay(5), "the last delay repeats")
	require.Equal(t, DefaultBackoff[0], (&Queue{}).delay(1))
}
