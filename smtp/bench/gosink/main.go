// Command gosink is the load target of bench/run.sh: an smtp.Server on
// loopback whose backend reads every message to the end and throws it
// away, the counterpart of Postfix's smtp-sink.
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

	"github.com/mailsmith/mailsmith/smtp"
)

type discard struct{}

func (discard) NewSession(*smtp.Conn) (smtp.Session, error) { return session{}, nil }

type session struct{}

func (session) Mail(string, *smtp.MailOptions) error { return nil }
func (session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (session) Reset()                               {}
func (session) Logout() error                        { return nil }
func (session) Data(r io.Reader) error {
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
	s := &smtp.Server{Backend: discard{}, Hostname: "gosink.localhost"}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
		<-ch
		s.Close()
	}()
	err = s.Serve(l)
	pprof.StopCPUProfile()
	if err != nil && err != smtp.ErrServerClosed {
		log.Fatal(err)
	}
}
