package spf

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRFCHeaders: Received-SPF (RFC 7208 §9.1) and the RFC 8601 method.
func TestRFCHeaders(t *testing.T) {
	runAudit(t, []auditCase{
		{name: "default mechanism", zone: []string{"d.test TXT v=spf1 ip4:192.0.2.9"}, from: "u@d.test", want: Neutral,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				// §9.1: "if no mechanisms matched, substitute the word
				// "default"".
				assert.Contains(t, h, "mechanism=default;")
				assert.True(t, strings.HasPrefix(h, "Received-SPF: neutral (mx.me.test: 192.0.2.1 is neither permitted nor denied by domain of u@d.test)"), h)
				assert.Equal(t, "spf=neutral smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "matched mechanism", ip: "2001:db8::5", zone: []string{"d.test TXT v=spf1 ip6:2001:db8::/32 -all"}, from: "u@d.test", want: Pass,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				for _, kv := range []string{`client-ip="2001:db8::5";`, `envelope-from="u@d.test";`, `helo=mail.client.test;`,
					`receiver=mx.me.test;`, `identity=mailfrom;`, `mechanism="ip6:2001:db8::/32";`} {
					assert.Contains(t, h, kv)
				}
				assert.NotContains(t, h, "problem=")
				assert.Equal(t, "spf=pass smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "none has no mechanism", from: "u@d.test", want: None,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				assert.NotContains(t, h, "mechanism=")
				assert.Contains(t, h, "Received-SPF: none (mx.me.test: domain of u@d.test does not designate permitted sender hosts)")
				assert.Equal(t, "spf=none smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "temperror has a problem", zone: []string{"d.test FAULT TXT timeout"}, from: "u@d.test", want: TempError,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				assert.Contains(t, h, "problem=")
				assert.NotContains(t, h, "mechanism=")
				assert.Equal(t, "spf=temperror smtp.mailfrom=d.test", v.AuthResult())
			}},
		{name: "permerror has a problem", zone: []string{"d.test TXT v=spf1 ip4:300.0.0.1"}, from: "u@d.test", want: PermError,
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("mx.me.test")
				assert.Contains(t, h, `problem="spf: invalid term \"ip4:300.0.0.1\"`)
				assert.NotContains(t, h, "mechanism=")
				assertBalanced(t, h)
			}},
		{name: "fail with explanation", zone: []string{"d.test TXT v=spf1 -all exp=e.d.test", "e.d.test TXT go away"}, from: "u@d.test", want: Fail, expl: "go away",
			check: func(t *testing.T, v Verdict, _ *auditResolver) {
				h := v.ReceivedSPF("")
				assert.True(t, strings.HasPrefix(h, "Received-SPF: fail (domain of u@d.test does not designate 192.0.2.1 as permitted sender)"), h)
				assert.Contains(t, h, "mechanism=-all;")
				assert.NotContains(t, h, "receiver=")
			}},
	})
}
