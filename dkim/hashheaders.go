package dkim

import (
	"bytes"
	"hash"
)

// maxSignedHeaders bounds the h= list accepted and produced.
const maxSignedHeaders = 256

// hashSelectedHeaders writes the canonical form of the header fields named
// in names to h, choosing instances from the bottom up: the n-th mention
// of a name takes the n-th instance counted from the last one (RFC 6376
// §5.4.2). A name with no instance left contributes nothing. Field index
// skip (the signature being verified) is never selected. scratch is reused
// for the canonical bytes and returned.
func hashSelectedHeaders(h hash.Hash, fields []field, names []string, skip int, c Canonicalization, scratch []byte) []byte {
	for j, name := range names {
		seen := 0
		for _, prev := range names[:j] {
			if equalFold(prev, name) {
				seen++
			}
		}
		for i := len(fields) - 1; i >= 0; i-- {
			if i == skip || !equalFold(fields[i].name, name) {
				continue
			}
			if seen > 0 {
				seen--
				continue
			}
			scratch = appendHeader(scratch[:0], fields[i].raw, c)
			h.Write(scratch)
			break
		}
	}
	return scratch
}

// hashSignatureField writes the DKIM-Signature field itself, with the b=
// value removed and without its final CRLF (RFC 6376 §3.7).
func hashSignatureField(h hash.Hash, raw []byte, c Canonicalization, scratch []byte) []byte {
	scratch = appendHeader(scratch[:0], stripBValue(raw), c)
	scratch = bytes.TrimSuffix(scratch, []byte("\r\n"))
	h.Write(scratch)
	return scratch
}

// stripBValue returns raw with the value of its b= tag (and the whitespace
// around it) deleted, keeping "b=".
func stripBValue(raw []byte) []byte {
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return raw
	}
	// Work on the field without its final line ending.
	end := len(raw)
	for end > colon && (raw[end-1] == '\n' || raw[end-1] == '\r') {
		end--
	}
	pos := colon + 1
	for pos <= end {
		semi := bytes.IndexByte(raw[pos:end], ';')
		segEnd := end
		if semi >= 0 {
			segEnd = pos + semi
		}
		seg := raw[pos:segEnd]
		if eq := bytes.IndexByte(seg, '='); eq >= 0 && string(bytes.Trim(seg[:eq], " \t\r\n")) == "b" {
			out := make([]byte, 0, len(raw))
			out = append(out, raw[:pos+eq+1]...)
			return append(out, raw[segEnd:]...)
		}
		pos = segEnd + 1
	}
	return raw
}

// equalFold reports whether a and b are equal under ASCII case folding
// (header field names, RFC 5322 §1.2.2; no Unicode folding).
func equalFold[S ~string | ~[]byte](a S, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
