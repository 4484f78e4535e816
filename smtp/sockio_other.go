//go:build !linux

package smtp

import (
	"errors"
	"net"
)

// rawSock is the Linux fast path for plain TCP connections (see
// sockio_linux.go); elsewhere the server uses net.Conn's Read and Write.
type rawSock struct{}

func newRawSock(net.Conn) *rawSock { return nil }

// errNoRawSock stays beside its only users, which build off Linux only (in
// errors.go it would be unused on Linux).
var errNoRawSock = errors.New("smtp: no raw socket I/O on this system")

func (*rawSock) Read([]byte) (int, error)      { return 0, errNoRawSock }
func (*rawSock) Write([]byte) (int, error)     { return 0, errNoRawSock }
func (*rawSock) writeNow([]byte) (int, error)  { return 0, errNoRawSock }
func (*rawSock) syscalls() (reads, writes int) { return 0, 0 }
