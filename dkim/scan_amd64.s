//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL subleaf+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// Constants in Y10..Y13: TAB, SP, LF, CR in every byte.
#define BROADCASTS \
	MOVQ $0x09, BX \
	MOVQ BX, X10 \
	VPBROADCASTB X10, Y10 \
	MOVQ $0x20, BX \
	MOVQ BX, X11 \
	VPBROADCASTB X11, Y11 \
	MOVQ $0x0a, BX \
	MOVQ BX, X12 \
	VPBROADCASTB X12, Y12 \
	MOVQ $0x0d, BX \
	MOVQ BX, X13 \
	VPBROADCASTB X13, Y13

// func scanSimpleAVX2(b []byte) int
//
// SI: b, DX: len(b), AX: position. Each round looks at positions
// AX..AX+63 and reads b[AX-1..AX+63], so it runs while AX+64 < len(b);
// a last round of 32 follows when AX+32 < len(b).
TEXT ·scanSimpleAVX2(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), DX
	MOVQ $1, AX
	BROADCASTS

simple64:
	LEAQ 64(AX), BX
	CMPQ BX, DX
	JGE simple32
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU -1(SI)(AX*1), Y1
	VMOVDQU 32(SI)(AX*1), Y2
	VMOVDQU 31(SI)(AX*1), Y3
	VPCMPEQB Y12, Y0, Y0 // LF
	VPCMPEQB Y13, Y1, Y1 // CR before
	VPCMPEQB Y12, Y2, Y2
	VPCMPEQB Y13, Y3, Y3
	VPANDN Y0, Y1, Y1    // LF without CR before
	VPANDN Y2, Y3, Y3
	VPOR Y1, Y3, Y4
	VPTEST Y4, Y4
	JNZ simplefound64
	ADDQ $64, AX
	JMP simple64

simplefound64:
	VPMOVMSKB Y1, BX
	VPMOVMSKB Y3, CX
	SHLQ $32, CX
	ORQ CX, BX
	BSFQ BX, BX
	ADDQ BX, AX
	JMP simpledone

simple32:
	LEAQ 32(AX), BX
	CMPQ BX, DX
	JGE simpledone
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU -1(SI)(AX*1), Y1
	VPCMPEQB Y12, Y0, Y0
	VPCMPEQB Y13, Y1, Y1
	VPANDN Y0, Y1, Y1
	VPMOVMSKB Y1, BX
	TESTL BX, BX
	JZ simplenext32
	BSFL BX, BX
	ADDQ BX, AX
	JMP simpledone

simplenext32:
	ADDQ $32, AX

simpledone:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// RELAXED32(off, out) sets out to the mask of the positions AX+off ..
// AX+off+31 that may change. Uses Y0..Y4.
#define RELAXED32(off, out) \
	VMOVDQU off(SI)(AX*1), Y0 \
	VMOVDQU off+1(SI)(AX*1), Y1 \
	VMOVDQU off-1(SI)(AX*1), Y2 \
	VPCMPEQB Y10, Y0, Y3 \
	VPCMPEQB Y11, Y0, Y4 \
	VPMINUB Y11, Y1, out \
	VPCMPEQB Y1, out, out \
	VPAND out, Y4, Y4 \
	VPOR Y3, Y4, Y4 \
	VPCMPEQB Y12, Y0, Y0 \
	VPCMPEQB Y13, Y2, Y2 \
	VPANDN Y0, Y2, Y2 \
	VPOR Y2, Y4, out

// func scanRelaxedAVX2(b []byte) int
//
// As scanSimpleAVX2; a round reads b[AX-1..AX+64] and so runs while
// AX+64 < len(b).
TEXT ·scanRelaxedAVX2(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), DX
	MOVQ $1, AX
	BROADCASTS

relaxed64:
	LEAQ 64(AX), BX
	CMPQ BX, DX
	JGE relaxed32
	RELAXED32(0, Y5)
	RELAXED32(32, Y6)
	VPOR Y5, Y6, Y7
	VPTEST Y7, Y7
	JNZ relaxedfound64
	ADDQ $64, AX
	JMP relaxed64

relaxedfound64:
	VPMOVMSKB Y5, BX
	VPMOVMSKB Y6, CX
	SHLQ $32, CX
	ORQ CX, BX
	BSFQ BX, BX
	ADDQ BX, AX
	JMP relaxeddone

relaxed32:
	LEAQ 32(AX), BX
	CMPQ BX, DX
	JGE relaxeddone
	RELAXED32(0, Y5)
	VPMOVMSKB Y5, BX
	TESTL BX, BX
	JZ relaxednext32
	BSFL BX, BX
	ADDQ BX, AX
	JMP relaxeddone

relaxednext32:
	ADDQ $32, AX

relaxeddone:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// func relaxedAVX2(dst, src []byte) (consumed, written int)
//
// Relaxed body canonicalization of src[1:] into dst, 32 bytes a round,
// for bodyHasher.vector: src[0] was consumed already (it is read only as
// the byte before src[1]). A round at position AX reads src[AX-1..AX+63]
// and writes dst[R8..R8+63], so it runs while AX+64 <= len(src) and
// R8+64 <= len(dst). It stops at a bare LF (which needs a CR inserted),
// having done the bytes before it.
//
// Per byte: WSP followed by WSP, LF or CRLF is deleted (runs of WSP
// shrink to their last byte, WSP before a line end vanishes); any other
// TAB becomes SP (TAB^0x29 = SP); everything else is copied.
//
// SI: src, DX: len(src), DI: dst, R9: len(dst), AX: position in src,
// R8: bytes written, R13: bytes of src taken this round, CX: bytes of
// them deleted.
TEXT ·relaxedAVX2(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), R9
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), DX
	MOVQ $1, AX
	XORQ R8, R8
	BROADCASTS
	MOVQ $0x29, BX
	MOVQ BX, X14
	VPBROADCASTB X14, Y14

vloop:
	LEAQ 64(AX), BX
	CMPQ BX, DX
	JGT vdone
	LEAQ 64(R8), BX
	CMPQ BX, R9
	JGT vdone
	VMOVDQU (SI)(AX*1), Y0   // the bytes
	VMOVDQU 1(SI)(AX*1), Y1  // the bytes after them
	VMOVDQU 2(SI)(AX*1), Y2  // and after those
	VMOVDQU -1(SI)(AX*1), Y3 // the bytes before them
	VPCMPEQB Y12, Y0, Y4
	VPCMPEQB Y13, Y3, Y5
	VPANDN Y4, Y5, Y5        // bare LF
	VPCMPEQB Y10, Y0, Y6     // TAB
	VPCMPEQB Y11, Y0, Y7
	VPOR Y6, Y7, Y7          // WSP
	VPCMPEQB Y10, Y1, Y8
	VPCMPEQB Y11, Y1, Y9
	VPOR Y8, Y9, Y8          // WSP next
	VPCMPEQB Y12, Y1, Y9
	VPOR Y9, Y8, Y8          // or LF next
	VPCMPEQB Y13, Y1, Y9
	VPCMPEQB Y12, Y2, Y15
	VPAND Y15, Y9, Y9
	VPOR Y9, Y8, Y8          // or CRLF next
	VPAND Y8, Y7, Y7         // deleted
	VPAND Y14, Y6, Y6
	VPXOR Y6, Y0, Y6         // TAB -> SP
	VMOVDQU Y6, (DI)(R8*1)
	VPMOVMSKB Y7, BX
	VPMOVMSKB Y5, R12
	MOVQ $32, R13
	XORQ CX, CX
	TESTL R12, R12
	JZ vmask
	// A bare LF at j: take the j bytes before it only.
	BSFL R12, CX
	MOVQ CX, R13
	MOVL $1, R12
	SHLL CX, R12
	DECL R12
	ANDL R12, BX
	XORQ CX, CX

vmask:
	TESTL BX, BX
	JZ vadvance

vnext:
	// For each deleted byte j (ascending, CX deleted before it), the
	// bytes after it, TAB -> SP, go to dst[R8+j-CX].
	BSFQ BX, R10
	LEAQ 1(AX)(R10*1), R11
	VMOVDQU (SI)(R11*1), Y0
	VPCMPEQB Y10, Y0, Y1
	VPAND Y14, Y1, Y1
	VPXOR Y1, Y0, Y0
	LEAQ (R8)(R10*1), R11
	SUBQ CX, R11
	VMOVDQU Y0, (DI)(R11*1)
	INCQ CX
	LEAQ -1(BX), R11
	ANDQ R11, BX
	JNZ vnext

vadvance:
	ADDQ R13, R8
	SUBQ CX, R8
	ADDQ R13, AX
	CMPQ R13, $32
	JEQ vloop

vdone:
	VZEROUPPER
	MOVQ AX, consumed+48(FP)
	MOVQ R8, written+56(FP)
	RET
