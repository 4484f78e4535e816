package mtasts

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// Cache stores policies between deliveries, keyed by policy domain (lower
// case, A-labels, no trailing dot). RFC 8461 §5.1 asks senders to keep a
// policy until it expires and to apply it when a later discovery or fetch
// fails. Implementations must be safe for concurrent use; a Get that finds
// nothing returns ok false and a nil error.
type Cache interface {
	Get(ctx context.Context, domain string) (CachedPolicy, bool, error)
	Put(ctx context.Context, domain string, p CachedPolicy) error
}

// CachedPolicy is a policy as it was fetched: with the id of the TXT record
// that announced it, when it was fetched, and until when it may be used
// (fetch time plus max_age).
type CachedPolicy struct {
	Policy  *Policy
	ID      string
	Fetched time.Time
	Expires time.Time
}

// Valid reports whether the cached policy may still be applied at now.
func (cp CachedPolicy) Valid(now time.Time) bool {
	return cp.Policy != nil && now.Before(cp.Expires)
}

// DefaultMaxEntries bounds a MemoryCache whose MaxEntries is zero.
const DefaultMaxEntries = 10000

// MemoryCache is the default Cache: a map in memory, safe for concurrent
// use. Its zero value is ready. When it holds MaxEntries policies, adding
// another first drops the one that expires soonest.
type MemoryCache struct {
	// MaxEntries bounds the number of domains kept; zero means
	// DefaultMaxEntries.
	MaxEntries int

	mu sync.Mutex
	m  map[string]CachedPolicy
}

// Get returns the cached policy of domain.
func (m *MemoryCache) Get(_ context.Context, domain string) (CachedPolicy, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp, ok := m.m[domain]
	return cp, ok, nil
}

// Put stores the policy of domain, replacing an older one.
func (m *MemoryCache) Put(_ context.Context, domain string, p CachedPolicy) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string]CachedPolicy)
	}
	max := m.MaxEntries
	if max <= 0 {
		max = DefaultMaxEntries
	}
	if _, ok := m.m[domain]; !ok && len(m.m) >= max {
		var victim string
		var first time.Time
		for d, cp := range m.m {
			if victim == "" || cp.Expires.Before(first) {
				victim, first = d, cp.Expires
			}
		}
		delete(m.m, victim)
	}
	m.m[domain] = p
	return nil
}

// Domains returns the cached domains, sorted, for a proactive refresh
// (Client.RefreshExpiring).
func (m *MemoryCache) Domains() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.m))
}
