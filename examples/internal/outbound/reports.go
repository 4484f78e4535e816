package outbound

import (
	"sync"
	"time"

	"github.com/mailsmith/mailsmith/mx/tlsrpt"
)

// TLSRecorder counts delivery sessions for TLS reports (RFC 8460);
// *tlsrpt.Builder and *DailyReports are ones.
type TLSRecorder interface {
	AddSuccess(p tlsrpt.PolicyInfo)
	AddFailure(p tlsrpt.PolicyInfo, f tlsrpt.FailureDetails)
}

// DailyReports counts sessions into one tlsrpt.Builder per period (RFC 8460
// §4.1 suggests a UTC day): Rotate closes the current one and starts the
// next, so that a long-running server holds one period's counts only. Its
// methods are safe for concurrent use.
type DailyReports struct {
	// OrganizationName, ContactInfo and Submitter go into every report.
	OrganizationName, ContactInfo, Submitter string

	mu  sync.Mutex
	cur *tlsrpt.Builder
}

// current returns the builder of the running period, starting one at now
// when there is none.
func (d *DailyReports) current(now time.Time) *tlsrpt.Builder {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil {
		d.cur = d.builder(now)
	}
	return d.cur
}

func (d *DailyReports) builder(start time.Time) *tlsrpt.Builder {
	return &tlsrpt.Builder{OrganizationName: d.OrganizationName, ContactInfo: d.ContactInfo,
		Submitter: d.Submitter, Start: start.UTC()}
}

// AddSuccess implements TLSRecorder.
func (d *DailyReports) AddSuccess(p tlsrpt.PolicyInfo) { d.current(time.Now()).AddSuccess(p) }

// AddFailure implements TLSRecorder.
func (d *DailyReports) AddFailure(p tlsrpt.PolicyInfo, f tlsrpt.FailureDetails) {
	d.current(time.Now()).AddFailure(p, f)
}

// Rotate ends the running period at end and returns its builder (with
// End set; nil when nothing was counted), and starts the next period just
// after end.
func (d *DailyReports) Rotate(end time.Time) *tlsrpt.Builder {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.cur
	d.cur = d.builder(end.Add(time.Second))
	if old == nil || len(old.Domains()) == 0 {
		return nil
	}
	old.End = end.UTC()
	return old
}
