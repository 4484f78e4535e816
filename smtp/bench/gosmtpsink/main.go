// Command gosmtpsink is the go-smtp counterpart of bench/gosink for
// bench/run.sh: a github.com/emersion/go-smtp server on loopback, set up
// as .ci/compare's SMTP benchmark sets it up (32 MiB size limit, other
// fields at their defaults), whose backend reads every message to the
// end and throws it away.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	gosmtp "github.com/emersion/go-smtp"
)

type discard struct{}

func (discard) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return discard{}, nil }
func (discard) Mail(string, *gosmtp.MailOptions) error          { return nil }
func (discard) Rcpt(string, *gosmtp.RcptOptions) error          { return nil }
func (discard) Reset()                                          {}
func (discard) Logout() error                                   { return nil }
func (discard) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback only)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file until SIGTERM")
	flag.Parse()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(l.Addr().String())
	s := gosmtp.NewServer(discard{})
	s.Domain = "gosmtpsink.localhost"
	s.MaxMessageBytes = 32 << 20
	s.ErrorLog = log.New(io.Discard, "", 0) // smtp-source resets its connections at the end
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
		<-ch
		s.Close()
	}()
	err = s.Serve(l)
	pprof.StopCPUProfile()
	if err != nil && err != gosmtp.ErrServerClosed {
		log.Print(err)
	}
}
