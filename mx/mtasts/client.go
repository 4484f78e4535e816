package mtasts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Client discovers, fetches and caches MTA-STS policies (RFC 8461 §3, §5.1).
// Its zero value is ready: net.DefaultResolver, an HTTP client with
// DefaultFetchTimeout, an in-memory cache and the system clock. A Client is
// safe for concurrent use.
type Client struct {
	// Resolver looks up _mta-sts TXT records; nil means net.DefaultResolver.
	Resolver Resolver
	// HTTPClient fetches policies; nil means a client with the default
	// transport and DefaultFetchTimeout. Its CheckRedirect is ignored:
	// redirects are never followed (RFC 8461 §3.3). Its Transport decides
	// the roots the policy host's certificate is verified against, and how
	// to dial (tests point DialContext at a loopback server).
	HTTPClient *http.Client
	// Cache keeps policies between calls; nil means an in-memory cache
	// private to this Client.
	Cache Cache
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	once sync.Once
	mem  *MemoryCache
}

// LookupResult is what Client.Lookup found for a domain.
type LookupResult struct {
	// Policy is the policy to apply.
	Policy *Policy
	// ID is the id of the TXT record that announced the policy.
	ID string
	// Cached is true when Policy came from the cache.
	Cached bool
	// RefreshErr, when not nil, is why discovery or fetching failed while
	// a cached, unexpired policy was applied instead (RFC 8461 §5.1). A
	// TLS-RPT report counts it as sts-policy-fetch-error or
	// sts-policy-invalid (RFC 8460 §4.3.2.2).
	RefreshErr error
}

func (c *Client) cache() Cache {
	if c.Cache != nil {
		return c.Cache
	}
	c.once.Do(func() { c.mem = &MemoryCache{} })
	return c.mem
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns the policy of domain (RFC 8461 §3, §5.1):
//
//   - the _mta-sts TXT record is looked up every time;
//   - an unexpired cached policy with the same id is used without a fetch;
//   - otherwise the policy is fetched, cached until now+max_age and
//     returned;
//   - when discovery or the fetch fails and an unexpired policy is cached,
//     that policy is returned and kept (the absence of a TXT record alone
//     does not remove a cached policy, §3.1, §5.1).
//
// No policy is ErrNoPolicy; a failed fetch without a cached policy wraps
// ErrPolicyFetch or ErrPolicySyntax (deliver as without a policy, §3.3, but
// a TLS-RPT report counts it); a temporary DNS failure wraps ErrTemporary.
// A fetched policy in mode "none" is returned like any other.
func (c *Client) Get(ctx context.Context, domain string) (*Policy, error) {
	r, err := c.Lookup(ctx, domain)
	return r.Policy, err
}

// Lookup is Get with the details a report needs: the policy id, whether the
// policy came from the cache, and why a refresh failed.
func (c *Client) Lookup(ctx context.Context, domain string) (LookupResult, error) {
	return c.lookup(ctx, domain, false)
}

// Refresh looks the domain's policy up and fetches it even when the id did
// not change, so that a policy in use is renewed before it expires (RFC
// 8461 §10.2: a sender that refreshes proactively is not left without a
// policy when an attacker blocks the fetch at expiry). The cached policy is
// kept when the refresh fails, and the error is returned.
func (c *Client) Refresh(ctx context.Context, domain string) (*Policy, error) {
	r, err := c.lookup(ctx, domain, true)
	if err == nil && r.RefreshErr != nil {
		err = r.RefreshErr
	}
	return r.Policy, err
}

// RefreshExpiring refreshes those of domains whose cached policy expires
// within the given time from now (all cached ones when within <= 0), and
// returns the errors by domain. Domains without a cached policy are
// skipped. Run it periodically (daily, say) over the domains mail goes to,
// or MemoryCache.Domains.
func (c *Client) RefreshExpiring(ctx context.Context, domains []string, within time.Duration) map[string]error {
	errs := map[string]error{}
	now := c.now()
	for _, d := range domains {
		if ctx.Err() != nil {
			errs[d] = ctx.Err()
			continue
		}
		nd, err := normalizeDomain(d)
		if err != nil {
			errs[d] = err
			continue
		}
		cp, ok, err := c.cache().Get(ctx, nd)
		if err != nil {
			errs[d] = fmt.Errorf("mtasts: cache: %w", err)
			continue
		}
		if !ok || cp.Policy == nil || (within > 0 && cp.Expires.After(now.Add(within))) {
			continue
		}
		if _, err := c.Refresh(ctx, nd); err != nil {
			errs[d] = err
		}
	}
	return errs
}

func (c *Client) lookup(ctx context.Context, domain string, force bool) (LookupResult, error) {
	d, err := normalizeDomain(domain)
	if err != nil {
		return LookupResult{}, err
	}
	now := c.now()
	cp, ok, err := c.cache().Get(ctx, d)
	if err != nil {
		return LookupResult{}, fmt.Errorf("mtasts: cache: reading %s: %w", d, err)
	}
	valid := ok && cp.Valid(now)
	fromCache := func(why error) (LookupResult, error) {
		return LookupResult{Policy: cp.Policy, ID: cp.ID, Cached: true, RefreshErr: why}, nil
	}
	rec, err := LookupRecord(ctx, c.Resolver, d)
	if err != nil {
		if valid {
			return fromCache(fmt.Errorf("discovery: %w", err))
		}
		return LookupResult{}, err
	}
	if valid && cp.ID == rec.ID && !force {
		return fromCache(nil)
	}
	p, err := FetchPolicy(ctx, c.HTTPClient, d)
	if err != nil {
		if valid {
			return fromCache(err)
		}
		return LookupResult{}, err
	}
	fresh := CachedPolicy{Policy: p, ID: rec.ID, Fetched: now, Expires: now.Add(p.MaxAge)}
	res := LookupResult{Policy: p, ID: rec.ID}
	if err := c.cache().Put(ctx, d, fresh); err != nil && force {
		// Get still applies the fresh policy; Refresh says it was not kept.
		res.RefreshErr = fmt.Errorf("mtasts: cache: storing %s: %w", d, err)
	}
	return res, nil
}

// IsNoPolicy reports whether err means the domain has no MTA-STS policy to
// apply and mail goes as without one: ErrNoPolicy, or a failed fetch or
// invalid policy with nothing cached (RFC 8461 §3.3). A temporary DNS
// failure is not: the caller may retry.
func IsNoPolicy(err error) bool {
	return errors.Is(err, ErrNoPolicy) || errors.Is(err, ErrPolicyFetch) || errors.Is(err, ErrPolicySyntax)
}
