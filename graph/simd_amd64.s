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

// One entry of spmvTileAVX512: BX and DX point at its index and weight.
#define SPMV512_BODY \
	MOVLQSX (BX), AX \
	IMULQ R8, AX \
	ADDQ SI, AX \
	VCVTSS2SD (DX), X8, X8 \
	VBROADCASTSD X8, Z8 \
	VCVTPS2PD (AX), Z9 \
	VCVTPS2PD 32(AX), Z10 \
	VCVTPS2PD 64(AX), Z11 \
	VCVTPS2PD 96(AX), Z12 \
	VFMADD231PD Z9, Z8, Z0 \
	VFMADD231PD Z10, Z8, Z1 \
	VFMADD231PD Z11, Z8, Z2 \
	VFMADD231PD Z12, Z8, Z3 \
	VCVTPS2PD 128(AX), Z9 \
	VCVTPS2PD 160(AX), Z10 \
	VCVTPS2PD 192(AX), Z11 \
	VCVTPS2PD 224(AX), Z12 \
	VFMADD231PD Z9, Z8, Z4 \
	VFMADD231PD Z10, Z8, Z5 \
	VFMADD231PD Z11, Z8, Z6 \
	VFMADD231PD Z12, Z8, Z7 \
	ADDQ $4, BX \
	ADDQ $4, DX

// func spmvTileAVX512(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int)
// spmvTileAVX2 over 64 genes in eight lanes per register: the same
// fused multiply-adds in the same order, so the same bits. While summing
// entry k it asks for the tile of entry k+32: the rows are scattered, so
// without the hint each entry would wait for its own cache lines.
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
	MOVQ CX, R9
	SUBQ $32, R9
	JLE  pf512tail
	MOVQ $32, CX

pf512loop:
	MOVLQSX 128(BX), R10
	IMULQ R8, R10
	ADDQ SI, R10
	PREFETCHT0 (R10)
	PREFETCHT0 64(R10)
	PREFETCHT0 128(R10)
	PREFETCHT0 192(R10)
	PREFETCHT0 255(R10)
	SPMV512_BODY
	DECQ R9
	JNZ  pf512loop

pf512tail:
	TESTQ CX, CX
	JZ   pf512done

pf512tailloop:
	SPMV512_BODY
	DECQ CX
	JNZ  pf512tailloop

pf512done:
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

// One entry of spmvTailAVX512: gene groups of eight masked by K1 … K4.
#define SPMVTAIL_BODY \
	MOVLQSX (BX), AX \
	IMULQ R8, AX \
	ADDQ SI, AX \
	VCVTSS2SD (DX), X8, X8 \
	VBROADCASTSD X8, Z8 \
	VCVTPS2PD.Z (AX), K1, Z9 \
	VCVTPS2PD.Z 32(AX), K2, Z10 \
	VCVTPS2PD.Z 64(AX), K3, Z11 \
	VCVTPS2PD.Z 96(AX), K4, Z12 \
	VFMADD231PD Z9, Z8, Z0 \
	VFMADD231PD Z10, Z8, Z1 \
	VFMADD231PD Z11, Z8, Z2 \
	VFMADD231PD Z12, Z8, Z3 \
	ADDQ $4, BX \
	ADDQ $4, DX

// func spmvTailAVX512(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int, mask uint32)
// spmvTileAVX512 over the genes c < 32 whose bit is set in mask (a run
// from bit 0): genes past the end of a row are neither read nor written,
// and each written sum has the same fused multiply-adds in the same order.
TEXT ·spmvTailAVX512(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ stride+16(FP), R8
	MOVQ idx+24(FP), BX
	MOVQ w+32(FP), DX
	MOVQ nnz+40(FP), CX
	MOVL mask+48(FP), R11
	KMOVW R11, K1
	SHRL $8, R11
	KMOVW R11, K2
	SHRL $8, R11
	KMOVW R11, K3
	SHRL $8, R11
	KMOVW R11, K4
	SHLQ $2, R8
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	MOVQ CX, R9
	SUBQ $32, R9
	JLE  tailrest
	MOVQ $32, CX

tailloop:
	MOVLQSX 128(BX), R10
	IMULQ R8, R10
	ADDQ SI, R10
	PREFETCHT0 (R10)
	PREFETCHT0 64(R10)
	PREFETCHT0 127(R10)
	SPMVTAIL_BODY
	DECQ R9
	JNZ  tailloop

tailrest:
	TESTQ CX, CX
	JZ   taildone

tailrestloop:
	SPMVTAIL_BODY
	DECQ CX
	JNZ  tailrestloop

taildone:
	VMOVUPD Z0, K1, (DI)
	VMOVUPD Z1, K2, 64(DI)
	VMOVUPD Z2, K3, 128(DI)
	VMOVUPD Z3, K4, 192(DI)
	VZEROUPPER
	RET
