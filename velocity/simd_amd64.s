//go:build amd64 && !purego

#include "textflag.h"

// func transpose8AVX(dst *float32, dstStride int, src *float32, srcStride int, rows int)
//
// dst[c·dstStride + r] = src[r·srcStride + c] for c < 8 and r < rows
// (a multiple of 8): eight rows of eight values at a time, transposed in
// registers and stored as eight runs of eight values.
TEXT ·transpose8AVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), CX
	SHRQ $3, CX
	JZ   done
	LEAQ (R8)(R8*2), R10
	LEAQ (R9)(R9*2), R13

loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	VMOVUPS (SI)(R9*2), Y2
	VMOVUPS (SI)(R13*1), Y3
	LEAQ    (SI)(R9*4), R12
	VMOVUPS (R12), Y4
	VMOVUPS (R12)(R9*1), Y5
	VMOVUPS (R12)(R9*2), Y6
	VMOVUPS (R12)(R13*1), Y7

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R8*1)
	VMOVUPS Y10, (DI)(R8*2)
	VMOVUPS Y11, (DI)(R10*1)
	LEAQ    (DI)(R8*4), R14
	VMOVUPS Y12, (R14)
	VMOVUPS Y13, (R14)(R8*1)
	VMOVUPS Y14, (R14)(R8*2)
	VMOVUPS Y15, (R14)(R10*1)

	ADDQ $32, DI
	LEAQ (SI)(R9*8), SI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET

// func divideAVX(dst []float64, src []float32, d float64)
//
// dst[i] = float64(src[i]) / d for i < len(src), four at a time; a
// correctly rounded division, as the scalar one.
TEXT ·divideAVX(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSD d+48(FP), Y0
	XORQ         AX, AX
	MOVQ         CX, R8
	ANDQ         $-4, R8

d4:
	CMPQ      AX, R8
	JGE       d1
	VCVTPS2PD (SI)(AX*4), Y1
	VDIVPD    Y0, Y1, Y1
	VMOVUPD   Y1, (DI)(AX*8)
	ADDQ      $4, AX
	JMP       d4

d1:
	CMPQ      AX, CX
	JGE       ddone
	VCVTSS2SD (SI)(AX*4), X1, X1
	VDIVSD    X0, X1, X1
	VMOVSD    X1, (DI)(AX*8)
	INCQ      AX
	JMP       d1

ddone:
	VZEROUPPER
	RET
