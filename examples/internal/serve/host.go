package serve

import (
	"flag"
	"fmt"
	"os"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
)

// Host is what every server example says about itself on its command
// line: its host name (-hostname) and the DNS server it asks (-resolver).
type Host struct {
	Name     string // -hostname; Check makes "" the machine's name
	Resolver string // -resolver, host:port after Check; "": the system's resolver
	// ResolverOverride, when set, replaces the -resolver flag (tests).
	ResolverOverride resolver.Resolver
}

// AddFlags defines -hostname, whose usage says what the name is used for
// (nameUse, e.g. "this host's name (EHLO, Received)"), and -resolver on fs.
func (h *Host) AddFlags(fs *flag.FlagSet, nameUse string) {
	fs.StringVar(&h.Name, "hostname", "", nameUse+"; default: the machine's name")
	fs.StringVar(&h.Resolver, "resolver", "", "DNS server address, host:port (a bare IP address means port 53); default: the system's resolver")
}

// Check completes the flags once fs.Parse has set them: the machine's
// name for an empty -hostname, host:port for -resolver. Its error names
// the flag that is wrong.
func (h *Host) Check() error {
	if h.Name == "" {
		h.Name, _ = os.Hostname()
	}
	addr, err := resolver.CheckAddr(h.Resolver)
	if err != nil {
		return fmt.Errorf("-resolver: %w", err)
	}
	h.Resolver = addr
	return nil
}

// DNS returns the resolver the server uses: ResolverOverride, else the
// one -resolver names.
func (h *Host) DNS() (resolver.Resolver, error) {
	if h.ResolverOverride != nil {
		return h.ResolverOverride, nil
	}
	return resolver.New(h.Resolver)
}
