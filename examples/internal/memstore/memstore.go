// Package memstore is an in-memory mail store: a receiver.Handler that
// keeps accepted messages in a list, for the demo and the examples' tests.
package memstore

import (
	"context"
	"slices"
	"sync"

	"github.com/mailsmith/mailsmith/examples/internal/receiver"
)

// Store accepts mail for Users (full addresses, lower case), or for any
// address in Domains when Users is empty.
type Store struct {
	Domains []string
	Users   []string

	mu      sync.Mutex
	msgs    []*receiver.Message
	changed chan struct{}
}

// Recipient implements receiver.Handler with receiver.Recipients.
func (s *Store) Recipient(_ context.Context, rcpt string) error {
	_, err := receiver.Recipients{Domains: s.Domains, Users: s.Users}.Check(rcpt)
	return err
}

// Deliver implements receiver.Handler.
func (s *Store) Deliver(_ context.Context, m *receiver.Message) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	ch := s.changed
	s.changed = nil
	s.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	return nil
}

// Messages returns the messages delivered so far.
func (s *Store) Messages() []*receiver.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Wait returns the messages once there are at least n, or ctx's error.
func (s *Store) Wait(ctx context.Context, n int) ([]*receiver.Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := slices.Clone(s.msgs)
			s.mu.Unlock()
			return msgs, nil
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
