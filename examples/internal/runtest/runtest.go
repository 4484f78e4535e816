// Package runtest runs an example program's server inside its own tests
// (its run function in a goroutine: Start) and the mail hosts around it on
// the loopback interface: checking MXs (MXs, StartMailboxes with Alice's
// and Bob's mailboxes, Deferring for an MX that answers 451 for a while)
// and plain ones (ServeSMTP with a Sink that records what came over TLS).
// Its clients are Send (the smtp client) and Peer (a mail client from
// outside the suite).
//
// It is test-support code: only _test.go files import it.
package runtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
)

// WaitTimeout bounds Start's wait for the server and Wait's for mail.
const WaitTimeout = 10 * time.Second

// Start runs run in a goroutine and returns the first value ready gets
// (the server's listening address). stop, also called at the end of the
// test, cancels run's context and checks that run returned nil. A run that
// returns before ready gets a value, or no value within WaitTimeout,
// fails the test.
func Start[A any](t testing.TB, ready <-chan A, run func(ctx context.Context) error) (addr A, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var err error
	go func() { err = run(ctx); close(done) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			if err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	select {
	case addr = <-ready:
		return addr, stop
	case <-done:
		t.Fatalf("the server stopped before it listened: %v", err)
	case <-time.After(WaitTimeout):
		t.Fatalf("the server did not listen within %v", WaitTimeout)
	}
	return addr, stop
}

// MXs starts an MX on 127.0.0.1 for each host name, delivering to its
// handler after the checks of authcheck (over res, as that host), and
// returns their ports. They stop at the end of the test.
func MXs(t testing.TB, res resolver.Resolver, handlers map[string]receiver.Handler) map[string]int {
	t.Helper()
	ports := map[string]int{}
	for host, h := range handlers {
		srv, port, err := receiver.ServeLocal(&receiver.Backend{
			Hostname: host,
			Checker:  &authcheck.Checker{Resolver: res, Hostname: host},
			Handler:  h,
		})
		if err != nil {
			t.Fatalf("MX %s: %v", host, err)
		}
		t.Cleanup(func() { srv.Close() })
		ports[host] = port
	}
	return ports
}

// Wait returns the first n messages s received, waiting at most
// WaitTimeout for them.
func Wait(t testing.TB, s *memstore.Store, n int) []*receiver.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	msgs, err := s.Wait(ctx, n)
	if err != nil {
		t.Fatalf("waiting for %d messages: %v", n, err)
	}
	return msgs
}
