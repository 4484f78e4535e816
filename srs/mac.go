package srs

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"sync"
)

// The SRS hash is HMAC-SHA1(secret, lc(field1) . lc(field2) ...) in
// standard base64 without padding, cut to the wanted length (Mail::SRS
// hash_create, libsrs2 srs_hash_create). crypto/hmac keeps the keyed
// inner and outer states and restores them on Reset, so a pool of keyed
// hashes per secret makes a MAC cost two or three SHA-1 blocks and no
// allocation.

// keyState holds keyed HMAC-SHA1 hashes for one set of secrets.
type keyState struct {
	secrets [][]byte    // copies, to notice when Rewriter.Secrets changes
	hashes  []sync.Pool // of hash.Hash, HMAC-SHA1 keyed with secrets[i]
}

func newKeyState(secrets [][]byte) *keyState {
	k := &keyState{secrets: make([][]byte, len(secrets)), hashes: make([]sync.Pool, len(secrets))}
	for i, s := range secrets {
		key := bytes.Clone(s)
		k.secrets[i] = key
		k.hashes[i].New = func() any { return hmac.New(sha1.New, key) }
	}
	return k
}

// matches reports whether k was made for exactly these secrets.
func (k *keyState) matches(secrets [][]byte) bool {
	if len(secrets) != len(k.secrets) {
		return false
	}
	for i := range secrets {
		if !bytes.Equal(secrets[i], k.secrets[i]) {
			return false
		}
	}
	return true
}

// scratch is per-call working memory, pooled so that MAC computation does
// not allocate.
type scratch struct {
	data []byte // the lower-cased MAC input
	sum  [sha1.Size]byte
}

var scratchPool = sync.Pool{New: func() any { return &scratch{data: make([]byte, 0, 256)} }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.data) > 4*MaxAddressLength {
		s.data = make([]byte, 0, 256)
	}
	scratchPool.Put(s)
}

// setData stores the concatenation of the lower-cased fields as MAC input.
func (s *scratch) setData(fields ...string) {
	d := s.data[:0]
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			d = append(d, lower(f[i]))
		}
	}
	s.data = d
}

// mac writes the full base64 HMAC of s.data under secret i into out.
func (k *keyState) mac(s *scratch, i int, out *[MaxHashLength]byte) {
	h := k.hashes[i].Get().(hash.Hash)
	h.Reset()
	h.Write(s.data)
	sum := h.Sum(s.sum[:0])
	k.hashes[i].Put(h)
	base64.RawStdEncoding.Encode(out[:], sum)
}

// verify reports whether given (the hash field of an address) is at least
// hashMin long and equals the same-length prefix of the MAC of s.data under
// one of the secrets: exactly first, then ignoring ASCII case (Mail::SRS
// hash_verify). The base64url characters '-' and '_' (newer postsrsd)
// stand for '+' and '/'. Comparisons take the same time however many
// characters match.
func (k *keyState) verify(s *scratch, given string, hashMin int) bool {
	n := len(given)
	if n == 0 || n < hashMin || n > MaxHashLength {
		return false
	}
	var g [MaxHashLength]byte
	for i := 0; i < n; i++ {
		switch c := given[i]; c {
		case '-':
			g[i] = '+'
		case '_':
			g[i] = '/'
		default:
			g[i] = c
		}
	}
	folded := 0
	for i := range k.secrets {
		var m [MaxHashLength]byte
		k.mac(s, i, &m)
		if subtle.ConstantTimeCompare(g[:n], m[:n]) == 1 {
			return true
		}
		folded |= foldEqualConstantTime(g[:n], m[:n])
	}
	return folded == 1
}

// foldEqualConstantTime returns 1 when a and b (of equal length) are equal
// ignoring ASCII case, without branching on their contents.
func foldEqualConstantTime(a, b []byte) int {
	var v byte
	for i := range a {
		v |= lowerConstantTime(a[i]) ^ lowerConstantTime(b[i])
	}
	return subtle.ConstantTimeByteEq(v, 0)
}

func lowerConstantTime(c byte) byte {
	upper := subtle.ConstantTimeLessOrEq('A', int(c)) & subtle.ConstantTimeLessOrEq(int(c), 'Z')
	return c | byte(upper<<5)
}
