package runtest

import (
	"context"
	"os/exec"
	"time"
)

// PeerTimeout bounds one run of a peer program (Peer).
const PeerTimeout = 20 * time.Second

// Peer runs program, a mail client from outside the suite (swaks,
// python3's smtplib; internal/testpeer finds it or skips the test), with
// args against the program under test, for at most PeerTimeout, and
// returns what it printed, standard output and error together.
func Peer(program string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), PeerTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, program, args...).CombinedOutput()
	return string(out), err
}
