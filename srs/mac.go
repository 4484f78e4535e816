package srs

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding"
	"encoding/base64"
	"hash"
	"sync"
)

// The SRS hash is HMAC-SHA1(secret, lc(field1) . lc(field2) ...) in
// standard base64 without padding, cut to the wanted length (Mail::SRS
// hash_create, libsrs2 srs_hash_create). HMAC's inner and outer SHA-1
// states after the key block depend only on the secret, so they are
// computed once per secret and restored for every address: a MAC then
// costs two or three SHA-1 blocks and no allocation.

// stateHash is a SHA-1 whose state can be restored from MarshalBinary output.
type stateHash interface {
	hash.Hash
	encoding.BinaryUnmarshaler
}

// keyState holds the precomputed HMAC states of one set of secrets.
type keyState struct {
	secrets [][]byte // copies, to notice when Rewriter.Secrets changes
	inner   [][]byte // marshaled SHA-1 state after (key XOR ipad)
	outer   [][]byte // marshaled SHA-1 state after (key XOR opad)
}

func newKeyState(secrets [][]byte) *keyState {
	k := &keyState{secrets: make([][]byte, len(secrets))}
	for i, s := range secrets {
		k.secrets[i] = bytes.Clone(s)
	}
	in, out, ok := padStates(secrets)
	if ok {
		k.inner, k.outer = in, out
	}
	return k
}

// padStates computes the HMAC-SHA1 pad states of every secret (RFC 2104:
// keys longer than the block are hashed first, shorter ones zero-padded).
// ok is false if this SHA-1 cannot marshal its state.
func padStates(secrets [][]byte) (inner, outer [][]byte, ok bool) {
	inner = make([][]byte, len(secrets))
	outer = make([][]byte, len(secrets))
	for i, s := range secrets {
		var key [sha1.BlockSize]byte
		if len(s) > sha1.BlockSize {
			sum := sha1.Sum(s)
			copy(key[:], sum[:])
		} else {
			copy(key[:], s)
		}
		var ipad, opad [sha1.BlockSize]byte
		for j, b := range key {
			ipad[j] = b ^ 0x36
			opad[j] = b ^ 0x5c
		}
		for _, p := range []struct {
			pad [sha1.BlockSize]byte
			dst *[]byte
		}{{ipad, &inner[i]}, {opad, &outer[i]}} {
			h := sha1.New()
			m, isM := h.(encoding.BinaryMarshaler)
			if _, isU := h.(stateHash); !isM || !isU {
				return nil, nil, false
			}
			h.Write(p.pad[:])
			st, err := m.MarshalBinary()
			if err != nil {
				return nil, nil, false
			}
			*p.dst = st
		}
	}
	return inner, outer, true
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
	h      stateHash
	data   []byte // the lower-cased MAC input
	inSum  [sha1.Size]byte
	outSum [sha1.Size]byte
}

var scratchPool = sync.Pool{New: func() any {
	s := &scratch{data: make([]byte, 0, 256)}
	s.h, _ = sha1.New().(stateHash)
	return s
}}

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
	var sum []byte
	if k.inner != nil && s.h != nil {
		h := s.h
		_ = h.UnmarshalBinary(k.inner[i]) // states come from MarshalBinary
		h.Write(s.data)
		in := h.Sum(s.inSum[:0])
		_ = h.UnmarshalBinary(k.outer[i])
		h.Write(in)
		sum = h.Sum(s.outSum[:0])
	} else {
		h := hmac.New(sha1.New, k.secrets[i])
		h.Write(s.data)
		sum = h.Sum(s.outSum[:0])
	}
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
