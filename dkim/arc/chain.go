package arc

import (
	"bytes"
	"fmt"

	"github.com/mailsmith/mailsmith/dkim"
)

// arcSet is one ARC set as found in the message (RFC 8617 §4.1): its
// three fields, copied out of the header block (the body streams through
// the same buffer later), and what parsing them gave.
type arcSet struct {
	instance        int
	aarRaw          []byte // whole fields, as written; nil when missing
	amsRaw          []byte
	sealRaw         []byte
	naar, nams, nas int // how many fields of each kind carry this i=

	seal       *Seal
	sealErr    error
	ams        *MessageSignature
	amsErr     error
	aarPayload string

	// filled in by the verifier
	amsDigest []byte
	body      *dkim.BodyHasher
	// an AMS without c=: also tried as relaxed/relaxed
	amsDigestRelaxed []byte
	bodyRelaxed      *dkim.BodyHasher
	sealDigest       []byte
}

// chain is every ARC set of a message, sets[i-1] holding instance i.
type chain struct {
	sets   []*arcSet
	fields int   // ARC header fields seen
	err    error // a field whose instance cannot be read, or a limit
}

// highest returns N, the highest instance found (RFC 8617 §5.2 step 1).
func (c *chain) highest() int { return len(c.sets) }

func (c *chain) set(i int) *arcSet {
	for len(c.sets) < i {
		c.sets = append(c.sets, &arcSet{instance: len(c.sets) + 1})
	}
	return c.sets[i-1]
}

// fieldKind tells the three ARC field names apart; 0 for any other field.
func fieldKind(name []byte) int {
	switch {
	case equalFold(name, AuthenticationResultsField):
		return 1
	case equalFold(name, MessageSignatureField):
		return 2
	case equalFold(name, SealField):
		return 3
	}
	return 0
}

func equalFold(a []byte, b string) bool {
	return len(a) == len(b) && bytes.EqualFold(a, []byte(b))
}

// fieldValue returns what follows the colon of a raw field.
func fieldValue(raw []byte) string {
	return string(raw[bytes.IndexByte(raw, ':')+1:])
}

// collectChain finds and groups the ARC sets of a header (RFC 8617 §5.2
// step 1), parsing each field once. At most 3*MaxInstance ARC fields of
// at most MaxFieldBytes each are looked at: beyond either the chain is
// broken (ErrLimit), whatever else it holds.
func collectChain(fields []dkim.HeaderField) *chain {
	c := &chain{}
	for _, f := range fields {
		kind := fieldKind(f.Name)
		if kind == 0 {
			continue
		}
		c.fields++
		if c.err != nil {
			continue
		}
		if c.fields > 3*MaxInstance {
			c.err = fmt.Errorf("%w: more than %d ARC header fields", ErrLimit, 3*MaxInstance)
			continue
		}
		if len(f.Raw) > MaxFieldBytes {
			c.err = fmt.Errorf("%w: %s field longer than %d bytes", ErrLimit, f.Name, MaxFieldBytes)
			continue
		}
		value := fieldValue(f.Raw)
		raw := bytes.Clone(f.Raw)
		switch kind {
		case 1:
			inst, payload, err := ParseAuthenticationResults(value)
			if err != nil {
				c.err = err
				continue
			}
			s := c.set(inst)
			s.naar++
			s.aarRaw, s.aarPayload = raw, payload
		case 2:
			inst, err := instanceOf(value, MessageSignatureField)
			if err != nil {
				c.err = err
				continue
			}
			s := c.set(inst)
			s.nams++
			s.amsRaw = raw
			s.ams, s.amsErr = ParseMessageSignature(value)
		case 3:
			inst, err := instanceOf(value, SealField)
			if err != nil {
				c.err = err
				continue
			}
			s := c.set(inst)
			s.nas++
			s.sealRaw = raw
			s.seal, s.sealErr = ParseSeal(value)
		}
	}
	return c
}

// instanceOf reads only the i= tag of an ARC-Seal or
// ARC-Message-Signature, so that a field broken elsewhere still counts
// for its set.
func instanceOf(value, what string) (int, error) {
	_, inst, err := parseTags(value, what)
	return inst, err
}

// structure checks RFC 8617 §5.2 step 3 (and §4.2.1): exactly one field of
// each kind for every instance from 1 to N, every seal parsed, cv=none at
// i=1 and cv=pass above. The newest seal's cv=fail is checked before
// (step 2).
func (c *chain) structure() error {
	if c.err != nil {
		return c.err
	}
	for _, s := range c.sets {
		switch {
		case s.naar == 0:
			return fmt.Errorf("%w: i=%d has no %s", ErrStructure, s.instance, AuthenticationResultsField)
		case s.nams == 0:
			return fmt.Errorf("%w: i=%d has no %s", ErrStructure, s.instance, MessageSignatureField)
		case s.nas == 0:
			return fmt.Errorf("%w: i=%d has no %s", ErrStructure, s.instance, SealField)
		case s.naar > 1:
			return fmt.Errorf("%w: i=%d has %d %s fields", ErrStructure, s.instance, s.naar, AuthenticationResultsField)
		case s.nams > 1:
			return fmt.Errorf("%w: i=%d has %d %s fields", ErrStructure, s.instance, s.nams, MessageSignatureField)
		case s.nas > 1:
			return fmt.Errorf("%w: i=%d has %d %s fields", ErrStructure, s.instance, s.nas, SealField)
		}
	}
	for _, s := range c.sets {
		if s.sealErr != nil {
			return s.sealErr
		}
		want := Pass
		if s.instance == 1 {
			want = None
		}
		if s.seal.ChainStatus != want {
			return fmt.Errorf("%w: %s i=%d has cv=%s, want cv=%s", ErrStructure, SealField, s.instance, s.seal.ChainStatus, want)
		}
	}
	return nil
}

// newestFailed reports whether the newest seal (i=N) says cv=fail
// (RFC 8617 §5.2 step 2).
func (c *chain) newestFailed() bool {
	if len(c.sets) == 0 {
		return false
	}
	s := c.sets[len(c.sets)-1]
	return s.nas == 1 && s.seal != nil && s.seal.ChainStatus == Fail
}
