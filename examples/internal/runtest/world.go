package runtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailsmith/mailsmith/dkim"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
)

// Mailboxes are the people of the demo zone around a program under test:
// Alice's mailbox (alice@example.org, at demozone.SenderMX) and Bob's
// (bob@example.com, at demozone.ReceiverMX, which can be told to answer
// 451 for a while), each behind a checking MX on loopback (see MXs).
type Mailboxes struct {
	Alice *memstore.Store
	Bob   *Deferring
	Ports map[string]int // the MXs' ports by host name
}

// StartMailboxes starts the MXs of Alice and Bob, and one for each other
// host name in more, over zone's resolver; they stop at the end of the
// test.
func StartMailboxes(t testing.TB, zone *demozone.Zone, more map[string]receiver.Handler) *Mailboxes {
	t.Helper()
	m := &Mailboxes{
		Alice: &memstore.Store{Domains: []string{demozone.SenderDomain}, Users: []string{"alice@example.org"}},
		Bob:   &Deferring{Store: memstore.Store{Domains: []string{demozone.ReceiverDomain}, Users: []string{"bob@example.com"}}},
	}
	handlers := map[string]receiver.Handler{demozone.SenderMX: m.Alice, demozone.ReceiverMX: m.Bob}
	for host, h := range more {
		handlers[host] = h
	}
	m.Ports = MXs(t, zone.Resolver(), handlers)
	return m
}

// KeyFile writes the private key zone publishes for domain and selector
// to a PEM file for the program's flags, and returns its name.
func KeyFile(t testing.TB, zone *demozone.Zone, domain, selector string) string {
	t.Helper()
	k := zone.Key(domain, selector)
	if k == nil {
		t.Fatalf("the demo zone has no key %s._domainkey.%s", selector, domain)
	}
	pem, err := dkim.MarshalPrivateKey(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), domain+"-"+selector+".pem")
	if err := os.WriteFile(file, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}
