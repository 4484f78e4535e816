package srs

import (
	"strings"
	"testing"
	"time"
)

// fuzzRewriter signs with the first of two secrets and rewrites always, so
// every accepted address can be re-made by Forward.
func fuzzRewriter() *Rewriter {
	return &Rewriter{
		Domain:        "forwarder.example",
		Secrets:       [][]byte{[]byte("fuzz-secret-new"), []byte("fuzz-secret-old")},
		HashMin:       2,
		AlwaysRewrite: true,
		Now:           func() time.Time { return t0 },
	}
}

// hashAlphabet returns addr (or its local part) with the hash field of
// its SRS0 or SRS1 tag passed through rep: between the 5-octet tag with
// its separator and the next '='.
func hashAlphabet(addr string, rep *strings.Replacer) string {
	if len(addr) < 5 {
		return addr
	}
	body := addr[5:]
	i := strings.IndexByte(body, '=')
	if i < 0 {
		return addr
	}
	return addr[:5] + rep.Replace(body[:i]) + body[i:]
}

// toStdBase64 and toBase64URL swap the two base64 alphabets.
var (
	toStdBase64 = strings.NewReplacer("-", "+", "_", "/")
	toBase64URL = strings.NewReplacer("+", "-", "/", "_")
)

// checkSigned fails unless addr, which r.Reverse accepted giving out, is
// exactly what r.Forward makes from out (up to case, the choice of
// separator after the tag and base64url) with one of r's secrets, on the
// day the timestamp names within the MaxAge window. So Reverse never
// accepts an address the Rewriter could not have signed.
// forwardRefuses reports whether Forward refuses address by design
// though the peers rewrite it: an empty local part, or angle brackets.
func forwardRefuses(address string) bool {
	return strings.HasPrefix(address, "@") || strings.HasPrefix(address, "<") || strings.HasSuffix(address, ">")
}

func checkSigned(t *testing.T, r *Rewriter, addr, out string) {
	t.Helper()
	local := addr[:strings.LastIndexByte(addr, '@')]
	body := local[5:]
	i := strings.IndexByte(body, '=')
	if i < 0 {
		t.Fatalf("Reverse(%q) = %q but it has no hash field", addr, out)
	}
	hashLen := len(body[:i])
	day := dayNumber(r.now())
	if local[3] == '0' {
		st, ok := decodeStamp(body[i+1 : i+3])
		if !ok {
			t.Fatalf("Reverse(%q) = %q with a bad timestamp", addr, out)
		}
		age := (stampOf(day) - st + stampSlots) % stampSlots
		cfg, _ := r.settings()
		if int64(age) > cfg.maxDays {
			t.Fatalf("Reverse(%q) accepted a stamp %d days old", addr, age)
		}
		day -= int64(age)
	}
	want := hashAlphabet(local, toStdBase64)
	if local[3] == '0' && forwardRefuses(out) {
		// Forward refuses to make such an address, by design (an empty
		// local part, angle brackets), while Reverse turns back what the
		// peers made (vector rev-local-empty; Mail::SRS rewrites
		// "<x@example.org" as it stands). Check the MAC itself.
		at := strings.LastIndexByte(out, '@')
		hash := want[5 : 5+hashLen]
		data := lowerASCII(body[i+1:i+3] + out[at+1:] + out[:at])
		for _, secret := range r.Secrets {
			if full := hmacB64(string(secret), data); len(hash) <= len(full) && strings.EqualFold(full[:len(hash)], hash) {
				return
			}
		}
		t.Fatalf("Reverse(%q) = %q, but its hash is not the MAC of %q", addr, out, data)
	}
	// What Forward was given to make addr: for SRS0, the address Reverse
	// returned; for SRS1, any SRS1 address with the same host and opaque
	// remainder (the remainder need not start with a separator, as in
	// Mail::SRS and libsrs2, so out itself may not be SRS-tagged).
	input := out
	if local[3] == '1' {
		host, rest, ok := splitSRS1(body)
		if !ok {
			t.Fatalf("Reverse(%q) = %q but it does not split as SRS1", addr, out)
		}
		input = "SRS1=x=" + host + "=" + rest + "@elsewhere.example"
	}
	for _, secret := range r.Secrets {
		f := &Rewriter{
			Domain:        r.Domain,
			Secrets:       [][]byte{secret},
			HashLength:    hashLen,
			Separator:     local[4],
			AlwaysRewrite: true,
			Now:           func() time.Time { return time.Unix(day*secondsPerDay, 0) },
		}
		again, err := f.Forward(input)
		if err != nil {
			t.Fatalf("Reverse(%q) = %q, and Forward refuses %q: %v", addr, out, input, err)
		}
		if strings.EqualFold(again[:strings.LastIndexByte(again, '@')], want) {
			return
		}
	}
	t.Fatalf("Reverse(%q) = %q, but Forward of that does not give the address back", addr, out)
}

func FuzzReverse(f *testing.F) {
	r := fuzzRewriter()
	for _, s := range []string{
		"user@example.org", "a=b@example.org", `"x y"@example.org`, "SRS0=x=y@hop1.example",
	} {
		if a, err := r.Forward(s); err == nil {
			f.Add(a)
			f.Add(strings.ToLower(a))
		}
	}
	f.Add("SRS0=APu3=G3=example.org=user@forwarder.example")
	f.Add("SRS1=HAhJ=hop1.example==GzLP=G3=origin.example=alice@hop2.example")
	f.Add("SRS0==G3==@x")
	f.Add("srs1-a=b=c@d")
	f.Add("SRS0=@")
	f.Fuzz(func(t *testing.T, addr string) {
		out, err := r.Reverse(addr)
		if err != nil {
			if out != "" {
				t.Fatalf("Reverse(%q) returned %q with error %v", addr, out, err)
			}
			return
		}
		checkSigned(t, r, addr, out)
	})
}

// FuzzReverseMutated signs a fuzzed sender, damages the signed address in
// one of several ways, and checks that Reverse refuses it or that what it
// accepts is an address the Rewriter itself would have made.
func FuzzReverseMutated(f *testing.F) {
	r := fuzzRewriter()
	f.Add("user", "example.org", false, uint8(0), uint16(5), byte('A'))
	f.Add("a=b", "example.org", false, uint8(1), uint16(7), byte('='))
	f.Add("SRS0=GzLP=G3=origin.example=alice", "hop1.example", false, uint8(2), uint16(20), byte('x'))
	f.Add("x", "hop1.example", true, uint8(3), uint16(9), byte(0))
	f.Add("first-last", "example.co.uk", true, uint8(4), uint16(30), byte(0))
	f.Add("u", "e.x", false, uint8(5), uint16(3), byte('-'))
	f.Fuzz(func(t *testing.T, user, host string, wrap bool, op uint8, pos uint16, b byte) {
		signed, err := r.Forward(user + "@" + host)
		if err != nil || !IsSRS(signed) {
			return
		}
		if wrap { // make it an SRS1
			if signed, err = r.Forward(signed); err != nil {
				return
			}
		}
		m := []byte(signed)
		p := int(pos) % len(m)
		switch op % 6 {
		case 0: // overwrite a byte
			m[p] = b
		case 1: // insert a byte
			m = append(m[:p], append([]byte{b}, m[p:]...)...)
		case 2: // delete a byte
			m = append(m[:p], m[p+1:]...)
		case 3: // swap two bytes
			q := int(b) % len(m)
			m[p], m[q] = m[q], m[p]
		case 4: // move a '=' one place right
			if j := strings.IndexByte(string(m[p:]), '='); j >= 0 && p+j+1 < len(m) {
				m[p+j], m[p+j+1] = m[p+j+1], m[p+j]
			}
		case 5: // flip case
			m[p] ^= 0x20
		}
		addr := string(m)
		out, err := r.Reverse(addr)
		if err == nil {
			checkSigned(t, r, addr, out)
		}
	})
}

// FuzzForward checks that Forward never panics, stays within its limits,
// and that whatever it rewrites reverses to the sender.
func FuzzForward(f *testing.F) {
	r := fuzzRewriter()
	r.AlwaysRewrite = false
	for _, s := range []string{
		"user@example.org", "", "<>", "a=b+c@example.org", `"q@x"@example.org`, "user@forwarder.example",
		"SRS0=GzLP=G3=origin.example=alice@hop1.example", "SRS1=HAhJ=hop1.example==GzLP=G3=origin.example=alice@hop2.example",
		"srs0-x@h", "SRS1=zzzz=onlyhost@hop1.example", "@x", "user@[192.0.2.1]",
		"<user@example.org>", "<@relay.example:user@example.org>", `""@example.org`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sender string) {
		out, err := r.Forward(sender)
		if refusedByDesign(sender) && err == nil {
			t.Fatalf("Forward(%q) = %q: brackets or an empty local part must be refused", sender, out)
		}
		if err != nil {
			if out != "" {
				t.Fatalf("Forward(%q) returned %q with error %v", sender, out, err)
			}
			return
		}
		if len(out) > MaxAddressLength {
			t.Fatalf("Forward(%q) = %d octets", sender, len(out))
		}
		if !IsSRS(out) {
			if out != sender {
				t.Fatalf("Forward(%q) = %q, changed without rewriting", sender, out)
			}
			return
		}
		back, err := r.Reverse(out)
		if err != nil {
			t.Fatalf("Forward(%q) = %q, which Reverse refuses: %v", sender, out, err)
		}
		local := sender[:strings.LastIndexByte(sender, '@')]
		switch srsTag(local) {
		case 0:
			if back != sender {
				t.Fatalf("Forward(%q) = %q reverses to %q", sender, out, back)
			}
		case '0': // SRS1 reverses to the SRS0 address (tag upper-cased)
			if !strings.EqualFold(back[:4], "SRS0") || back[4:] != sender[4:] {
				t.Fatalf("Forward(%q) = %q reverses to %q", sender, out, back)
			}
		case '1': // re-signed SRS1 reverses to "SRS0" + its remainder @ its host
			host, rest, ok := splitSRS1(local[5:])
			if !ok || back != "SRS0"+rest+"@"+host {
				t.Fatalf("Forward(%q) = %q reverses to %q", sender, out, back)
			}
		}
	})
}

// lowerASCII lower-cases A-Z only, as the SRS MAC input is.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
