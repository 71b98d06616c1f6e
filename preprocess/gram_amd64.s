//go:build amd64 && !purego

#include "textflag.h"

// func gatherBlockAVX(z *[8]float64, idx []int32, val []float32, p []float64)
//
// z += Σ_t float64(val[t]) · p[8·idx[t] : 8·idx[t]+8]. Four entries per
// iteration into eight independent accumulators (two per entry) hide the
// fused multiply-add latency.
TEXT ·gatherBlockAVX(SB), NOSPLIT, $0-80
	MOVQ    z+0(FP), DI
	MOVQ    idx_base+8(FP), SI
	MOVQ    idx_len+16(FP), CX
	MOVQ    val_base+32(FP), DX
	MOVQ    p_base+56(FP), BX
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VXORPD  Y4, Y4, Y4
	VXORPD  Y5, Y5, Y5
	VXORPD  Y6, Y6, Y6
	VXORPD  Y7, Y7, Y7
	VXORPD  Y8, Y8, Y8
	VXORPD  Y9, Y9, Y9
	XORQ    AX, AX
	MOVQ    CX, R8
	ANDQ    $-4, R8
	JZ      gtail

gloop:
	MOVLQSX      (SI)(AX*4), R9
	MOVLQSX      4(SI)(AX*4), R10
	MOVLQSX      8(SI)(AX*4), R11
	MOVLQSX      12(SI)(AX*4), R12
	SHLQ         $6, R9
	SHLQ         $6, R10
	SHLQ         $6, R11
	SHLQ         $6, R12
	VBROADCASTSS (DX)(AX*4), X2
	VCVTPS2PD    X2, Y2
	VFMADD231PD  (BX)(R9*1), Y2, Y0
	VFMADD231PD  32(BX)(R9*1), Y2, Y1
	VBROADCASTSS 4(DX)(AX*4), X3
	VCVTPS2PD    X3, Y3
	VFMADD231PD  (BX)(R10*1), Y3, Y4
	VFMADD231PD  32(BX)(R10*1), Y3, Y5
	VBROADCASTSS 8(DX)(AX*4), X10
	VCVTPS2PD    X10, Y10
	VFMADD231PD  (BX)(R11*1), Y10, Y6
	VFMADD231PD  32(BX)(R11*1), Y10, Y7
	VBROADCASTSS 12(DX)(AX*4), X11
	VCVTPS2PD    X11, Y11
	VFMADD231PD  (BX)(R12*1), Y11, Y8
	VFMADD231PD  32(BX)(R12*1), Y11, Y9
	ADDQ         $4, AX
	CMPQ         AX, R8
	JL           gloop

gtail:
	CMPQ         AX, CX
	JGE          gdone
	MOVLQSX      (SI)(AX*4), R9
	SHLQ         $6, R9
	VBROADCASTSS (DX)(AX*4), X2
	VCVTPS2PD    X2, Y2
	VFMADD231PD  (BX)(R9*1), Y2, Y0
	VFMADD231PD  32(BX)(R9*1), Y2, Y1
	INCQ         AX
	JMP          gtail

gdone:
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y1, Y1
	VADDPD  Y8, Y6, Y6
	VADDPD  Y9, Y7, Y7
	VADDPD  Y6, Y0, Y0
	VADDPD  Y7, Y1, Y1
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VZEROUPPER
	RET

// func scatterBlockAVX(w []float64, idx []int32, val []float32, z *[8]float64)
//
// w[8·idx[t] : 8·idx[t]+8] += float64(val[t]) · z for every t.
TEXT ·scatterBlockAVX(SB), NOSPLIT, $0-80
	MOVQ    w_base+0(FP), BX
	MOVQ    idx_base+24(FP), SI
	MOVQ    idx_len+32(FP), CX
	MOVQ    val_base+48(FP), DX
	MOVQ    z+72(FP), DI
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	XORQ    AX, AX
	TESTQ   CX, CX
	JZ      sdone

sloop:
	MOVLQSX      (SI)(AX*4), R9
	SHLQ         $6, R9
	VBROADCASTSS (DX)(AX*4), X2
	VCVTPS2PD    X2, Y2
	VMOVUPD      (BX)(R9*1), Y3
	VFMADD231PD  Y0, Y2, Y3
	VMOVUPD      Y3, (BX)(R9*1)
	VMOVUPD      32(BX)(R9*1), Y4
	VFMADD231PD  Y1, Y2, Y4
	VMOVUPD      Y4, 32(BX)(R9*1)
	INCQ         AX
	CMPQ         AX, CX
	JL           sloop

sdone:
	VZEROUPPER
	RET

// func gather4AVX(z *[4]float64, idx []int32, val []float32, p []float64)
//
// z += Σ_t float64(val[t]) · p[4·idx[t] : 4·idx[t]+4], four independent
// accumulators (Y0, Y1, Y4, Y5) to hide the fused multiply-add latency.
TEXT ·gather4AVX(SB), NOSPLIT, $0-80
	MOVQ z+0(FP), DI
	MOVQ idx_base+8(FP), SI
	MOVQ idx_len+16(FP), CX
	MOVQ val_base+32(FP), DX
	MOVQ p_base+56(FP), BX
	VMOVUPD (DI), Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y4, Y4, Y4
	VXORPD  Y5, Y5, Y5
	XORQ    AX, AX
	MOVQ    CX, R8
	ANDQ    $-4, R8
	JZ      gtail

gloop:
	MOVLQSX      (SI)(AX*4), R9
	MOVLQSX      4(SI)(AX*4), R10
	MOVLQSX      8(SI)(AX*4), R11
	MOVLQSX      12(SI)(AX*4), R12
	SHLQ         $5, R9
	SHLQ         $5, R10
	SHLQ         $5, R11
	SHLQ         $5, R12
	VBROADCASTSS (DX)(AX*4), X2
	VCVTPS2PD    X2, Y2
	VFMADD231PD  (BX)(R9*1), Y2, Y0
	VBROADCASTSS 4(DX)(AX*4), X3
	VCVTPS2PD    X3, Y3
	VFMADD231PD  (BX)(R10*1), Y3, Y1
	VBROADCASTSS 8(DX)(AX*4), X6
	VCVTPS2PD    X6, Y6
	VFMADD231PD  (BX)(R11*1), Y6, Y4
	VBROADCASTSS 12(DX)(AX*4), X7
	VCVTPS2PD    X7, Y7
	VFMADD231PD  (BX)(R12*1), Y7, Y5
	ADDQ         $4, AX
	CMPQ         AX, R8
	JL           gloop

gtail:
	CMPQ         AX, CX
	JGE          gdone
	MOVLQSX      (SI)(AX*4), R9
	SHLQ         $5, R9
	VBROADCASTSS (DX)(AX*4), X2
	VCVTPS2PD    X2, Y2
	VFMADD231PD  (BX)(R9*1), Y2, Y0
	INCQ         AX
	JMP          gtail

gdone:
	VADDPD     Y1, Y0, Y0
	VADDPD     Y5, Y4, Y4
	VADDPD     Y4, Y0, Y0
	VMOVUPD    Y0, (DI)
	VZEROUPPER
	RET

// func scatter4AVX(w []float64, idx []int32, val []float32, z *[4]float64)
//
// w[4·idx[t] : 4·idx[t]+4] += float64(val[t]) · z for every t.
TEXT ·scatter4AVX(SB), NOSPLIT, $0-80
	MOVQ    w_base+0(FP), BX
	MOVQ    idx_base+24(FP), SI
	MOVQ    idx_len+32(FP), CX
	MOVQ    val_base+48(FP), DX
	MOVQ    z+72(FP), DI
	VMOVUPD (DI), Y0
	XORQ    AX, AX
	TESTQ   CX, CX
	JZ      sdone

sloop:
	MOVLQSX      (SI)(AX*4), R9
	SHLQ         $5, R9
	VBROADCASTSS (DX)(AX*4), X2
	VCVTPS2PD    X2, Y2
	VMOVUPD      (BX)(R9*1), Y3
	VFMADD231PD  Y0, Y2, Y3
	VMOVUPD      Y3, (BX)(R9*1)
	INCQ         AX
	CMPQ         AX, CX
	JL           sloop

sdone:
	VZEROUPPER
	RET
