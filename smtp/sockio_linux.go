//go:build linux

package smtp

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawSock reads and writes a plain TCP connection through its RawConn,
// making each read with recvfrom(2) and each write with sendto(2)
// (MSG_NOSIGNAL), through syscall.RawSyscall6: on a socket they do what
// read(2) and write(2) do, minus the file layer (fdget_pos,
// rw_verify_area, the security and fsnotify hooks), which was about 4% of the
// server's CPU per 1 KiB message under smtp-source (perf).
//
// The socket is non-blocking: the runtime's poller does the waiting,
// deadlines included, exactly as for net.Conn's own Read and Write
// (RawConn.Read and Write take the same locks and wait the same way), so
// these system calls never block, and skipping the runtime's bookkeeping
// for a call that might block is safe. That bookkeeping is what costs at
// a few system calls per SMTP command: each call from a process that
// was idle wakes the runtime's monitor thread, which then polls every
// 20 µs for a millisecond. With 1 KiB messages it was about a tenth of
// the server's CPU time (smtp/bench/run.sh).
type rawSock struct {
	nc net.Conn
	rc syscall.RawConn

	// Read state, used by one reader at a time (the connection's
	// goroutine, or the watch while that goroutine waits for it).
	rbuf   []byte
	rn     int
	rerr   syscall.Errno
	readFn func(fd uintptr) bool
	reads  int // recvfrom(2) calls made, EAGAIN included

	// Write state, used by the connection's goroutine only.
	wbuf    []byte
	wn      int
	werr    syscall.Errno
	once    bool // writeFn gives up at EAGAIN instead of waiting
	writeFn func(fd uintptr) bool
	writes  int // sendto(2) calls made, EAGAIN included
}

// newRawSock returns a rawSock for a *net.TCPConn, nil for anything
// else.
func newRawSock(nc net.Conn) *rawSock {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	s := &rawSock{nc: nc, rc: rc}
	s.readFn = s.doRead
	s.writeFn = s.doWrite
	return s
}

func (s *rawSock) doRead(fd uintptr) bool {
	for {
		s.reads++
		n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(unsafe.SliceData(s.rbuf))), uintptr(len(s.rbuf)), 0, 0, 0)
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait until readable, then try again
		}
		s.rn, s.rerr = int(n), e
		return true
	}
}

// Read implements io.Reader like net.Conn's Read.
func (s *rawSock) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.rbuf, s.rn, s.rerr = p, 0, 0
	err := s.rc.Read(s.readFn)
	n, e := s.rn, s.rerr
	s.rbuf = nil
	switch {
	case err != nil:
		return 0, err
	case e != 0:
		return 0, s.opError("read", e)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (s *rawSock) doWrite(fd uintptr) bool {
	for s.wn < len(s.wbuf) {
		rest := s.wbuf[s.wn:]
		s.writes++
		n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(unsafe.SliceData(rest))), uintptr(len(rest)), syscall.MSG_NOSIGNAL, 0, 0)
		switch e {
		case 0:
			s.wn += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return s.once // wait until writable, unless only trying
		default:
			s.werr = e
			return true
		}
	}
	return true
}

// Write implements io.Writer like net.Conn's Write: it returns once all
// of p is written, or on an error (the write deadline included).
func (s *rawSock) Write(p []byte) (int, error) {
	return s.write(p, false)
}

// writeNow writes what the socket takes of p at once, without waiting
// (and so without needing a write deadline).
func (s *rawSock) writeNow(p []byte) (int, error) {
	return s.write(p, true)
}

func (s *rawSock) write(p []byte, once bool) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.wbuf, s.wn, s.werr, s.once = p, 0, 0, once
	err := s.rc.Write(s.writeFn)
	n, e := s.wn, s.werr
	s.wbuf = nil
	switch {
	case err != nil:
		return n, err
	case e != 0:
		return n, s.opError("write", e)
	}
	return n, nil
}

// syscalls returns the receive and send system calls made so far.
func (s *rawSock) syscalls() (reads, writes int) { return s.reads, s.writes }

func (s *rawSock) opError(op string, e syscall.Errno) error {
	return &net.OpError{Op: op, Net: "tcp", Source: s.nc.LocalAddr(), Addr: s.nc.RemoteAddr(), Err: os.NewSyscallError(op, e)}
}
