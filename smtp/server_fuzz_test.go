package smtp

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// stRefUnstuff is a plain reference for the DATA reader: split at CRLF,
// stop at a line that is exactly ".", drop one leading dot, and check the
// rules line by line. ok is false when the input holds no end marker.
func stRefUnstuff(in []byte, lenient bool, maxLine int, maxBytes int64) (out []byte, end int, fault bool, ok bool) {
	i := 0
	for {
		j := bytes.Index(in[i:], []byte("\r\n"))
		if j < 0 {
			return out, 0, fault, false
		}
		line := in[i : i+j]
		i += j + 2
		if string(line) == "." {
			if maxBytes > 0 && int64(len(out)) > maxBytes {
				fault = true
			}
			return out, i, fault, true
		}
		if len(line) > 0 && line[0] == '.' {
			line = line[1:]
		}
		if lenient {
			pieces := bytes.Split(line, []byte("\n"))
			for k, p := range pieces {
				n := len(p) + 1
				if k == len(pieces)-1 {
					n = len(p) + 2
				}
				if maxLine > 0 && n > maxLine {
					fault = true
				}
			}
		} else {
			if bytes.IndexByte(line, '\r') >= 0 || bytes.IndexByte(line, '\n') >= 0 {
				fault = true
			}
			if maxLine > 0 && len(line)+2 > maxLine {
				fault = true
			}
		}
		out = append(out, line...)
		out = append(out, '\r', '\n')
	}
}

// stPieceReader returns its data in pieces of a fixed size, to move the
// buffer boundaries around.
type stPieceReader struct {
	data []byte
	n    int
}

func (r *stPieceReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.data))
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// stDataRun reads in through a dataReader, by Read with reads of size
// readSize, or by WriteTo when readSize is 0. It returns the delivered
// octets, the fault, how much input was consumed, and whether the end
// of data was found.
func stDataRun(in []byte, piece, readSize int, lenient bool, maxLine int, maxBytes int64) (out []byte, consumed int, done bool, fault error) {
	src := &stPieceReader{data: in, n: piece}
	wr := &wireReader{src: src}
	d := &dataReader{rd: wr, fill: func() error { return wr.fill(false) }, lenient: lenient, maxLine: maxLine, maxBytes: maxBytes}
	var buf bytes.Buffer
	if readSize == 0 {
		d.WriteTo(&buf)
	} else {
		p := make([]byte, readSize)
		for {
			n, err := d.Read(p)
			buf.Write(p[:n])
			if err != nil {
				break
			}
		}
	}
	if d.ioErr == nil && d.state != dataDone {
		d.drain()
	}
	consumed = len(in) - len(src.data) - len(wr.buffered())
	return buf.Bytes(), consumed, d.state == dataDone, d.fault
}

func stCheckDataReader(t *testing.T, in []byte, piece, readSize int, lenient bool, maxLine int, maxBytes int64) {
	t.Helper()
	wantOut, wantEnd, wantFault, wantOK := stRefUnstuff(in, lenient, maxLine, maxBytes)
	out, consumed, done, fault := stDataRun(in, piece, readSize, lenient, maxLine, maxBytes)
	if done != wantOK {
		t.Fatalf("input %q: end found %v, reference %v", in, done, wantOK)
	}
	if !done {
		return
	}
	if consumed != wantEnd {
		t.Fatalf("input %q: consumed %d, reference ends at %d", in, consumed, wantEnd)
	}
	if (fault != nil) != wantFault {
		t.Fatalf("input %q (lenient %v, maxLine %d, maxBytes %d): fault %v, reference fault %v", in, lenient, maxLine, maxBytes, fault, wantFault)
	}
	if fault == nil && !bytes.Equal(out, wantOut) {
		t.Fatalf("input %q: got %q, reference %q", in, out, wantOut)
	}
}

func TestServerDataReaderAgainstReference(t *testing.T) {
	inputs := []string{
		"a\r\n.\r\n", ".\r\n", "..\r\n.\r\n", "..a\r\n.b\r\n.\r\n", "a\nb\r\n.\r\n", "a\rb\r\n.\r\n",
		"a\r\n.\n.\r\n", "a\r\n.\rx\r\n.\r\n", "x\r\r\n.\r\n", "\r\n\r\n.\r\n", strings.Repeat("y", 3000) + "\r\n.\r\n",
		"no end\r\n", "a\r\n.\r\nafter", ".\r\r\n.\r\n", "a\r", "\n.\n\r\n.\r\n",
	}
	for _, in := range inputs {
		for _, piece := range []int{1, 2, 3, 7, 1 << 20} {
			for _, rs := range []int{0, 1, 5, 4096} {
				for _, lenient := range []bool{false, true} {
					stCheckDataReader(t, []byte(in), piece, rs, lenient, 1000, 0)
					stCheckDataReader(t, []byte(in), piece, rs, lenient, 5, 4)
				}
			}
		}
	}
}

func FuzzServerDataReader(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\n..dot\r\n.\r\n"), uint8(3), uint8(2), false, uint16(1000), uint16(0))
	f.Add([]byte("a\n.\nMAIL FROM:<x>\r\n.\r\n"), uint8(1), uint8(0), false, uint16(1000), uint16(0))
	f.Add([]byte("a\n.\n\r\n.\r\n"), uint8(2), uint8(9), true, uint16(4), uint16(10))
	f.Add([]byte(".\r\rx\r\n.\r\n"), uint8(5), uint8(1), false, uint16(0), uint16(3))
	f.Fuzz(func(t *testing.T, in []byte, piece, readSize uint8, lenient bool, maxLine, maxBytes uint16) {
		stCheckDataReader(t, in, int(piece)+1, int(readSize), lenient, int(maxLine), int64(maxBytes))
	})
}

func FuzzServerParsePath(f *testing.F) {
	for _, s := range []string{"<a@b.example>", "<>", "<@r.example:u@d.example> SIZE=10 BODY=8BITMIME",
		"<\"q >\\\"\"@d.example> SMTPUTF8", "<u@[IPv6:::1]>", "<Postmaster>", "<jöran@bücher.example>", "<a@b> AUTH=a+2Bb", "<a@b>x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, null := range []bool{false, true} {
			p, rest, err := parsePath(in, null, !null)
			if err != nil {
				continue
			}
			if len(p.Addr)+2 > srvMaxPath {
				t.Fatalf("%q: address longer than the path limit", in)
			}
			for i := 0; i < len(p.Addr); i++ {
				if c := p.Addr[i]; c < 0x20 || c == 0x7f {
					if !strings.Contains(p.Addr, "\"") {
						t.Fatalf("%q: control character in unquoted address %q", in, p.Addr)
					}
				}
			}
			if p.Addr == "" && !null {
				t.Fatalf("%q: null path accepted for RCPT", in)
			}
			// The address must parse again to itself.
			if p.Addr != "" {
				q, r2, err := parsePath([]byte("<"+p.Addr+">"), null, !null)
				if err != nil || q.Addr != p.Addr || len(r2) != 0 {
					t.Fatalf("%q: address %q does not round-trip: %v %q", in, p.Addr, err, q.Addr)
				}
			}
			params, err := parseParams(rest)
			if err != nil {
				continue
			}
			for _, prm := range params {
				if prm.Key == "" || strings.ContainsAny(prm.Key+prm.Value, " \r\n\x00") {
					t.Fatalf("%q: bad parameter %+v", in, prm)
				}
			}
			if v, ok := decodeXtext(string(rest)); ok && strings.ContainsRune(v, 0) && !strings.Contains(string(rest), "+00") {
				t.Fatalf("xtext produced NUL from %q", rest)
			}
		}
	})
}

// stMemConn is an in-memory net.Conn for driving a whole session from a
// byte string: reads come from in, writes go to out.
type stMemConn struct {
	in  io.Reader
	out bytes.Buffer
}

func (c *stMemConn) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *stMemConn) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *stMemConn) Close() error                { return nil }
func (c *stMemConn) LocalAddr() net.Addr         { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25} }
func (c *stMemConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *stMemConn) SetDeadline(time.Time) error      { return nil }
func (c *stMemConn) SetReadDeadline(time.Time) error  { return nil }
func (c *stMemConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzServerCommands drives a whole session with arbitrary client bytes
// and checks that every reply is well-formed and that the server never
// answers more often than the client could have asked.
func FuzzServerCommands(f *testing.F) {
	f.Add([]byte("EHLO a.example\r\nMAIL FROM:<a@b.example> SIZE=10\r\nRCPT TO:<c@d.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"), uint8(7))
	f.Add([]byte("HELO x\r\nBDAT 3 LAST\r\nabcRSET\r\nAUTH PLAIN AGEAYg==\r\nVRFY x\r\n"), uint8(1))
	f.Add([]byte("EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b>\r\nBDAT 2\r\nabBDAT 1 LAST\r\nc"), uint8(64))
	f.Add([]byte("EHLO x\nMAIL FROM:<a@b>\rRCPT TO:<c@d>\r\nDATA\r\n.\n.\r\n.\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, piece uint8) {
		be := &stBackend{users: map[string]string{"u": "p"}}
		s := &Server{Backend: be, Hostname: "mx.test.example", AllowInsecureAuth: true, MaxMessageBytes: 200, MaxErrors: 1000}
		mc := &stMemConn{in: &stPieceReader{data: in, n: int(piece) + 1}}
		c := newServerConn(s, mc, false)
		s.conns = map[*Conn]struct{}{c: {}}
		s.active = 1
		c.serve()
		out := mc.out.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("output does not end in CRLF: %q", out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		finals := 0
		for _, l := range lines {
			if len(l) < 4 || l[0] < '2' || l[0] > '5' || (l[3] != ' ' && l[3] != '-') || strings.ContainsAny(l, "\r\n") {
				t.Fatalf("malformed reply line %q in %q", l, out)
			}
			if l[3] == ' ' {
				finals++
			}
		}
		if max := bytes.Count(in, []byte("\n")) + bytes.Count(in, []byte("\r")) + 2; finals > max {
			t.Fatalf("%d replies for %d possible commands", finals, max)
		}
		if !strings.HasPrefix(out, "220 mx.test.example ") {
			t.Fatalf("greeting %q", out)
		}
	})
}
