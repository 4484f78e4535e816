package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailsmith/mailsmith/examples/internal/resolver"
	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// DANEResolver returns the DNSSEC-aware resolver of the examples'
// -dane-resolver flag: nil for "" (no DANE), the nameservers of
// /etc/resolv.conf for "system", else the validating resolver at spec
// (host:port, or an IP address for port 53). dane.DNSResolver trusts the
// AD bit of the answers: the resolver must validate DNSSEC and be reached
// over a path nobody can tamper with (the same host).
func DANEResolver(spec string) (dane.Resolver, error) {
	switch spec {
	case "":
		return nil, nil
	case "system":
		return &dane.DNSResolver{}, nil
	}
	addr, err := resolver.CheckAddr(spec)
	if err != nil {
		return nil, err
	}
	return &dane.DNSResolver{Servers: []string{addr}}, nil
}

// WriteTLSReports writes the TLS report (RFC 8460 §4) of every policy
// domain b counted sessions for and that asks for reports (a _smtp._tls
// record, §3) into dir, one JSON file each named as §5.1 says, and logs
// where the domain wants it. Sending them (DKIM-signed mail, or an HTTPS
// POST) is left to the operator. A nil b writes nothing. It returns the
// files written.
func WriteTLSReports(ctx context.Context, b *tlsrpt.Builder, dir string, res tlsrpt.Resolver, log *slog.Logger) ([]string, error) {
	if b == nil {
		return nil, nil
	}
	var files []string
	for _, d := range b.Domains() {
		rec, err := tlsrpt.Lookup(ctx, res, d)
		if errors.Is(err, tlsrpt.ErrNoRecord) {
			continue // nobody asked for this one
		}
		rua := "unknown: " + oneLine(fmt.Sprint(err))
		if err == nil {
			rua = strings.Join(rec.RUA, ",")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return files, err
		}
		id := fmt.Sprintf("%s-%d", d, b.Start.Unix())
		js, err := b.JSON(d, id)
		if err != nil {
			return files, fmt.Errorf("TLS report for %s: %w", d, err)
		}
		file := filepath.Join(dir, tlsrpt.FileName(b.Submitter, d, b.Start, b.End, id, false))
		if err := os.WriteFile(file, js, 0o644); err != nil {
			return files, err
		}
		files = append(files, file)
		log.Info("TLS report written", "domain", d, "file", file, "rua", rua)
	}
	return files, nil
}
