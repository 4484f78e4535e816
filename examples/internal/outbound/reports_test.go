package outbound

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/examples/internal/runtest"
	"github.com/mailsmith/mailsmith/internal/dnstest"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// TestDailyReports: sessions go into the running period's builder;
// Rotate hands it over with its end and starts the next one empty, so a
// server keeps one period's counts only.
func TestDailyReports(t *testing.T) {
	r := &DailyReports{OrganizationName: "Example", Submitter: "mail.example.org"}
	require.Nil(t, r.Rotate(time.Now()), "nothing counted: nothing to report")
	sts := tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: "example.com"}
	r.AddSuccess(sts)
	r.AddFailure(sts, tlsrpt.FailureDetails{ResultType: tlsrpt.ResultCertificateExpired, ReceivingMXHostname: "mx.example.com"})
	end := time.Date(2026, 12, 7, 23, 59, 59, 0, time.UTC)
	day1 := r.Rotate(end)
	require.NotNil(t, day1)
	assert.Equal(t, end, day1.End)
	assert.Equal(t, "mail.example.org", day1.Submitter)
	rep := day1.Report("example.com", "1")
	require.NotNil(t, rep)
	assert.Equal(t, tlsrpt.Summary{TotalSuccessfulSessionCount: 1, TotalFailureSessionCount: 1}, rep.Policies[0].Summary)

	r.AddSuccess(tlsrpt.PolicyInfo{Type: tlsrpt.PolicyNoPolicyFound, Domain: "example.net"})
	day2 := r.Rotate(end.Add(24 * time.Hour))
	require.NotNil(t, day2)
	assert.Equal(t, end.Add(time.Second), day2.Start, "the next period starts where the last ended")
	assert.Equal(t, []string{"example.net"}, day2.Domains(), "day 1's counts are gone")
}

// TestWriteTLSReports: a report is written, named as RFC 8460 §5.1 says,
// for each domain that publishes a _smtp._tls record, and parses back.
func TestWriteTLSReports(t *testing.T) {
	srv := dnstest.New(t, `_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"`)
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	b := &tlsrpt.Builder{Submitter: "mail.example.org", Start: start, End: start.Add(24*time.Hour - time.Second)}
	b.AddSuccess(tlsrpt.PolicyInfo{Type: tlsrpt.PolicySTS, Domain: "example.com"})
	b.AddSuccess(tlsrpt.PolicyInfo{Type: tlsrpt.PolicyNoPolicyFound, Domain: "example.net"}) // no record
	dir := t.TempDir()
	files, err := WriteTLSReports(context.Background(), b, dir, srv.Resolver(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Len(t, files, 1)
	name := filepath.Base(files[0])
	// submitter!policy-domain!begin!end!unique-id.json, begin and end in
	// seconds since the epoch (2026-12-07T00:00:00Z is 1796601600).
	assert.Regexp(t, `^mail\.example\.org!example\.com!1796601600!1796687999![0-9A-Za-z]+\.json$`, name)
	rep := runtest.ReadTLSReport(t, files[0])
	require.Len(t, rep.Policies, 1)
	assert.Equal(t, "example.com", rep.Policies[0].Policy.Domain)

	files, err = WriteTLSReports(context.Background(), nil, dir, srv.Resolver(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Empty(t, files)
}
