package dane_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsmith/mailsmith/internal/testpeer"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// unbound is a validating Unbound process started by a test on
// 127.0.0.1, serving the test's zones as auth-zones (PEERS.md, "A
// validating DNS resolver: Unbound").
type unbound struct {
	addr   string
	dir    string
	mu     sync.Mutex
	stderr bytes.Buffer
}

// lockedWriter guards the process output buffer.
type lockedWriter struct{ u *unbound }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.u.mu.Lock()
	defer w.u.mu.Unlock()
	return w.u.stderr.Write(p)
}

func (u *unbound) output() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stderr.String()
}

// startUnbound runs Unbound with the zones (origin → zone file text) and
// the DS trust anchors, until the test ends. extraPorts are more ports to
// listen on (53 for programs that read /etc/resolv.conf).
func startUnbound(t *testing.T, zones map[string]string, anchors []string, extraPorts ...int) *unbound {
	t.Helper()
	bin, err := exec.LookPath("unbound")
	if err != nil {
		for _, p := range []string{"/usr/sbin/unbound", "/sbin/unbound"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	testpeer.Require(t, "unbound (Debian unbound)", err == nil, err)
	dir := t.TempDir()
	port := testpeer.FreePort(t)
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
  interface: 127.0.0.1@%d
`, port)
	for _, p := range extraPorts {
		fmt.Fprintf(&conf, "  interface: 127.0.0.1@%d\n", p)
	}
	fmt.Fprintf(&conf, `  port: %d
  do-ip6: no
  do-daemonize: no
  num-threads: 1
  so-reuseport: no
  username: ""
  chroot: ""
  directory: "%[2]s"
  pidfile: "%[2]s/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  val-log-level: 2
  ede: yes
  do-not-query-localhost: no
  module-config: "validator iterator"
  trust-anchor-file: "%[2]s/anchors.ds"
  local-zone: "test." nodefault
remote-control:
  control-enable: no
`, port, dir)
	for origin, text := range zones {
		file := filepath.Join(dir, strings.TrimSuffix(origin, ".")+".zone")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "auth-zone:\n  name: %q\n  zonefile: %q\n  for-upstream: yes\n  for-downstream: no\n  fallback-enabled: no\n", origin, file)
	}
	if err := os.WriteFile(filepath.Join(dir, "anchors.ds"), []byte(strings.Join(anchors, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	confFile := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	u := &unbound{addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
	cmd := exec.Command(bin, "-d", "-c", confFile)
	cmd.Stdout = lockedWriter{u}
	cmd.Stderr = lockedWriter{u}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting unbound: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("unbound output:\n%s", u.output())
		}
	})
	// Wait until it answers.
	r := &dane.DNSResolver{Servers: []string{u.addr}, Timeout: 500 * time.Millisecond}
	probe := ""
	for origin := range zones {
		probe = origin
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, _, err := r.LookupCNAME(ctx, probe)
		cancel()
		if err == nil || !errors.Is(err, dane.ErrTemporary) || errors.Is(err, dane.ErrBogus) {
			break
		}
		select {
		case <-done:
			t.Fatalf("unbound exited:\n%s", u.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("unbound does not answer: %v\n%s", err, u.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return u
}
