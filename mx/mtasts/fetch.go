package mtasts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// MaxPolicySize is the largest policy body fetched (RFC 8461 §3.3 suggests
// senders limit it; 64 KiB as there).
const MaxPolicySize = 64 << 10

// DefaultFetchTimeout bounds a policy fetch when the HTTP client has no
// Timeout of its own (RFC 8461 §3.3 suggests a timeout of about one minute).
const DefaultFetchTimeout = time.Minute

// PolicyURL returns where the policy of domain is served (RFC 8461 §3.3):
// https://mta-sts.<domain>/.well-known/mta-sts.txt, domain in A-labels.
func PolicyURL(domain string) (string, error) {
	d, err := normalizeDomain(domain)
	if err != nil {
		return "", err
	}
	return "https://mta-sts." + d + "/.well-known/mta-sts.txt", nil
}

// defaultHTTPClient is used when a Client has none.
var defaultHTTPClient = &http.Client{Timeout: DefaultFetchTimeout}

// FetchPolicy fetches and parses the policy of domain over HTTPS with the
// rules of RFC 8461 §3.3:
//
//   - the server's certificate must verify (WebPKI, against the client's
//     roots) and be valid for "mta-sts.<domain>": checked again on the
//     response, so a client that skips verification gets an error, not a
//     policy;
//   - redirects are never followed, whatever hc.CheckRedirect says;
//   - only status 200 is a policy; the media type must be text/plain
//     (parameters ignored);
//   - the body may be at most MaxPolicySize bytes;
//   - the fetch ends after hc.Timeout, or DefaultFetchTimeout when that is
//     zero, or when ctx ends.
//
// A nil hc uses a client with the default transport. Failures of the HTTPS
// step wrap ErrPolicyFetch and say which step failed; a body that is not a
// valid policy wraps ErrPolicySyntax; an over-long body wraps both.
func FetchPolicy(ctx context.Context, hc *http.Client, domain string) (*Policy, error) {
	url, err := PolicyURL(domain)
	if err != nil {
		return nil, err
	}
	host := url[len("https://") : len(url)-len("/.well-known/mta-sts.txt")]
	if hc == nil {
		hc = defaultHTTPClient
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.Timeout == 0 {
		c.Timeout = DefaultFetchTimeout
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPolicyFetch, url, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: %w", ErrPolicyFetch, url, err)
	}
	defer resp.Body.Close()
	if err := checkTLS(resp, host); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPolicyFetch, url, err)
	}
	if resp.StatusCode != http.StatusOK {
		if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
			return nil, fmt.Errorf("%w: %s: HTTP status %d, redirect to %q not followed (RFC 8461 §3.3)", ErrPolicyFetch, url, resp.StatusCode, cut(loc))
		}
		return nil, fmt.Errorf("%w: %s: HTTP status %d, want 200", ErrPolicyFetch, url, resp.StatusCode)
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/plain" {
		return nil, fmt.Errorf("%w: %s: media type %q, want text/plain", ErrPolicyFetch, url, cut(ct))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading body: %w", ErrPolicyFetch, url, err)
	}
	if len(body) > MaxPolicySize {
		return nil, fmt.Errorf("%w: %w: %s: body larger than %d bytes", ErrPolicyFetch, ErrPolicySyntax, url, MaxPolicySize)
	}
	p, err := ParsePolicy(string(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return p, nil
}

// checkTLS insists on a verified certificate for host (RFC 8461 §3.3),
// whatever the HTTP client's TLS settings were.
func checkTLS(resp *http.Response, host string) error {
	st := resp.TLS
	if st == nil || len(st.PeerCertificates) == 0 {
		return errors.New("response not received over TLS")
	}
	if len(st.VerifiedChains) == 0 {
		return errors.New("server certificate was not verified (WebPKI required, RFC 8461 §3.3)")
	}
	if err := st.PeerCertificates[0].VerifyHostname(host); err != nil {
		return fmt.Errorf("server certificate: %w", err)
	}
	return nil
}
