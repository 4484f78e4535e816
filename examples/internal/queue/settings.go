package queue

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/mailsmith/mailsmith/examples/internal/outbound"
	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx/dane"
)

// Settings are the queue and delivery settings of the examples that relay
// mail (forwarder, submission), read from their command line by AddFlags
// and Check.
type Settings struct {
	QueueDir string         // spool directory of the outgoing queue
	MXPort   int            // port of remote MX hosts; 0 means DefaultPort
	MXPorts  map[string]int // per MX host ports (testing)
	Retry    time.Duration  // first retry delay, doubled each time
	MTASTS   bool           // apply recipient domains' MTA-STS policies
	// DANEResolver is the -dane-resolver flag (see DANEResolver); ""
	// disables DANE.
	DANEResolver string

	mxPort string // the -mx-port flag, read by Check
}

// AddFlags defines -queue-dir (with the default queueDir), -mx-port,
// -retry, -mta-sts and -dane-resolver on fs.
func (s *Settings) AddFlags(fs *flag.FlagSet, queueDir string) {
	fs.StringVar(&s.QueueDir, "queue-dir", queueDir, "spool directory of the outgoing queue; accepted mail is kept there until delivered or bounced")
	fs.StringVar(&s.mxPort, "mx-port", "", "port of remote MX hosts: \"25\", or \"host=port,...,default\" (testing)")
	fs.DurationVar(&s.Retry, "retry", time.Minute, "first retry delay for temporary failures (doubles each time)")
	fs.BoolVar(&s.MTASTS, "mta-sts", true, "apply recipient domains' MTA-STS policies (RFC 8461): TLS verified for the MX hosts they list")
	fs.StringVar(&s.DANEResolver, "dane-resolver", "", "validating DNS resolver for DANE (RFC 7672), host:port or \"system\" (/etc/resolv.conf); \"\" disables DANE")
}

// Check reads the flags' values once fs.Parse has set them; its error
// names the flag that is wrong.
func (s *Settings) Check() error {
	var err error
	if s.MXPort, s.MXPorts, err = outbound.ParsePorts(s.mxPort); err != nil {
		return fmt.Errorf("-mx-port: %w", err)
	}
	if _, err := outbound.DANEResolver(s.DANEResolver); err != nil {
		return fmt.Errorf("-dane-resolver: %w", err)
	}
	if s.QueueDir == "" {
		return errors.New("-queue-dir must not be empty")
	}
	return nil
}

// Deliverer returns a Deliverer over res that says localName in EHLO,
// with the MX ports and the TLS policies of s: MTA-STS with policy hosts
// and MX certificates checked against roots (nil: the system's) and policy
// hosts reached on httpsPorts (nil: 443; tests), and DANE through daneRes,
// or when it is nil the resolver of s.DANEResolver.
func (s *Settings) Deliverer(res resolver.Resolver, localName string, roots *x509.CertPool, httpsPorts map[string]int, daneRes dane.Resolver) (*outbound.Deliverer, error) {
	d := &outbound.Deliverer{Resolver: res, LocalName: localName, Port: s.MXPort, Ports: s.MXPorts, RootCAs: roots, DANE: daneRes}
	if s.MTASTS {
		d.MTASTS = outbound.MTASTSClient(res, roots, httpsPorts)
	}
	if d.DANE == nil {
		var err error
		if d.DANE, err = outbound.DANEResolver(s.DANEResolver); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Open returns the queue of s in QueueDir, delivering with d, retrying
// with Retry doubled six times, giving up after maxAge (0: DefaultMaxAge),
// with hostname as the Reporting-MTA of its bounces; the spool is loaded.
func (s *Settings) Open(d Deliverer, hostname string, maxAge time.Duration, log *slog.Logger) (*Queue, error) {
	q := &Queue{Dir: s.QueueDir, Deliverer: d, Hostname: hostname, Backoff: Doubling(s.Retry, 6), MaxAge: maxAge, Logger: log}
	if err := q.Open(); err != nil {
		return nil, err
	}
	return q, nil
}
