package smtp_test

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"strings"

	"github.com/mailsmith/mailsmith/smtp"
)

// exampleServe serves srv on a loopback port chosen at run time and
// returns its address and what Serve returns once the server is closed.
func exampleServe(srv *smtp.Server) (addr string, served <-chan error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	return l.Addr().String(), done
}

// serverExampleDialogue sends lines to addr and prints each reply.
func serverExampleDialogue(addr string, lines ...string) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	readReply := func() {
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			fmt.Print("S: ", line[:len(line)-2], "\n")
			if line[3] == ' ' {
				return
			}
		}
	}
	readReply()
	for _, l := range lines {
		fmt.Println("C:", strings.ReplaceAll(l, "\r\n", `\r\n`))
		io.WriteString(nc, l+"\r\n")
		readReply()
	}
}
