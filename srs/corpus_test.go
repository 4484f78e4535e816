package srs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// A generated interop corpus: many configurations, senders and times, fed
// identically to this package and to a peer implementation.

// peerConfig is one forwarder's configuration.
type peerConfig struct {
	Secrets       []string
	Domain        string
	HashLength    int // 1..27
	HashMin       int // 0 (= HashLength) or 1..HashLength
	MaxAgeDays    int // 0 (= 21) or more
	Separator     byte
	AlwaysRewrite bool
}

func (c peerConfig) rewriter(unix int64) *Rewriter {
	r := &Rewriter{
		Domain:        c.Domain,
		HashLength:    c.HashLength,
		HashMin:       c.HashMin,
		MaxAge:        time.Duration(c.MaxAgeDays) * 24 * time.Hour,
		Separator:     c.Separator,
		AlwaysRewrite: c.AlwaysRewrite,
		Now:           func() time.Time { return time.Unix(unix, 0) },
	}
	for _, s := range c.Secrets {
		r.Secrets = append(r.Secrets, []byte(s))
	}
	return r
}

// perlParams returns the Mail::SRS->new arguments for c.
func (c peerConfig) perlParams() map[string]any {
	p := map[string]any{
		"Secret":     c.Secrets,
		"HashLength": c.HashLength,
		"HashMin":    c.HashMin,
		"MaxAge":     c.MaxAgeDays,
		"Separator":  string(c.Separator),
	}
	if c.AlwaysRewrite {
		p["AlwaysRewrite"] = 1
	}
	return p
}

const printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~. "

func randString(rng *rand.Rand, alphabet string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

func randSecret(rng *rand.Rand) string {
	lengths := []int{1, 8, 16, 20, 32, 63, 64, 65, 100}
	return randString(rng, printable[:len(printable)-1], lengths[rng.IntN(len(lengths))])
}

func randLabel(rng *rand.Rand) string {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	l := randString(rng, alnum, 1+rng.IntN(10))
	switch rng.IntN(8) {
	case 0:
		l = strings.ToUpper(l)
	case 1:
		l += "-" + randString(rng, alnum, 1+rng.IntN(5))
	case 2:
		l = "xn--" + l
	}
	return l
}

func randDomain(rng *rand.Rand) string {
	n := 2 + rng.IntN(3)
	labels := make([]string, n)
	for i := range labels {
		labels[i] = randLabel(rng)
	}
	return strings.Join(labels, ".")
}

func randLocal(rng *rand.Rand) string {
	const atom = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
	switch rng.IntN(14) {
	case 0:
		return ""
	case 1:
		return `"` + randString(rng, "abc xyz=+-.", 1+rng.IntN(12)) + `"`
	case 2:
		return randString(rng, "abc", 3) + "=" + randString(rng, "xyz", 3) + "==" + randString(rng, "ABC", 2)
	case 3:
		return "first+" + randString(rng, atom, 1+rng.IntN(8))
	case 4:
		return "first-last." + randString(rng, atom, 3)
	case 5:
		return randString(rng, "abcdefghij.", 55+rng.IntN(15)) // around the 64-octet limit
	case 6:
		return "SRS0" + randString(rng, "abc", 3) // tag without separator: plain
	case 7:
		runes := []rune("äöüßÄÖÜéЖ")
		var b strings.Builder
		b.WriteString("Üser")
		for range 1 + rng.IntN(4) {
			b.WriteRune(runes[rng.IntN(len(runes))]) // UTF-8 (SMTPUTF8) local part
		}
		return b.String()
	case 8:
		return strings.ToUpper(randString(rng, "abcdefg.", 1+rng.IntN(12)))
	default:
		return randString(rng, atom+".", 1+rng.IntN(24))
	}
}

func randConfig(rng *rand.Rand) peerConfig {
	c := peerConfig{
		Domain:     randDomain(rng),
		HashLength: 4,
		Separator:  "=+-"[rng.IntN(3)],
	}
	for range 1 + rng.IntN(3) {
		c.Secrets = append(c.Secrets, randSecret(rng))
	}
	switch rng.IntN(4) {
	case 0:
		c.HashLength = 1 + rng.IntN(MaxHashLength+5) // over 27: the whole MAC
	case 1:
		c.HashLength = 6 + rng.IntN(4)
	}
	switch rng.IntN(8) {
	case 0, 1, 2:
		c.HashMin = 1 + rng.IntN(c.HashLength)
	case 3:
		c.HashMin = c.HashLength + 1 // own addresses do not verify
	}
	if rng.IntN(2) == 0 {
		c.MaxAgeDays = 1 + rng.IntN(60)
	}
	c.AlwaysRewrite = rng.IntN(6) == 0
	return c
}

// randTime returns a Unix time, often near a 1024-day wrap.
func randTime(rng *rand.Rand) int64 {
	switch rng.IntN(4) {
	case 0:
		day := int64(19*stampSlots + stampSlots - 1 - rng.IntN(3))
		return day*secondsPerDay + rng.Int64N(secondsPerDay)
	case 1:
		return 1700000000 + rng.Int64N(400*secondsPerDay)
	}
	return rng.Int64N(4102444800)
}

// mutation is a variant of an SRS address as a remote MTA or a forger
// might present it. resplit marks a moved field boundary: the MAC input is
// unchanged, and Reverse may refuse what Forward could never produce.
type mutation struct {
	address string
	resplit bool
}

func mutations(rng *rand.Rand, addr string) []mutation {
	out := []mutation{{address: strings.ToUpper(addr)}, {address: strings.ToLower(addr)}}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || len(local) < 6 {
		return out
	}
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if h := strings.IndexByte(local[5:], '='); h > 0 {
		i := 5 + rng.IntN(h)
		b := []byte(local)
		b[i] = b64[rng.IntN(len(b64))]
		out = append(out, mutation{address: string(b) + "@" + domain})
		out = append(out, mutation{address: local[:5+h-1] + local[5+h:] + "@" + domain}) // hash one shorter
	}
	// Move the last '=' one octet right (ASCII only, to stay UTF-8).
	if j := strings.LastIndexByte(local, '='); j > 0 && j+1 < len(local) && local[j+1] != '=' && local[j+1] < 0x80 {
		out = append(out, mutation{address: local[:j] + local[j+1:j+2] + "=" + local[j+2:] + "@" + domain, resplit: true})
	}
	return out
}

func describe(c peerConfig, unix int64) string {
	return fmt.Sprintf("config %+v at %d", c, unix)
}
