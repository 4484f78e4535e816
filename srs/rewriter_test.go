package srs

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is 2023-11-14 22:13:20 UTC, day 19675, timestamp "G3".
var t0 = time.Unix(1700000000, 0)

func testRewriter() *Rewriter {
	return &Rewriter{
		Domain:  "forwarder.example",
		Secrets: [][]byte{[]byte("public-test-secret-1")},
		Now:     func() time.Time { return t0 },
	}
}

// hmacB64 is an independent HMAC-SHA1 base64 computation for checks.
func hmacB64(secret string, data string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(data))
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}

func TestForward(t *testing.T) {
	day := "G3"
	// h is the expected hash: MAC input lower-cased in ASCII only.
	h := func(data string) string {
		b := []byte(data)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 32
			}
		}
		return hmacB64("public-test-secret-1", string(b))[:4]
	}
	runRewriteCases(t, (*Rewriter).Forward, []rewriteCase{
		{name: "null sender", in: "", want: ""},
		{name: "null sender brackets", in: "<>", want: "<>"},
		{name: "plain", in: "user@example.org", want: "SRS0=APu3=G3=example.org=user@forwarder.example"},
		{name: "hash input lower-cased", in: "User@Example.ORG", want: "SRS0=" + h(day+"Example.ORGUser") + "=G3=Example.ORG=User@forwarder.example"},
		{name: "own domain kept", in: "user@forwarder.example", want: "user@forwarder.example"},
		{name: "own domain any case", in: "user@FORWARDER.example", want: "user@FORWARDER.example"},
		{name: "own domain always rewrite", modify: func(r *Rewriter) { r.AlwaysRewrite = true }, in: "user@forwarder.example", want: "SRS0=Vi7w=G3=forwarder.example=user@forwarder.example"},
		{name: "domain given as address", modify: func(r *Rewriter) { r.Domain = "bounces@forwarder.example" }, in: "user@example.org", want: "SRS0=APu3=G3=example.org=user@forwarder.example"},
		{name: "separator plus", modify: func(r *Rewriter) { r.Separator = '+' }, in: "user@example.org", want: "SRS0+APu3=G3=example.org=user@forwarder.example"},
		{name: "separator minus", modify: func(r *Rewriter) { r.Separator = '-' }, in: "user@example.org", want: "SRS0-APu3=G3=example.org=user@forwarder.example"},
		{name: "hash length 27", modify: func(r *Rewriter) { r.HashLength = 27 }, in: "user@example.org", want: "SRS0=APu3qvCjuowXuSynpG6DDmSB13g=G3=example.org=user@forwarder.example"},
		{name: "local part with = + - and quotes", in: `"a=b+c-d"@example.org`, want: "SRS0=" + h(day+`example.org"a=b+c-d"`) + `=G3=example.org="a=b+c-d"@forwarder.example`},
		{name: "empty quoted local part", in: `""@example.org`, want: "SRS0=" + h(day+`example.org""`) + `=G3=example.org=""@forwarder.example`},
		{name: "empty local part", in: "@example.org", err: ErrMalformed},
		{name: "angle brackets", in: "<user@example.org>", err: ErrMalformed},
		{name: "address literal", in: "user@[192.0.2.1]", want: "SRS0=" + h(day+"[192.0.2.1]user") + "=G3=[192.0.2.1]=user@forwarder.example"},
		{name: "UTF-8 local part, ASCII-only folding", in: "JÖrg@Example.org", want: "SRS0=" + h(day+"Example.orgJÖrg") + "=G3=Example.org=JÖrg@forwarder.example"},
		{name: "SRS0 becomes SRS1", in: "SRS0=GzLP=G3=origin.example=alice@hop1.example", want: "SRS1=" + h("hop1.example=gzlp=g3=origin.example=alice") + "=hop1.example==GzLP=G3=origin.example=alice@forwarder.example"},
		{name: "lower-case srs0 tag", in: "srs0+x=y@hop1.example", want: "SRS1=" + h("hop1.example+x=y") + "=hop1.example=+x=y@forwarder.example"},
		{name: "SRS1 re-signed", in: "SRS1=HAhJ=hop1.example==GzLP=G3=origin.example=alice@hop2.example", want: "SRS1=" + h("hop1.example=gzlp=g3=origin.example=alice") + "=hop1.example==GzLP=G3=origin.example=alice@forwarder.example"},
		{name: "SRS1 with + kept", modify: func(r *Rewriter) { r.Separator = '-' }, in: "SRS1+zz=hop1.example=-a@hop2.example", want: "SRS1-" + h("hop1.example-a") + "=hop1.example=-a@forwarder.example"},
		{name: "tag without separator is plain", in: "SRS0abc@example.org", want: "SRS0=tFuo=G3=example.org=SRS0abc@forwarder.example"},

		{name: "no at", in: "postmaster", err: ErrMalformed},
		{name: "at in quoted local part", in: `"a@b"@example.org`, err: ErrMalformed},
		{name: "empty domain", in: "user@", err: ErrMalformed},
		{name: "equals in domain", in: "user@ex=ample.org", err: ErrMalformed},
		{name: "space in domain", in: "user@example.org ", err: ErrMalformed},
		{name: "CRLF", in: "user\r\n@example.org", err: ErrMalformed},
		{name: "NUL", in: "us\x00er@example.org", err: ErrMalformed},
		{name: "too long", in: strings.Repeat("a", MaxAddressLength) + "@example.org", err: ErrTooLong},
		{name: "too long is malformed too", in: strings.Repeat("a", MaxAddressLength) + "@example.org", err: ErrMalformed},
		{name: "output over limit", in: strings.Repeat("a", MaxAddressLength-30) + "@example.org", err: ErrTooLong},
		{name: "SRS1 without host", in: "SRS1=zzzz=onlyhost@hop1.example", err: ErrMalformed},
		{name: "SRS1 empty host", in: "SRS1=zzzz==x=y@hop1.example", err: ErrMalformed},
		// The SRS1 remainder is opaque: Mail::SRS and libsrs2 re-sign it
		// even without a leading separator (output checked with Mail::SRS).
		{name: "SRS1 remainder without separator", in: "SRS1=zzzz=host.example=abc@hop1.example", want: "SRS1=SkwT=host.example=abc@forwarder.example"},
		{name: "SRS1 bad host", in: "SRS1=zzzz=ho st=+abc@hop1.example", err: ErrMalformed},

		{name: "no secret", modify: func(r *Rewriter) { r.Secrets = nil }, in: "user@example.org", err: ErrConfig},
		{name: "empty secret", modify: func(r *Rewriter) { r.Secrets = append(r.Secrets, nil) }, in: "user@example.org", err: ErrConfig},
		{name: "no domain", modify: func(r *Rewriter) { r.Domain = "" }, in: "user@example.org", err: ErrConfig},
		{name: "bad domain", modify: func(r *Rewriter) { r.Domain = "fwd example" }, in: "user@example.org", err: ErrConfig},
		{name: "bad separator", modify: func(r *Rewriter) { r.Separator = '_' }, in: "user@example.org", err: ErrConfig},
		{name: "hash length over MAC gives whole MAC", modify: func(r *Rewriter) { r.HashLength = 40 }, in: "user@example.org", want: "SRS0=APu3qvCjuowXuSynpG6DDmSB13g=G3=example.org=user@forwarder.example"},
		{name: "hash min over length still forwards", modify: func(r *Rewriter) { r.HashLength, r.HashMin = 2, 4 }, in: "user@example.org", want: "SRS0=AP=G3=example.org=user@forwarder.example"},
		{name: "negative hash length", modify: func(r *Rewriter) { r.HashLength = -1 }, in: "user@example.org", err: ErrConfig},
		{name: "negative hash min", modify: func(r *Rewriter) { r.HashMin = -1 }, in: "user@example.org", err: ErrConfig},
		{name: "negative max age", modify: func(r *Rewriter) { r.MaxAge = -time.Hour }, in: "user@example.org", err: ErrConfig},
	})
}

func TestReverse(t *testing.T) {
	runRewriteCases(t, (*Rewriter).Reverse, []rewriteCase{
		{name: "SRS0", in: "SRS0=APu3=G3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "domain not checked", in: "SRS0=APu3=G3=example.org=user@elsewhere.example", want: "user@example.org"},
		{name: "lower-case tag and stamp", in: "srs0=APu3=g3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "upper-cased by a remote MTA", in: "SRS0=APU3=G3=EXAMPLE.ORG=USER@FORWARDER.EXAMPLE", want: "USER@EXAMPLE.ORG"},
		{name: "lower-cased by a remote MTA", in: "srs0=apu3=g3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "any separator", in: "SRS0-APu3=G3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "longer hash than configured", in: "SRS0=APu3qvCj=G3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "base64url hash", in: "SRS0=Bqm-=G3=example.org=a+tag@forwarder.example", want: "a+tag@example.org"},
		{name: "local part with =", in: "SRS0=E1in=G3=example.org=a=b@forwarder.example", want: "a=b@example.org"},
		{name: "empty local part", in: "SRS0=cuxH=G3=example.org=@forwarder.example", want: "@example.org"},
		{name: "SRS1", modify: func(r *Rewriter) { r.Secrets = [][]byte{[]byte("hop2-secret")} }, in: "SRS1=HAhJ=hop1.example==GzLP=G3=origin.example=alice@hop2.example", want: "SRS0=GzLP=G3=origin.example=alice@hop1.example"},
		{name: "SRS1 any age", modify: func(r *Rewriter) {
			r.Secrets = [][]byte{[]byte("hop2-secret")}
			r.Now = func() time.Time { return t0.Add(5000 * 24 * time.Hour) }
		}, in: "SRS1=HAhJ=hop1.example==GzLP=G3=origin.example=alice@hop2.example", want: "SRS0=GzLP=G3=origin.example=alice@hop1.example"},
		{name: "rotated secret", modify: func(r *Rewriter) { r.Secrets = [][]byte{[]byte("new-secret"), []byte("old-secret")} }, in: "SRS0=OKSq=G3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "21 days old", modify: func(r *Rewriter) { r.Now = func() time.Time { return t0.Add(21 * 24 * time.Hour) } }, in: "SRS0=APu3=G3=example.org=user@forwarder.example", want: "user@example.org"},
		{name: "MaxAge in days, rounded down", modify: func(r *Rewriter) {
			r.MaxAge = 5*24*time.Hour + 23*time.Hour
			r.Now = func() time.Time { return t0.Add(5 * 24 * time.Hour) }
		}, in: "SRS0=APu3=G3=example.org=user@forwarder.example", want: "user@example.org"},

		{name: "not SRS", in: "user@example.org", err: ErrNotSRS},
		{name: "tag without separator", in: "SRS0APu3=G3=example.org=user@forwarder.example", err: ErrNotSRS},
		{name: "SRS2", in: "SRS2=APu3=G3=example.org=user@forwarder.example", err: ErrNotSRS},
		{name: "empty", in: "", err: ErrNotSRS},
		{name: "no domain", in: "SRS0=APu3=G3=example.org=user", err: ErrMalformed},
		{name: "empty domain", in: "SRS0=APu3=G3=example.org=user@", err: ErrMalformed},
		{name: "missing user", in: "SRS0=APu3=G3=example.org@forwarder.example", err: ErrMalformed},
		{name: "missing fields", in: "SRS0=abcd=G3@forwarder.example", err: ErrMalformed},
		{name: "nothing after tag", in: "SRS0=@example.com", err: ErrMalformed},
		{name: "one-char stamp", in: "SRS0=APu3=G=3example.org=user@forwarder.example", err: ErrMalformed},
		{name: "bad stamp char", in: "SRS0=APu3=G1=example.org=user@forwarder.example", err: ErrMalformed},
		{name: "empty host", in: "SRS0=APu3=G3==user@forwarder.example", err: ErrMalformed},
		// Any domain is signable, as in Mail::SRS; this one was not signed.
		{name: "odd host", in: `SRS0=APu3=G3=exa"mple=user@forwarder.example`, err: ErrBadHash},
		{name: "host with space", in: `SRS0=APu3=G3=exa mple=user@forwarder.example`, err: ErrMalformed},
		{name: "at in user", in: `SRS0=APu3=G3=example.org="a@b"@forwarder.example`, err: ErrMalformed},
		{name: "SRS tag in SRS0 user", in: "SRS0=APu3=G3=example.org=SRS0=x@forwarder.example", err: ErrMalformed},
		{name: "control character", in: "SRS0=APu3=G3=example.org=us\ner@forwarder.example", err: ErrMalformed},
		{name: "too long", in: "SRS0=APu3=G3=example.org=" + strings.Repeat("u", MaxAddressLength) + "@forwarder.example", err: ErrTooLong},
		{name: "SRS1 missing remainder", in: "SRS1=HAhJ=hop1.example@hop2.example", err: ErrMalformed},
		{name: "SRS1 no fields", in: "SRS1=HAhJ@hop2.example", err: ErrMalformed},
		{name: "SRS1 remainder without separator", in: "SRS1=HAhJ=hop1.example=x@hop2.example", err: ErrBadHash},
		{name: "SRS1 remainder without separator signed", in: "SRS1=SkwT=host.example=abc@forwarder.example", want: "SRS0abc@host.example"},
		{name: "wrong hash", in: "SRS0=AAAA=G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "hash below HashMin", in: "SRS0=APu=G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "hash longer than any MAC", in: "SRS0=APu3qvCjuowXuSynpG6DDmSB13gA=G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "empty hash", in: "SRS0==G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "tampered user", in: "SRS0=APu3=G3=example.org=usex@forwarder.example", err: ErrBadHash},
		{name: "tampered stamp", in: "SRS0=APu3=G4=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "old secret removed", modify: func(r *Rewriter) { r.Secrets = [][]byte{[]byte("new-secret")} }, in: "SRS0=OKSq=G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "SRS1 wrong secret", in: "SRS1=HAhJ=hop1.example==GzLP=G3=origin.example=alice@hop2.example", err: ErrBadHash},
		{name: "22 days old", modify: func(r *Rewriter) { r.Now = func() time.Time { return t0.Add(22 * 24 * time.Hour) } }, in: "SRS0=APu3=G3=example.org=user@forwarder.example", err: ErrExpired},
		{name: "from tomorrow", modify: func(r *Rewriter) { r.Now = func() time.Time { return t0.Add(-24 * time.Hour) } }, in: "SRS0=APu3=G3=example.org=user@forwarder.example", err: ErrExpired},
		{name: "MaxAge 5 days", modify: func(r *Rewriter) {
			r.MaxAge = 5 * 24 * time.Hour
			r.Now = func() time.Time { return t0.Add(6 * 24 * time.Hour) }
		}, in: "SRS0=APu3=G3=example.org=user@forwarder.example", err: ErrExpired},
		{name: "hash min over own hash length", modify: func(r *Rewriter) { r.HashLength, r.HashMin = 2, 4 }, in: "SRS0=AP=G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "hash length over MAC: HashMin too", modify: func(r *Rewriter) { r.HashLength = 40 }, in: "SRS0=APu3qvCjuowXuSynpG6DDmSB13g=G3=example.org=user@forwarder.example", err: ErrBadHash},
		{name: "config error first", modify: func(r *Rewriter) { r.Secrets = nil }, in: "SRS0=APu3=G3=example.org=user@forwarder.example", err: ErrConfig},
	})
}

// rewriteCase is one row of TestForward and TestReverse: a change to the
// test Rewriter (nil: none), the address given, and the address or the
// error expected.
type rewriteCase struct {
	name   string
	modify func(*Rewriter)
	in     string
	want   string
	err    error
}

// runRewriteCases runs op (Forward or Reverse) over the rows; a failing
// row must give no address.
func runRewriteCases(t *testing.T, op func(*Rewriter, string) (string, error), tests []rewriteCase) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRewriter()
			if tc.modify != nil {
				tc.modify(r)
			}
			got, err := op(r, tc.in)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err, "got %q", got)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestErrorsSayWhere checks that errors carry the package prefix and the
// offending address.
func TestErrorsSayWhere(t *testing.T) {
	r := testRewriter()
	_, err := r.Reverse("SRS0=AAAA=G3=example.org=user@forwarder.example")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "srs: "), err.Error())
	assert.Contains(t, err.Error(), "SRS0=AAAA=G3=example.org=user@forwarder.example")
	_, err = r.Forward("user@ex=ample.org")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ex=ample.org")
}

// TestLocalPartOver64 pins down the RFC 5321 §4.5.3.1.1 decision: by
// default the long address is produced (as every peer does) and reverses;
// with LimitLocalPart Forward refuses it with ErrTooLong.
func TestLocalPartOver64(t *testing.T) {
	// "SRS0=HHHH=TT=" is 13 octets, then host, '=', user.
	host := "example.org" // 11
	for _, tc := range []struct {
		userLen int
		over    bool
	}{{39, false}, {40, true}, {60, true}} {
		t.Run(fmt.Sprint(tc.userLen), func(t *testing.T) {
			sender := strings.Repeat("u", tc.userLen) + "@" + host
			r := testRewriter()
			out, err := r.Forward(sender)
			require.NoError(t, err)
			local := out[:strings.LastIndexByte(out, '@')]
			assert.Equal(t, tc.over, len(local) > MaxLocalPartLength, "local part %d octets", len(local))
			back, err := r.Reverse(out)
			require.NoError(t, err)
			assert.Equal(t, sender, back)

			r.LimitLocalPart = true
			out, err = r.Forward(sender)
			if tc.over {
				require.ErrorIs(t, err, ErrTooLong)
				assert.NotErrorIs(t, err, ErrMalformed)
				assert.Empty(t, out)
			} else {
				require.NoError(t, err)
				assert.Len(t, out[:strings.LastIndexByte(out, '@')], MaxLocalPartLength)
			}
		})
	}
}

// TestTimestampWindow walks the age of an SRS0 address over the 1024-day
// cycle for several MaxAge values.
func TestTimestampWindow(t *testing.T) {
	base := testRewriter()
	base.Now = func() time.Time { return t0 }
	for _, days := range []int{1, 5, 21, 60, 1023} {
		r := testRewriter()
		r.MaxAge = time.Duration(days) * 24 * time.Hour
		addr, err := r.Forward("user@example.org")
		require.NoError(t, err)
		for age := -3; age < 2100; age++ {
			now := t0.Add(time.Duration(age) * 24 * time.Hour)
			r.Now = func() time.Time { return now }
			_, err := r.Reverse(addr)
			eff := ((age % stampSlots) + stampSlots) % stampSlots // wraps every 1024 days
			if eff <= days {
				assert.NoError(t, err, "MaxAge %d, age %d", days, age)
			} else {
				assert.ErrorIs(t, err, ErrExpired, "MaxAge %d, age %d", days, age)
			}
		}
	}
}

func TestTimestampEncoding(t *testing.T) {
	tests := []struct {
		unix int64
		want string
	}{
		{0, "AA"}, {86399, "AA"}, {86400, "AB"}, {31 * 86400, "A7"}, {32 * 86400, "BA"},
		{1023 * 86400, "77"}, {1024 * 86400, "AA"}, {1700000000, "G3"}, {-1, "77"},
	}
	for _, tc := range tests {
		st := encodeStamp(dayNumber(time.Unix(tc.unix, 0)))
		assert.Equal(t, tc.want, string(st[:]), "unix %d", tc.unix)
		v, ok := decodeStamp(strings.ToLower(tc.want))
		require.True(t, ok)
		assert.Equal(t, stampOf(dayNumber(time.Unix(tc.unix, 0))), v)
	}
	for _, bad := range []string{"", "A", "AAA", "A1", "8A", "A=", "é"} {
		_, ok := decodeStamp(bad)
		assert.False(t, ok, "%q", bad)
	}
}

// TestMACMatchesHMAC compares the pooled, reused HMAC with a fresh one for
// every input, for keys shorter than, equal to and longer than the SHA-1
// block: a hash taken back from the pool must start from its key state.
func TestMACMatchesHMAC(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 20, 63, 64, 65, 200} {
		secret := randString(rng, printable, n)
		k := newKeyState([][]byte{[]byte(secret)})
		s := getScratch()
		for _, dataLen := range []int{0, 1, 55, 56, 64, 119, 500} {
			data := randString(rng, "abcdefghijklmnopqrstuvwxyz=+", dataLen)
			s.setData(data)
			var got, again [MaxHashLength]byte
			k.mac(s, 0, &got)
			k.mac(s, 0, &again)
			want := hmacB64(secret, data)
			assert.Equal(t, want, string(got[:]), "key %d, data %d", n, dataLen)
			assert.Equal(t, want, string(again[:]))
		}
		putScratch(s)
	}
}

// TestSecretsChange checks that changing Secrets between calls takes
// effect (the cached HMAC state follows it).
func TestSecretsChange(t *testing.T) {
	r := testRewriter()
	a, err := r.Forward("user@example.org")
	require.NoError(t, err)
	r.Secrets = [][]byte{[]byte("other")}
	b, err := r.Forward("user@example.org")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	_, err = r.Reverse(a)
	assert.ErrorIs(t, err, ErrBadHash)
	r.Secrets[0] = []byte("public-test-secret-1") // in place
	c, err := r.Forward("user@example.org")
	require.NoError(t, err)
	assert.Equal(t, a, c)
}

func TestRoundTripSeparatorsAndLengths(t *testing.T) {
	for _, sep := range []byte{'=', '+', '-'} {
		for n := 1; n <= MaxHashLength; n++ {
			r := testRewriter()
			r.Separator, r.HashLength = sep, n
			out, err := r.Forward("a+b=c-d@Example.org")
			require.NoError(t, err)
			assert.Equal(t, "SRS0"+string(sep), out[:5])
			back, err := r.Reverse(out)
			require.NoError(t, err, out)
			assert.Equal(t, "a+b=c-d@Example.org", back)
		}
	}
}

func TestIsSRS(t *testing.T) {
	for in, want := range map[string]bool{
		"SRS0=x@y": true, "srs1+x": true, "SrS0-": true, "SRS0": false, "SRS2=x": false,
		"SRS0_x": false, "user@example.org": false, "": false,
	} {
		assert.Equal(t, want, IsSRS(in), in)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := testRewriter()
	r.Secrets = append(r.Secrets, []byte("second"))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				sender := fmt.Sprintf("u%d.%d@example.org", g, i)
				out, err := r.Forward(sender)
				if !assert.NoError(t, err) {
					return
				}
				back, err := r.Reverse(out)
				if !assert.NoError(t, err) || !assert.Equal(t, sender, back) {
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestRoundTripLocalParts sends awkward local parts through two forwarders
// and back.
func TestRoundTripLocalParts(t *testing.T) {
	hop1 := testRewriter()
	hop1.Domain = "hop1.example"
	hop2 := testRewriter()
	hop2.Domain, hop2.Secrets, hop2.Separator = "hop2.example", [][]byte{[]byte("hop2")}, '+'
	for _, local := range []string{
		`"john doe"`, `"a=b"`, "a+b=c", `"=="`, "=", "+", "-", `"SRS0=x"`, "SRS0abc",
		"Jörg.Müller", `"a\"b"`, "x==y", `""`,
	} {
		t.Run(local, func(t *testing.T) {
			sender := local + "@Example.org"
			s0, err := hop1.Forward(sender)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(s0, "SRS0="), s0)
			s1, err := hop2.Forward(s0)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(s1, "SRS1+"), s1)
			back1, err := hop2.Reverse(s1)
			require.NoError(t, err)
			assert.Equal(t, s0, back1)
			back0, err := hop1.Reverse(back1)
			require.NoError(t, err)
			assert.Equal(t, sender, back0)
		})
	}
}

// TestErrorPrefixOnce: every error says "srs: " once, at the front, also
// when it matches two sentinels.
func TestErrorPrefixOnce(t *testing.T) {
	r := testRewriter()
	long := strings.Repeat("a", MaxAddressLength) + "@example.org"
	_, err := r.Forward(long)
	require.ErrorIs(t, err, ErrTooLong)
	require.ErrorIs(t, err, ErrMalformed)
	errs := []error{err}
	for _, addr := range []string{"SRS0=abcd=AA=@fwd.example", "SRS0=abcd@fwd.example", "SRS1=abcd=@fwd.example", "SRS0=abcd=AA=example.org=user@x", long} {
		_, err := r.Reverse(addr)
		require.Error(t, err, addr)
		errs = append(errs, err)
	}
	for _, err := range errs {
		assert.True(t, strings.HasPrefix(err.Error(), "srs: "), err.Error())
		assert.Equal(t, 1, strings.Count(err.Error(), "srs: "), err.Error())
	}
}
