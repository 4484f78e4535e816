package srs

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/internal/testpeer"
)

// Live interop with postsrsd (Debian package, libsrs2-derived C), started
// here on loopback ports chosen at run time and queried over its Postfix
// tcp_table protocol ("get ADDRESS" -> "200 RESULT" / "500 reason").
// postsrsd reads the real clock, so this package runs with time.Now too.

func findPostsrsd(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("postsrsd"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/postsrsd"); err == nil {
		return "/usr/sbin/postsrsd"
	}
	testpeer.Missing(t, "postsrsd (Debian postsrsd)", "not in PATH nor /usr/sbin")
	return ""
}

// postsrsd is one running daemon.
type postsrsd struct {
	fwd, rev *bufio.ReadWriter
}

func dialTable(t *testing.T, port int) *bufio.ReadWriter {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			t.Cleanup(func() { c.Close() })
			require.NoError(t, c.SetDeadline(time.Now().Add(2*time.Minute)))
			return bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c))
		}
		if time.Now().After(deadline) {
			t.Fatalf("postsrsd did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startPostsrsd runs postsrsd for cfg until the test ends.
func startPostsrsd(t *testing.T, bin string, cfg peerConfig) *postsrsd {
	t.Helper()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secrets")
	require.NoError(t, os.WriteFile(secretFile, []byte(strings.Join(cfg.Secrets, "\n")+"\n"), 0o600))
	fport, rport := testpeer.FreePort(t), testpeer.FreePort(t)
	args := []string{
		"-s" + secretFile, "-d" + cfg.Domain, "-l127.0.0.1", "-4",
		"-f" + strconv.Itoa(fport), "-r" + strconv.Itoa(rport),
		"-a" + string(cfg.Separator), "-n" + strconv.Itoa(cfg.HashLength), "-t60",
	}
	// postsrsd's -N defaults to 4 whatever -n is; Mail::SRS and this
	// package default HashMin to HashLength. Pass the effective value.
	hashMin := cfg.HashMin
	if hashMin == 0 {
		hashMin = cfg.HashLength
	}
	args = append(args, "-N"+strconv.Itoa(hashMin))
	if cfg.AlwaysRewrite {
		args = append(args, "-A")
	}
	cmd := exec.Command(bin, args...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("postsrsd %v output:\n%s", args, logs.String())
		}
	})
	return &postsrsd{fwd: dialTable(t, fport), rev: dialTable(t, rport)}
}

// tableEncode applies tcp_table's %XX encoding to a request key.
func tableEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '%' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func tableDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// query asks one table; ok is true for a "200" answer.
func query(t *testing.T, rw *bufio.ReadWriter, key string) (string, bool) {
	t.Helper()
	_, err := rw.WriteString("get " + tableEncode(key) + "\n")
	require.NoError(t, err)
	require.NoError(t, rw.Flush())
	line, err := rw.ReadString('\n')
	require.NoError(t, err)
	line = strings.TrimRight(line, "\r\n")
	code, rest, _ := strings.Cut(line, " ")
	return tableDecode(rest), code == "200"
}

func TestInteropPostsrsd(t *testing.T) {
	bin := findPostsrsd(t)
	rng := rand.New(rand.NewPCG(6, 1010))
	configs := []peerConfig{
		{Secrets: []string{"public-test-secret-1"}, Domain: "forwarder.example", HashLength: 4, Separator: '='},
		{Secrets: []string{"new secret", "old secret"}, Domain: "Fwd.Example.NET", HashLength: 8, HashMin: 6, Separator: '+'},
		{Secrets: []string{randSecret(rng)}, Domain: "relay.example", HashLength: 5, Separator: '-', AlwaysRewrite: true},
	}
	fwdAgree, revAgree, alreadyOwn, byDesign, total := 0, 0, 0, 0, 0
	for ci, cfg := range configs {
		t.Run(fmt.Sprintf("config%d", ci), func(t *testing.T) {
			d := startPostsrsd(t, bin, cfg)
			ours := cfg.rewriter(0)
			ours.Now = time.Now
			// The first forwarder signs with a foreign secret, or (for
			// half of the inputs) with the last of ours.
			foreign := peerConfig{Secrets: []string{"first hop secret"}, Domain: "first.example", HashLength: 4, Separator: '+'}
			ownOld := foreign
			ownOld.Secrets = cfg.Secrets[len(cfg.Secrets)-1:]
			hops := []*Rewriter{foreign.rewriter(0), ownOld.rewriter(0)}
			for _, h := range hops {
				h.Now = time.Now
			}

			var senders []string
			for range 150 {
				senders = append(senders, randLocal(rng)+"@"+randDomain(rng))
			}
			senders = append(senders, "user@"+cfg.Domain, "user@"+strings.ToUpper(cfg.Domain))
			for i, s := range senders[:60] {
				if s0, err := hops[i%2].Forward(s); err == nil && IsSRS(s0) {
					senders = append(senders, s0) // SRS0 -> SRS1
					if s1, err := ours.Forward(s0); err == nil {
						senders = append(senders, strings.Replace(s1, "@"+cfg.Domain, "@other.example", 1)) // SRS1 -> SRS1
					}
				}
			}
			for _, s := range senders {
				total++
				before, errBefore := ours.Forward(s)
				theirs, ok := query(t, d.fwd, s)
				after, _ := ours.Forward(s)
				if !ok && theirs == "Already rewritten" {
					// postsrsd (unlike Mail::SRS and this package) will not
					// forward an SRS address that its own secrets verify.
					_, err := ours.Reverse(s)
					assert.NoError(t, err, "postsrsd says %q is its own, Go's Reverse refuses it", s)
					alreadyOwn++
					continue
				}
				if !ok {
					assert.Error(t, errBefore, "postsrsd refused %q (%s), Go gave %q", s, theirs, before)
					continue
				}
				if refusedByDesign(s) {
					assert.ErrorIs(t, errBefore, ErrMalformed, "forward %q; postsrsd gave %q", s, theirs)
					byDesign++
					continue
				}
				require.NoError(t, errBefore, "forward %q; postsrsd gave %q", s, theirs)
				if theirs != before && theirs != after { // the day may change in between
					t.Errorf("forward %q: postsrsd %q, Go %q", s, theirs, before)
					continue
				}
				fwdAgree++
				if !IsSRS(theirs) {
					continue
				}
				// Each side reverses the other's address.
				back, ok := query(t, d.rev, before)
				got, err := ours.Reverse(theirs)
				if assert.True(t, ok, "postsrsd could not reverse Go's %q: %s", before, back) &&
					assert.NoError(t, err, "Go could not reverse postsrsd's %q", theirs) &&
					assert.Equal(t, back, got, "reverse of %q", theirs) {
					revAgree++
				}
				// A forged hash is refused by both.
				forged := forgeHash(theirs)
				_, ok = query(t, d.rev, forged)
				_, err = ours.Reverse(forged)
				assert.False(t, ok, "postsrsd accepted %q", forged)
				assert.ErrorIs(t, err, ErrBadHash, "forged %q", forged)
			}
		})
	}
	t.Logf("postsrsd: forward byte-identical %d/%d (+%d own SRS addresses postsrsd declines to re-forward, +%d refused here by design), cross-reverse agrees %d", fwdAgree, total, alreadyOwn, byDesign, revAgree)
}

// forgeHash replaces the first hash character of an SRS address with one
// that differs from it in more than case.
func forgeHash(addr string) string {
	b := []byte(addr)
	if lower(b[5]) == 'z' {
		b[5] = '0'
	} else {
		b[5] = 'Z'
	}
	return string(b)
}
