package outbound

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailsmith/mailsmith/mx/dane"
	"github.com/mailsmith/mailsmith/mx/mtasts"
	"github.com/mailsmith/mailsmith/mx/tlsrpt"
	"github.com/mailsmith/mailsmith/smtp"
)

// TestHostTLS: the decision per MX host, DANE before MTA-STS before
// opportunistic TLS (RFC 8461 §2), for every mode of an MTA-STS policy
// and every DANE status.
func TestHostTLS(t *testing.T) {
	const host = "mx1.example.com"
	policy := func(mode mtasts.Mode, mx ...string) *mtasts.Policy {
		return &mtasts.Policy{Mode: mode, MX: mx, MaxAge: time.Hour}
	}
	tlsa := dane.Record{Usage: dane.UsageDANEEE, Selector: dane.SelectorSPKI, MatchingType: dane.MatchSHA256, Data: make([]byte, 32)}
	unusable := dane.Record{Usage: dane.UsagePKIXEE, Selector: dane.SelectorSPKI, MatchingType: dane.MatchSHA256, Data: make([]byte, 32)}
	daneHost := func(st dane.Status, err error, recs ...dane.Record) map[string]dane.Host {
		return map[string]dane.Host{host: {Name: host + ".", Status: st, BaseDomain: host, Records: recs, Names: []string{host, "example.com"}, Err: err}}
	}
	bogus := errors.Join(dane.ErrBogus, dane.ErrTemporary)
	roots := x509.NewCertPool()

	tests := []struct {
		name       string
		sts        *mtasts.Policy
		dane       map[string]dane.Host
		source     Source
		mode       smtp.TLSMode
		skip       error  // errors.Is the Skip error
		serverName string // the tls.Config's ServerName
		checkName  string
		report     tlsrpt.PolicyType
		failure    tlsrpt.ResultType // the host's own failure, "" for none
		daneVerify bool              // a VerifyConnection is installed
	}{
		{name: "no policy", source: SourceNone, mode: smtp.TLSOpportunistic, serverName: host, report: tlsrpt.PolicyNoPolicyFound},
		{name: "mode none", sts: policy(mtasts.ModeNone), source: SourceNone, mode: smtp.TLSOpportunistic, serverName: host, report: tlsrpt.PolicyNoPolicyFound},
		{name: "enforce, host listed", sts: policy(mtasts.ModeEnforce, "*.example.com"), source: SourceMTASTS, mode: smtp.TLSVerified, serverName: host, report: tlsrpt.PolicySTS},
		{name: "enforce, host not listed", sts: policy(mtasts.ModeEnforce, "mx.example.net"), source: SourceMTASTS, skip: ErrNotInPolicy, report: tlsrpt.PolicySTS, failure: tlsrpt.ResultValidationFailure},
		{name: "testing, host listed", sts: policy(mtasts.ModeTesting, host), source: SourceMTASTS, mode: smtp.TLSOpportunistic, serverName: host, checkName: host, report: tlsrpt.PolicySTS},
		{name: "testing, host not listed", sts: policy(mtasts.ModeTesting, "mx.example.net"), source: SourceMTASTS, mode: smtp.TLSOpportunistic, serverName: host, report: tlsrpt.PolicySTS, failure: tlsrpt.ResultValidationFailure},
		{name: "DANE, no policy", dane: daneHost(dane.StatusVerify, nil, tlsa), source: SourceDANE, mode: smtp.TLSRequired, serverName: host, report: tlsrpt.PolicyTLSA, daneVerify: true},
		{name: "DANE wins over MTA-STS enforce", sts: policy(mtasts.ModeEnforce, host), dane: daneHost(dane.StatusVerify, nil, tlsa), source: SourceDANE, mode: smtp.TLSRequired, serverName: host, report: tlsrpt.PolicyTLSA, daneVerify: true},
		{name: "DANE wins for a host MTA-STS enforce does not list", sts: policy(mtasts.ModeEnforce, "mx.example.net"), dane: daneHost(dane.StatusVerify, nil, tlsa), source: SourceDANE, mode: smtp.TLSRequired, serverName: host, report: tlsrpt.PolicyTLSA, daneVerify: true},
		{name: "DANE records all unusable: TLS without authentication", dane: daneHost(dane.StatusEncrypt, nil, unusable), source: SourceDANE, mode: smtp.TLSRequired, serverName: host, report: tlsrpt.PolicyTLSA, failure: tlsrpt.ResultTLSAInvalid},
		{name: "DANE records all unusable, MTA-STS testing: TLS still required", sts: policy(mtasts.ModeTesting, host), dane: daneHost(dane.StatusEncrypt, nil, unusable), source: SourceDANE, mode: smtp.TLSRequired, serverName: host, report: tlsrpt.PolicyTLSA, failure: tlsrpt.ResultTLSAInvalid},
		{name: "DANE records all unusable, MTA-STS enforce applies", sts: policy(mtasts.ModeEnforce, host), dane: daneHost(dane.StatusEncrypt, nil, unusable), source: SourceMTASTS, mode: smtp.TLSVerified, serverName: host, report: tlsrpt.PolicySTS},
		{name: "DANE bogus: deferred, never MTA-STS", sts: policy(mtasts.ModeEnforce, host), dane: daneHost(dane.StatusDefer, bogus), source: SourceDANE, skip: dane.ErrBogus, report: tlsrpt.PolicyTLSA, failure: tlsrpt.ResultDNSSECInvalid},
		{name: "DANE temporary failure: deferred", dane: daneHost(dane.StatusDefer, dane.ErrTemporary), source: SourceDANE, skip: dane.ErrTemporary, report: tlsrpt.PolicyTLSA},
		{name: "no secure TLSA: MTA-STS", sts: policy(mtasts.ModeEnforce, host), dane: daneHost(dane.StatusNone, nil), source: SourceMTASTS, mode: smtp.TLSVerified, serverName: host, report: tlsrpt.PolicySTS},
		{name: "no secure TLSA, no policy: opportunistic", dane: daneHost(dane.StatusNone, nil), source: SourceNone, mode: smtp.TLSOpportunistic, serverName: host, report: tlsrpt.PolicyNoPolicyFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Policies{Domain: "example.com", DANE: tt.dane, STS: tt.sts, RootCAs: roots,
				Plan: mtasts.PlanDelivery(tt.sts, []string{host + "."})}
			h := p.HostTLS(0)
			assert.Equal(t, host, h.Host)
			assert.Equal(t, tt.source, h.Source)
			assert.Equal(t, tt.report, h.Report.Type)
			assert.Equal(t, "example.com", h.Report.Domain)
			if tt.failure == "" {
				assert.Nil(t, h.Failure)
			} else if assert.NotNil(t, h.Failure) {
				assert.Equal(t, tt.failure, h.Failure.ResultType)
				assert.Equal(t, host, h.Failure.ReceivingMXHostname)
				if tt.failure == tlsrpt.ResultValidationFailure {
					assert.Equal(t, ReasonNotInPolicy, h.Failure.FailureReasonCode)
				}
			}
			if tt.skip != nil {
				require.ErrorIs(t, h.Skip, tt.skip)
				return
			}
			require.NoError(t, h.Skip)
			assert.Equal(t, tt.mode, h.Policy.Mode)
			require.NotNil(t, h.Policy.Config)
			assert.Equal(t, tt.serverName, h.Policy.Config.ServerName, "SNI and the name checked")
			assert.Equal(t, tt.checkName, h.CheckName)
			assert.Equal(t, tt.daneVerify, h.Policy.Config.VerifyConnection != nil)
			switch h.Source {
			case SourceMTASTS:
				assert.Equal(t, tlsrpt.PolicyLines(tt.sts.String()), h.Report.String)
				assert.Equal(t, tlsrpt.MXHosts(tt.sts.MX), h.Report.MXHost)
				if h.Policy.Mode == smtp.TLSVerified {
					assert.Same(t, roots, h.Policy.Config.RootCAs, "checked against the configured roots")
				}
			case SourceDANE:
				assert.Equal(t, []string{tt.dane[host].Records[0].String()}, h.Report.String)
				assert.True(t, h.Policy.Config.InsecureSkipVerify, "DANE, not the WebPKI, decides")
			}
		})
	}
}
