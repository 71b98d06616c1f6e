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
