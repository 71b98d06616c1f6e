//go:build amd64 && !purego

#include "textflag.h"

// func axpyF32AVX2(dst *float64, x *float32, a float64, n int)
// n is a multiple of 8.
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	VBROADCASTSD a+16(FP), Y0
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   axpydone

axpyloop:
	VCVTPS2PD (SI), Y1
	VCVTPS2PD 16(SI), Y2
	VFMADD213PD (DI), Y0, Y1   // Y1 = a·x + dst
	VFMADD213PD 32(DI), Y0, Y2
	VMOVUPD Y1, (DI)
	VMOVUPD Y2, 32(DI)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  axpyloop

axpydone:
	VZEROUPPER
	RET

// func dotF32AVX2(a, b *float32, n int) float64
// n is a multiple of 8. Two sets of four float64 lanes, reduced in a fixed
// order.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	SHRQ $3, CX
	JZ   dotdone

dotloop:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VCVTPS2PD (DI), Y4
	VCVTPS2PD 16(DI), Y5
	VFMADD231PD Y4, Y2, Y0
	VFMADD231PD Y5, Y3, Y1
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  dotloop

dotdone:
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func spmvTileAVX2(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int)
// dst[0:32] = Σ_k w[k]·x[idx[k]·stride + c] for c < 32, the terms added in
// k order with one fused multiply-add each, starting from zero: the bits
// of axpyF32 applied row after row, with the 32 sums kept in registers.
TEXT ·spmvTileAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ stride+16(FP), R8
	MOVQ idx+24(FP), BX
	MOVQ w+32(FP), DX
	MOVQ nnz+40(FP), CX
	SHLQ $2, R8
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	TESTQ CX, CX
	JZ   spmvdone

spmvloop:
	MOVLQSX (BX), AX
	IMULQ R8, AX
	ADDQ SI, AX
	VCVTSS2SD (DX), X8, X8
	VBROADCASTSD X8, Y8
	VCVTPS2PD (AX), Y9
	VCVTPS2PD 16(AX), Y10
	VCVTPS2PD 32(AX), Y11
	VCVTPS2PD 48(AX), Y12
	VFMADD231PD Y9, Y8, Y0
	VFMADD231PD Y10, Y8, Y1
	VFMADD231PD Y11, Y8, Y2
	VFMADD231PD Y12, Y8, Y3
	VCVTPS2PD 64(AX), Y9
	VCVTPS2PD 80(AX), Y10
	VCVTPS2PD 96(AX), Y11
	VCVTPS2PD 112(AX), Y12
	VFMADD231PD Y9, Y8, Y4
	VFMADD231PD Y10, Y8, Y5
	VFMADD231PD Y11, Y8, Y6
	VFMADD231PD Y12, Y8, Y7
	ADDQ $4, BX
	ADDQ $4, DX
	DECQ CX
	JNZ  spmvloop

spmvdone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 128(DI)
	VMOVUPD Y5, 160(DI)
	VMOVUPD Y6, 192(DI)
	VMOVUPD Y7, 224(DI)
	VZEROUPPER
	RET

// func spmvTileAVX512(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int)
// spmvTileAVX2 over 64 genes in eight lanes per register: the same
// fused multiply-adds in the same order, so the same bits.
TEXT ·spmvTileAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ stride+16(FP), R8
	MOVQ idx+24(FP), BX
	MOVQ w+32(FP), DX
	MOVQ nnz+40(FP), CX
	SHLQ $2, R8
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	TESTQ CX, CX
	JZ   spmv512done

spmv512loop:
	MOVLQSX (BX), AX
	IMULQ R8, AX
	ADDQ SI, AX
	VCVTSS2SD (DX), X8, X8
	VBROADCASTSD X8, Z8
	VCVTPS2PD (AX), Z9
	VCVTPS2PD 32(AX), Z10
	VCVTPS2PD 64(AX), Z11
	VCVTPS2PD 96(AX), Z12
	VFMADD231PD Z9, Z8, Z0
	VFMADD231PD Z10, Z8, Z1
	VFMADD231PD Z11, Z8, Z2
	VFMADD231PD Z12, Z8, Z3
	VCVTPS2PD 128(AX), Z9
	VCVTPS2PD 160(AX), Z10
	VCVTPS2PD 192(AX), Z11
	VCVTPS2PD 224(AX), Z12
	VFMADD231PD Z9, Z8, Z4
	VFMADD231PD Z10, Z8, Z5
	VFMADD231PD Z11, Z8, Z6
	VFMADD231PD Z12, Z8, Z7
	ADDQ $4, BX
	ADDQ $4, DX
	DECQ CX
	JNZ  spmv512loop

spmv512done:
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	VMOVUPD Z4, 256(DI)
	VMOVUPD Z5, 320(DI)
	VMOVUPD Z6, 384(DI)
	VMOVUPD Z7, 448(DI)
	VZEROUPPER
	RET
