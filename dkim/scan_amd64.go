//go:build amd64 && !purego

package dkim

// useAVX2 reports whether the CPU and the operating system support AVX2
// (CPUID leaf 7 EBX bit 5, with OSXSAVE and the YMM state enabled in
// XCR0).
var useAVX2 = func() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()

// cpuid executes CPUID with the given leaf and subleaf.
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// xgetbv returns XCR0.
func xgetbv() (eax, edx uint32)

// scanSimpleAVX2 runs the simple scan (see scan.go) 32 positions at a
// time from position 1 while the block and the byte after it lie inside
// b, and returns the first position that may change or, when none did,
// the first position it did not look at.
//
//go:noescape
func scanSimpleAVX2(b []byte) int

// scanRelaxedAVX2 is scanSimpleAVX2 for relaxed canonicalization.
//
//go:noescape
func scanRelaxedAVX2(b []byte) int

// relaxedAVX2 canonicalizes (relaxed) src[1:] into dst as far as it can
// without help (see scan_amd64.s): it stops at a bare LF, and when fewer
// than 64 bytes of src or of dst are left. It returns the position in src of the first byte not consumed
// and the number of bytes written. src[0] must have been consumed, with
// the canonicalizer in a neutral state after it.
//
//go:noescape
func relaxedAVX2(dst, src []byte) (consumed, written int)
