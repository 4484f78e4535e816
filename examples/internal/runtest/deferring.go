package runtest

import (
	"context"
	"sync/atomic"

	"github.com/mailsmith/mailsmith/examples/internal/memstore"
	"github.com/mailsmith/mailsmith/examples/internal/receiver"
	"github.com/mailsmith/mailsmith/smtp"
)

// Deferring is a memstore.Store that answers 451 4.3.0 (try again later)
// to the next Defer deliveries, as a busy MX does, before it takes mail
// again: the test of a queue's retries.
type Deferring struct {
	memstore.Store
	Defer atomic.Int32 // deliveries still to refuse with 451
	Calls atomic.Int32 // deliveries tried, refused or not
}

// Deliver implements receiver.Handler.
func (d *Deferring) Deliver(ctx context.Context, m *receiver.Message) error {
	d.Calls.Add(1)
	for n := d.Defer.Load(); n > 0; n = d.Defer.Load() {
		if d.Defer.CompareAndSwap(n, n-1) {
			return &smtp.Error{Code: 451, EnhancedCode: [3]int{4, 3, 0}, Message: "try again later"}
		}
	}
	return d.Store.Deliver(ctx, m)
}
