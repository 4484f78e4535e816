package smtp_test

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"strings"
	"time"

	"github.com/mailsmith/mailsmith/smtp"
)

// Limits that bound what hostile clients can hold: connections in all
// and per client address, and the time one message may take to arrive.
// Refused connections get 421 and are counted.
func ExampleServer_Stats() {
	srv := &smtp.Server{
		Hostname:            "mx.example.org",
		MaxConnections:      500,              // 0: DefaultMaxConnections; negative: no limit
		MaxConnectionsPerIP: 1,                // 0: DefaultMaxConnectionsPerIP; negative: no limit
		DataDeadline:        30 * time.Minute, // 0: derived from MaxMessageBytes
		Backend:             serverExampleBackend,
	}
	addr, _ := exampleServe(srv)
	defer srv.Close()

	greet := func() string {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		line, _ := bufio.NewReader(nc).ReadString('\n')
		return strings.TrimSpace(line)
	}
	fmt.Println(greet())
	fmt.Println(greet()) // a second connection from the same address
	st := srv.Stats()
	fmt.Printf("active %d, accepted %d, refused %d (per address %d)\n", st.Active, st.Accepted, st.Refused, st.RefusedPerIP)
	// Output:
	// 220 mx.example.org ESMTP ready
	// 421 4.7.0 mx.example.org Too many connections from your address, try again later
	// active 1, accepted 1, refused 1 (per address 1)
}
