package serve

import (
	"crypto/tls"
	"flag"
	"io"

	"github.com/mailsmith/mailsmith/examples/internal/tlscert"
)

// Cert is the -cert and -key flags of a server example that offers TLS.
type Cert struct {
	File    string // -cert: certificate chain (PEM); "": a self-signed one
	KeyFile string // -key: its private key (PEM)
}

// AddFlags defines -cert, whose usage says what the certificate is for
// (e.g. "TLS certificate (PEM) for STARTTLS"), and -key on fs.
func (c *Cert) AddFlags(fs *flag.FlagSet, certUse string) {
	fs.StringVar(&c.File, "cert", "", certUse+"; default: a self-signed one")
	fs.StringVar(&c.KeyFile, "key", "", "TLS key (PEM) for -cert")
}

// Config returns the server's TLS configuration for host: the -cert
// certificate, or a self-signed one when there is none. It prints to w,
// after "prog: ", the DANE TLSA record of the certificate (what says what
// it is for) for the operator to publish.
func (c *Cert) Config(w io.Writer, prog, what, host string) (*tls.Config, error) {
	cfg, err := tlscert.Config(c.File, c.KeyFile, host)
	if err != nil {
		return nil, err
	}
	tlscert.PrintTLSA(w, prog, what, cfg, host, c.File == "")
	return cfg, nil
}
