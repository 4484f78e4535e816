package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mailsmith/mailsmith/dkim/arc"
	"github.com/mailsmith/mailsmith/examples/internal/authcheck"
	"github.com/mailsmith/mailsmith/examples/internal/demozone"
	"github.com/mailsmith/mailsmith/examples/internal/forward"
	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/queue"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/smtp"
	"github.com/mailsmith/mailsmith/srs"
)

// world is everything running during the demo.
type world struct {
	zone  *demozone.Zone
	res   resolver.Resolver
	ports map[string]int // MX host name → port on 127.0.0.1

	alice      *memstore.Store // Alice's mailbox at mail.example.org
	submission string          // address of Alice's submission server
	bob        *bobMX          // Bob's and Carol's mailboxes at mx.example.com
	fwd        *forward.Forwarder

	mu      sync.Mutex
	events  map[string][]receiver.Event // per MX host, every message seen
	rewrite []string                    // SRS rewrites, as the forwarder reported them

	servers []*smtp.Server
	spool   string // the queues' spool directories, removed at the end

	routing // MTA-STS, DANE and TLS reporting (routing.go)
	cancel  context.CancelFunc
	done    sync.WaitGroup
}

// srsSecret signs the forwarder's SRS addresses. A real forwarder keeps a
// long random secret.
var srsSecret = []byte("demo secret: use a long random one")

// startWorld starts DNS, the three MX servers and the queues.
func startWorld(n *narrator) (*world, error) {
	zone, err := demozone.Start()
	if err != nil {
		return nil, err
	}
	spool, err := os.MkdirTemp("", "mailsmith-demo-queue-")
	if err != nil {
		zone.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &world{zone: zone, res: zone.Resolver(), ports: map[string]int{},
		events: map[string][]receiver.Event{}, spool: spool, cancel: cancel}
	n.expect(true, "DNS for example.org, example.com, example.net served on %s", zone.Server.Addr())
	for _, k := range zone.Keys {
		n.expect(true, "DKIM key published at %s._domainkey.%s: %s", k.Selector, k.Domain, keyDescription(k))
	}

	if err := w.startRouting(n); err != nil {
		w.stop()
		return nil, err
	}
	newQueue := func(host string) *queue.Queue {
		q := &queue.Queue{Dir: filepath.Join(spool, host), Hostname: host, Deliverer: w.deliverer(host)}
		w.done.Add(1)
		go func() { defer w.done.Done(); q.Run(ctx) }()
		return q
	}
	w.alice = &memstore.Store{Domains: []string{demozone.SenderDomain}, Users: []string{"alice@example.org"}}
	w.bob = &bobMX{zone: zone, queue: newQueue(demozone.ReceiverMX),
		Store: memstore.Store{Domains: []string{demozone.ReceiverDomain}, Users: []string{"bob@example.com", "carol@example.com"}}}
	w.fwd = &forward.Forwarder{
		Domain:  demozone.ForwarderDomain,
		Aliases: forward.Aliases{"bob@example.net": {"bob@example.com"}, "carol@example.net": {"carol@example.com"}, listAddress: {"bob@example.com"}},
		Lists:   map[string]forward.List{listAddress: friendsList},
		Sealer:  w.sealer(),
		SRS:     &srs.Rewriter{Domain: demozone.ForwarderDomain, Secrets: [][]byte{srsSecret}},
		Queue:   newQueue(demozone.ForwarderMX),
		Observe: func(kind, from, to string, _ []string) {
			w.mu.Lock()
			w.rewrite = append(w.rewrite, kind+" "+from+" "+to)
			w.mu.Unlock()
		},
	}
	if err := w.startSubmission(newQueue(demozone.SenderMX)); err != nil {
		w.stop()
		return nil, err
	}
	handlers := map[string]receiver.Handler{demozone.SenderMX: w.alice, demozone.ReceiverMX: w.bob, demozone.ForwarderMX: w.fwd}
	var listening []string
	for host, h := range handlers {
		srv, port, err := receiver.ServeLocalTLS(&receiver.Backend{
			Hostname: host,
			Checker:  &authcheck.Checker{Resolver: w.res, Hostname: host, TrustARC: trustARC[host]},
			Handler:  h,
			Observe:  w.observer(host),
		}, w.serverTLS(host))
		if err != nil {
			w.stop()
			return nil, err
		}
		w.servers = append(w.servers, srv)
		w.ports[host] = port
		listening = append(listening, fmt.Sprintf("%s on 127.0.0.1:%d", host, port))
	}
	sort.Strings(listening)
	n.expect(true, "MX servers: %s", strings.Join(listening, ", "))
	n.expect(true, "Alice's submission server (STARTTLS, AUTH): mail.example.org on %s", w.submission)
	return w, nil
}

// trustARC says which MX trusts which ARC sealers: Bob's trusts the list
// at example.net (RFC 8617 §7.2).
var trustARC = map[string][]string{demozone.ReceiverMX: {demozone.ForwarderDomain}}

// sealer is the forwarder's ARC sealer: example.net's key published in the
// zone, and the forwarder's host name as the authserv-id whose
// Authentication-Results become the ARC-Authentication-Results.
func (w *world) sealer() *arc.Sealer {
	k := w.zone.Key(demozone.ForwarderDomain, demozone.SelectorARC)
	return &arc.Sealer{Domain: k.Domain, Selector: k.Selector, Key: k.Signer, AuthServID: demozone.ForwarderMX, Resolver: w.res}
}

func (w *world) observer(host string) func(receiver.Event) {
	return func(e receiver.Event) {
		w.mu.Lock()
		w.events[host] = append(w.events[host], e)
		w.mu.Unlock()
	}
}

// lastEvent returns the latest message an MX saw.
func (w *world) lastEvent(host string) (receiver.Event, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ev := w.events[host]
	if len(ev) == 0 {
		return receiver.Event{}, false
	}
	return ev[len(ev)-1], true
}

// rewrites returns the forwarder's SRS rewrites so far.
func (w *world) rewrites() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.rewrite...)
}

// allEvents returns every message every MX saw.
func (w *world) allEvents() map[string][]receiver.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string][]receiver.Event{}
	for h, ev := range w.events {
		out[h] = append([]receiver.Event(nil), ev...)
	}
	return out
}

func (w *world) stop() {
	for _, s := range w.servers {
		s.Close()
	}
	if w.sts != nil {
		w.sts.Close()
	}
	w.cancel()
	w.done.Wait()
	w.zone.Close()
	os.RemoveAll(w.spool)
}

// keyDescription says what kind of key k is.
func keyDescription(k demozone.Key) string {
	switch pub := k.Signer.Public().(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA, %d bits", pub.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", k.Signer.Public())
}
