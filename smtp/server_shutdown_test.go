package smtp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shutdown and Close: what clients waiting, sending or being answered
// are told, and what Serve returns.

// TestServerShutdown: Shutdown stops accepting, answers 421 4.3.2 to a
// session waiting for a command (in a transaction or not), lets a
// message in transfer finish and be answered before its 421, and makes
// Serve return ErrServerClosed.
func TestServerShutdown(t *testing.T) {
	be := &stBackend{}
	inData := make(chan struct{})
	var once sync.Once
	be.dataHook = func(*Conn) { once.Do(func() { close(inData) }) }
	s := &Server{Backend: be}
	addr, served := stListen(t, s, false)

	idle := stGreeted(t, addr)
	idle.expect("EHLO idle.example", 250)
	idle.expect("MAIL FROM:<a@b.example>", 250) // in a transaction, but waiting for a command

	busy := stGreeted(t, addr)
	stRun(t, busy, []stStep{{"EHLO busy.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	busy.send("first half\r\n")
	<-inData

	done := make(chan error, 1)
	go func() { done <- stShutdown(t, s, 10*time.Second) }()

	r := idle.read()
	assert.Equal(t, 421, r.Code, "idle session gets 421: %v", r)
	assert.True(t, strings.HasPrefix(r.Lines[0], "4.3.2 mx.test.example "), "%v", r)
	assert.True(t, idle.closed())

	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while DATA was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	_, err := net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "no new connections after Shutdown")
	busy.send("second half\r\n.\r\n")
	busy.expect("", 250)
	busy.expect("", 421)
	assert.True(t, busy.closed())
	require.NoError(t, <-done)
	assert.ErrorIs(t, <-served, ErrServerClosed)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "first half\r\nsecond half\r\n", string(msgs[0].Data))
	require.Eventually(t, func() bool {
		be.mu.Lock()
		defer be.mu.Unlock()
		return be.logouts == 2
	}, 5*time.Second, 10*time.Millisecond)
}

// TestServerShutdownDeadline: when Shutdown's context ends (its deadline
// passes, or it is cancelled) while a Session still holds a message, the
// connection is dropped without an answer and Shutdown returns the
// context's error.
func TestServerShutdownDeadline(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled", func() (context.Context, context.CancelFunc) { return cancelled, func() {} }, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := &stBackend{}
			block := make(chan struct{})
			be.dataHook = func(*Conn) { <-block }
			s := &Server{Backend: be}
			c := stGreeted(t, stStart(t, s))
			stRun(t, c, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
			c.send("x\r\n.\r\n")
			time.Sleep(20 * time.Millisecond)
			ctx, cancel := tc.ctx()
			defer cancel()
			assert.ErrorIs(t, s.Shutdown(ctx), tc.want)
			close(block)
			assert.True(t, c.closed())
		})
	}
}

func TestServerServeAfterClose(t *testing.T) {
	s := &Server{Backend: &stBackend{}}
	require.NoError(t, s.Close())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.ErrorIs(t, s.Serve(l), ErrServerClosed)
}

// TestServerClose: Close drops every connection at once, one in the
// middle of a message included, stops accepting and makes Serve return
// ErrServerClosed.
func TestServerClose(t *testing.T) {
	s := &Server{Backend: &stBackend{}}
	addr, served := stListen(t, s, false)
	c1, c2 := stGreeted(t, addr), stGreeted(t, addr)
	stRun(t, c2, []stStep{{"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	c2.send("partial")
	require.NoError(t, s.Close())
	assert.True(t, c1.closed())
	assert.True(t, c2.closed())
	assert.ErrorIs(t, <-served, ErrServerClosed)
	_, err := net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err)
}

func TestServerShutdownTLSIdle(t *testing.T) {
	s := &Server{Backend: &stBackend{}, TLSConfig: tlsServer(t)}
	addr := stStartTLS(t, s)
	c := stGreetedTLS(t, addr)
	c.expect("EHLO c.example", 250)
	require.NoError(t, stShutdown(t, s, 10*time.Second))
	r := c.expect("", 421)
	assert.Contains(t, r.Lines[0], "4.3.2")
}

func TestServerShutdownDuringAuth(t *testing.T) {
	s := &Server{Backend: &stBackend{users: map[string]string{"u": "p"}}, AllowInsecureAuth: true}
	c := stGreeted(t, stStart(t, s))
	c.expect("EHLO c.example", 250)
	c.expect("AUTH LOGIN", 334)
	done := make(chan error, 1)
	go func() { done <- stShutdown(t, s, 10*time.Second) }()
	r := c.expect("", 421)
	assert.Contains(t, r.Lines[0], "4.3.2")
	require.NoError(t, <-done)
}

// rlTracker records, per message ID, what the backend accepted and what
// the clients were told.
type rlTracker struct {
	mu       sync.Mutex
	accepted map[string]bool // Data returned nil
	seen     map[string]bool // any octet of the message reached Data
	told250  map[string]bool
	toldErr  map[string]bool
}

func newRLTracker() *rlTracker {
	return &rlTracker{accepted: map[string]bool{}, seen: map[string]bool{}, told250: map[string]bool{}, toldErr: map[string]bool{}}
}

func (tr *rlTracker) mark(m map[string]bool, id string) {
	tr.mu.Lock()
	m[id] = true
	tr.mu.Unlock()
}

// rlTrackBackend's sessions read the message (each starts "id-N\r\n"),
// take delay over it, and accept it whatever their context says: the
// worst case for a server that must not lose the 250 of an accepted
// message.
type rlTrackBackend struct {
	tr    *rlTracker
	delay time.Duration
}

func (b *rlTrackBackend) NewSession(c *Conn) (Session, error) { return &rlTrackSession{b: b}, nil }

type rlTrackSession struct {
	stNopSession
	b *rlTrackBackend
}

func (s *rlTrackSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	id, _, _ := bytes.Cut(body, []byte("\r\n"))
	if len(id) > 0 {
		s.b.tr.mark(s.b.tr.seen, string(id))
	}
	if err != nil {
		return err
	}
	time.Sleep(s.b.delay)
	s.b.tr.mark(s.b.tr.accepted, string(id))
	return nil
}

// check compares what was accepted with what the clients were told.
func (tr *rlTracker) check(t *testing.T) {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for id := range tr.accepted {
		assert.True(t, tr.told250[id], "%s was accepted but its 250 was lost", id)
	}
	for id := range tr.told250 {
		assert.True(t, tr.accepted[id], "%s got a 250 but was not accepted", id)
	}
	for id := range tr.toldErr {
		assert.False(t, tr.seen[id], "%s reached the backend after an error reply", id)
	}
}

// rlTxnClient runs transactions in a given way and records the outcome.
type rlTxnClient struct {
	t  *testing.T
	tr *rlTracker
	c  *stConn
}

func (k *rlTxnClient) outcome(id string) {
	r, err := k.c.tryRead()
	switch {
	case err != nil:
	case r.Code == 250:
		k.tr.mark(k.tr.told250, id)
	default:
		k.tr.mark(k.tr.toldErr, id)
	}
}

// TestReliabilityShutdownInFlight: Shutdown while clients are in every
// stage of a transaction. Every message the backend accepted gets its
// 250 before the connection closes, no message is handed to the backend
// after an error reply, and clients waiting for a command get 421.
func TestReliabilityShutdownInFlight(t *testing.T) {
	tr := newRLTracker()
	s := &Server{Backend: &rlTrackBackend{tr: tr, delay: 150 * time.Millisecond}, MaxConnectionsPerIP: -1}
	addr := stStart(t, s)
	type stage struct {
		name   string
		before string // sent before Shutdown (after EHLO); its replies read
		wants  int
		after  func(id string) string // sent after Shutdown started
	}
	env := "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
	stages := []stage{
		{"idle", "", 0, func(id string) string { return env + "DATA\r\n" + id + "\r\n.\r\n" }},
		{"envelope sent", env, 2, func(id string) string { return "DATA\r\n" + id + "\r\n.\r\n" }},
		{"mid-DATA", env + "DATA\r\n", 3, func(id string) string { return id + "\r\nrest\r\n.\r\n" }},
		{"Session busy in Data", env + "DATA\r\n", 3, nil}, // message sent before Shutdown
		{"mid-BDAT", env + "BDAT 0\r\n", 3, func(id string) string { return fmt.Sprintf("BDAT %d LAST\r\n%s\r\n", len(id)+2, id) }},
		{"pipelined past the message", env + "DATA\r\n", 3, func(id string) string { return id + "\r\n.\r\n" + env + "DATA\r\n" + id + "-2\r\n.\r\n" }},
	}
	const per = 4
	var wg sync.WaitGroup
	var clients []*rlTxnClient
	var ids []string
	for i, st := range stages {
		for j := 0; j < per; j++ {
			id := fmt.Sprintf("id-%d-%d", i, j)
			c := stGreeted(t, addr)
			c.expect("EHLO c.example", 250)
			c.send(st.before)
			c.readN(st.wants)
			if st.after == nil {
				c.send(id + "\r\n.\r\n")
			}
			clients = append(clients, &rlTxnClient{t: t, tr: tr, c: c})
			ids = append(ids, id)
		}
	}
	time.Sleep(20 * time.Millisecond)
	shut := make(chan error, 1)
	go func() { shut <- stShutdown(t, s, 10*time.Second) }()
	time.Sleep(20 * time.Millisecond)
	for n, k := range clients {
		st := stages[n/per]
		wg.Add(1)
		go func(k *rlTxnClient, id string) {
			defer wg.Done()
			if st.after != nil {
				// The server may have closed already: a failed write
				// is one of the outcomes.
				io.WriteString(k.c.nc, st.after(id))
			}
			switch st.name {
			case "idle":
				k.outcome(id) // 421 before the transaction
				k.tr.mark(k.tr.toldErr, id)
			case "envelope sent":
				k.outcome(id) // 421 for DATA
				k.tr.mark(k.tr.toldErr, id)
			case "pipelined past the message":
				k.outcome(id)
				k.tr.mark(k.tr.toldErr, id+"-2") // 421 before its MAIL
			default:
				k.outcome(id)
			}
			k.c.closed()
		}(k, ids[n])
	}
	wg.Wait()
	require.NoError(t, <-shut)
	tr.check(t)
	tr.mu.Lock()
	n250 := len(tr.told250)
	tr.mu.Unlock()
	// mid-DATA, busy, mid-BDAT and the first message of the pipelined
	// clients finish; the rest are refused.
	assert.Equal(t, 4*per, n250)
}

// TestReliabilityShutdownExpiredKeepsAcceptedReply: when Shutdown's
// context ends while a Session is still working on a message it has
// read in full, and that Session accepts it anyway (it may be committed
// to disk already), the client still gets its 250. A Session still
// reading is cut off at once, and its message is not accepted.
func TestReliabilityShutdownExpiredKeepsAcceptedReply(t *testing.T) {
	tr := newRLTracker()
	s := &Server{Backend: &rlTrackBackend{tr: tr, delay: 300 * time.Millisecond}}
	addr := stStart(t, s)
	busy := stDial(t, addr)
	busy.read()
	stRun(t, busy, []stStep{{"EHLO c.example\r\n" + "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	busy.send("id-busy\r\n.\r\n")
	slow := stDial(t, addr)
	slow.read()
	stRun(t, slow, []stStep{{"EHLO c.example\r\n" + "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n", []int{250, 250, 250, 354}}})
	slow.send("id-slow\r\nhalf of it")
	require.Eventually(t, func() bool { // the busy Session has the whole message
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return tr.seen["id-busy"]
	}, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Shutdown(ctx), context.DeadlineExceeded)
	// The slow sender is cut off at once.
	assert.True(t, slow.closed())
	// The busy Session accepts after Shutdown returned: its 250 arrives.
	(&rlTxnClient{t: t, tr: tr, c: busy}).outcome("id-busy")
	busy.expect("", 421)
	assert.True(t, busy.closed())
	tr.check(t)
	tr.mu.Lock()
	assert.True(t, tr.told250["id-busy"])
	assert.False(t, tr.accepted["id-slow"])
	tr.mu.Unlock()
}
