package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"
)

// DefaultHeaders returns the header fields signed when Signer.Headers is
// nil: those RFC 6376 §5.4.1 recommends plus the MIME and list fields.
// Only fields present in the message are listed in h= (From always is).
func DefaultHeaders() []string {
	return []string{
		"From", "Reply-To", "Subject", "Date", "To", "Cc",
		"Resent-Date", "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc",
		"In-Reply-To", "References", "Message-ID", "Sender",
		"List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
		"List-Subscribe", "List-Post", "List-Owner", "List-Archive",
		"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
		"Content-ID", "Content-Description", "Feedback-ID",
	}
}

// Signer creates DKIM signatures (RFC 6376 §5, RFC 8463). Domain, Selector
// and Key are required; every other field works at its zero value.
type Signer struct {
	Domain   string        // d=
	Selector string        // s=
	Key      crypto.Signer // *rsa.PrivateKey (rsa-sha256) or ed25519.PrivateKey (ed25519-sha256)
	// Headers lists the header fields to sign; nil means DefaultHeaders().
	// From is added when missing. Each name is signed as many times as it
	// occurs in the message.
	Headers []string
	// Oversign adds one more, empty instance of every signed name to h=,
	// so no such field can be added to the message later without breaking
	// the signature. From is always oversigned.
	Oversign bool
	// HeaderCanonicalization and BodyCanonicalization default to Relaxed.
	HeaderCanonicalization Canonicalization
	BodyCanonicalization   Canonicalization
	// Identity is i= (an address at Domain or a subdomain); "" leaves it
	// out (meaning "@"+Domain).
	Identity string
	// Expiration sets x= that long after t=; 0 means no x=.
	Expiration time.Duration
	// BodyLength adds l= with the length of the canonical body. Off by
	// default: l= lets anyone append content (RFC 6376 §8.2).
	BodyLength bool
	// Now is the clock for t=; nil means time.Now.
	Now func() time.Time
	// MaxHeaderBytes limits the header block; 0 or negative means
	// DefaultMaxHeaderBytes. SignMulti reads the header once, up to the
	// largest limit among its signers.
	MaxHeaderBytes int
}

// Sign reads the message once from r and returns the DKIM-Signature header
// field to prepend to it, ending in CRLF. Lines of the message may end in
// CRLF or bare LF (bare LF is signed as CRLF).
func (s *Signer) Sign(r io.Reader) (string, error) {
	sigs, err := SignMulti(r, s)
	if err != nil {
		return "", err
	}
	return sigs[0], nil
}

// SignMulti signs the message with several signers (for example an RSA
// and an Ed25519 key) in one pass over r, and returns their
// DKIM-Signature fields in the signers' order. Each signature covers the
// message as read, not the other new signatures.
func SignMulti(r io.Reader, signers ...*Signer) ([]string, error) {
	if len(signers) == 0 {
		return nil, fmt.Errorf("%w: no signers", ErrInvalidSigner)
	}
	jobs := make([]*signJob, len(signers))
	maxHeader := 0
	for i, s := range signers {
		j, err := s.prepare()
		if err != nil {
			return nil, err
		}
		jobs[i] = j
		maxHeader = max(maxHeader, orDefault(s.MaxHeaderBytes, DefaultMaxHeaderBytes))
	}
	m, err := readHeader(r, maxHeader)
	if err != nil {
		return nil, err
	}
	defer m.release()
	var scratch []byte
	var hashers []*bodyHasher
	for _, j := range jobs {
		if err := j.selectHeaders(m.fields); err != nil {
			return nil, err
		}
		j.h = sha256.New()
		scratch = hashSelectedHeaders(j.h, m.fields, j.names, -1, j.hc, scratch)
		for _, bh := range hashers {
			if bh.relaxed == (j.bc == Relaxed) {
				j.body = bh
			}
		}
		if j.body == nil {
			j.body = newBodyHasher(j.bc, sha256.New(), -1)
			hashers = append(hashers, j.body)
		}
	}
	err = m.streamBody(func(b []byte) {
		for _, bh := range hashers {
			bh.Write(b)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(jobs))
	for i, j := range jobs {
		j.body.Close()
		if out[i], err = j.finish(scratch); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// signJob is one signer's state during SignMulti.
type signJob struct {
	s      *Signer
	alg    string
	hc, bc Canonicalization
	now    time.Time
	names  []string
	h      hash.Hash
	body   *bodyHasher
}

func (s *Signer) prepare() (*signJob, error) {
	j := &signJob{s: s, hc: s.HeaderCanonicalization, bc: s.BodyCanonicalization}
	if j.hc == "" {
		j.hc = Relaxed
	}
	if j.bc == "" {
		j.bc = Relaxed
	}
	for _, c := range []Canonicalization{j.hc, j.bc} {
		if c != Simple && c != Relaxed {
			return nil, fmt.Errorf("%w: canonicalization %q", ErrInvalidSigner, c)
		}
	}
	if s.Key == nil {
		return nil, fmt.Errorf("%w: no key", ErrInvalidSigner)
	}
	switch pub := s.Key.Public().(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < 1024 {
			return nil, fmt.Errorf("%w: %d-bit RSA key (RFC 8301 §3.2)", ErrKeyTooSmall, pub.N.BitLen())
		}
		j.alg = AlgorithmRSASHA256
	case ed25519.PublicKey:
		j.alg = AlgorithmEd25519SHA256
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	d := strings.TrimSuffix(lower(s.Domain), ".")
	if err := CheckDomain(d); err != nil {
		return nil, fmt.Errorf("%w: Domain: %v", ErrInvalidSigner, err)
	}
	if err := CheckSelector(s.Selector); err != nil {
		return nil, fmt.Errorf("%w: Selector: %v", ErrInvalidSigner, err)
	}
	if s.Identity != "" {
		at := strings.LastIndexByte(s.Identity, '@')
		id := strings.TrimSuffix(lower(s.Identity[at+1:]), ".")
		if at < 0 || id != d && !strings.HasSuffix(id, "."+d) {
			return nil, fmt.Errorf("%w: Identity %q is not within %s", ErrInvalidSigner, s.Identity, d)
		}
	}
	if s.Expiration < 0 {
		return nil, fmt.Errorf("%w: negative Expiration", ErrInvalidSigner)
	}
	j.now = time.Now()
	if s.Now != nil {
		j.now = s.Now()
	}
	return j, nil
}

// selectHeaders builds h=: each name as often as it occurs, plus one for
// oversigning.
func (j *signJob) selectHeaders(fields []field) error {
	list := j.s.Headers
	if list == nil {
		list = DefaultHeaders()
	}
	hasFrom := false
	for _, n := range list {
		hasFrom = hasFrom || strings.EqualFold(n, "from")
	}
	if !hasFrom {
		list = append([]string{"From"}, list...)
	}
	var done []string
	for _, name := range list {
		name = strings.TrimSpace(name)
		if err := checkFieldName(name); err != nil || strings.ContainsRune(name, ':') {
			return fmt.Errorf("%w: header name %q", ErrInvalidSigner, name)
		}
		key := lower(name)
		dup := false
		for _, d := range done {
			dup = dup || d == key
		}
		if dup {
			continue
		}
		done = append(done, key)
		count := 0
		for _, f := range fields {
			if equalFold(f.name, key) {
				count++
			}
		}
		if key == "from" && count == 0 {
			return ErrNoFrom
		}
		if j.s.Oversign || key == "from" {
			count++
		}
		for ; count > 0; count-- {
			j.names = append(j.names, key)
		}
	}
	if len(j.names) > maxSignedHeaders {
		return fmt.Errorf("%w: more than %d header fields to sign", ErrInvalidSigner, maxSignedHeaders)
	}
	return nil
}

// finish writes the DKIM-Signature field, hashes it (b= empty) after the
// signed header fields, and signs.
func (j *signJob) finish(scratch []byte) (string, error) {
	s := j.s
	bh := base64.StdEncoding.EncodeToString(j.body.sum(nil))
	var f folder
	f.b.WriteString("DKIM-Signature:")
	f.col = len("DKIM-Signature:")
	f.tag("v=1;")
	f.tag("a=" + j.alg + ";")
	f.tag("c=" + string(j.hc) + "/" + string(j.bc) + ";")
	f.tag("d=" + strings.TrimSuffix(lower(s.Domain), ".") + ";")
	f.tag("s=" + s.Selector + ";")
	f.tag("t=" + strconv.FormatInt(j.now.Unix(), 10) + ";")
	if s.Expiration > 0 {
		secs := int64((s.Expiration + time.Second - 1) / time.Second)
		f.tag("x=" + strconv.FormatInt(j.now.Unix()+secs, 10) + ";")
	}
	if s.Identity != "" {
		f.tag("i=" + encodeQP(s.Identity) + ";")
	}
	if s.BodyLength {
		f.tag("l=" + strconv.FormatInt(j.body.total, 10) + ";")
	}
	for i, n := range j.names {
		piece := n
		if i == 0 {
			piece = "h=" + n
		}
		if i == len(j.names)-1 {
			piece += ";"
		} else {
			piece += ":"
		}
		if i == 0 {
			f.tag(piece)
		} else {
			f.cont(piece)
		}
	}
	f.tag("bh=" + bh + ";")
	f.tag("b=")
	unsigned := f.b.String()

	hashSignatureField(j.h, []byte(unsigned+"\r\n"), j.hc, scratch)
	digest := j.h.Sum(nil)
	var sig []byte
	var err error
	if j.alg == AlgorithmEd25519SHA256 {
		sig, err = s.Key.Sign(rand.Reader, digest, crypto.Hash(0))
	} else {
		sig, err = s.Key.Sign(rand.Reader, digest, crypto.SHA256)
	}
	if err != nil {
		return "", fmt.Errorf("dkim: signing with %s key: %w", j.alg, err)
	}
	b64 := base64.StdEncoding.EncodeToString(sig)
	var out strings.Builder
	out.WriteString(unsigned)
	col := f.col
	if foldWidth-col < 16 {
		out.WriteString("\r\n\t")
		col = 1
	}
	for len(b64) > 0 {
		room := max(foldWidth-col, 8)
		n := min(room, len(b64))
		out.WriteString(b64[:n])
		b64 = b64[n:]
		if len(b64) > 0 {
			out.WriteString("\r\n\t")
			col = 1
		}
	}
	out.WriteString("\r\n")
	return out.String(), nil
}

// foldWidth is the line length the signature field is folded to.
const foldWidth = 76

// folder writes tags separated by spaces, folding lines at foldWidth.
type folder struct {
	b   strings.Builder
	col int
}

func (f *folder) tag(t string) {
	if f.col+1+len(t) > foldWidth {
		f.b.WriteString("\r\n\t")
		f.col = 1
	} else {
		f.b.WriteByte(' ')
		f.col++
	}
	f.b.WriteString(t)
	f.col += len(t)
}

// cont continues the previous piece without a space, folding when the
// line would get too long.
func (f *folder) cont(t string) {
	if f.col+len(t) > foldWidth {
		f.b.WriteString("\r\n\t")
		f.col = 1
	}
	f.b.WriteString(t)
	f.col += len(t)
}

// encodeQP encodes an i= value as dkim-quoted-printable (RFC 6376 §2.11).
func encodeQP(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > ' ' && c < 0x7f && c != ';' && c != '=' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}
