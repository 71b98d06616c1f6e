//go:build amd64 && !purego

#include "textflag.h"

// func tailDistAVX(l *[4]float64, qt, pt []float32) float64
//
// Y0 (the lanes) and Y5 accumulate alternate 4-coordinate chunks with fused
// multiply-adds and X6 the last len mod 4; the result is
// ((l0+l1)+(l2+l3)) + X6 with Y0 += Y5 first, so every lane only grows.
TEXT ·tailDistAVX(SB), NOSPLIT, $0-64
	MOVQ    l+0(FP), BX
	MOVQ    qt_base+8(FP), SI
	MOVQ    qt_len+16(FP), CX
	MOVQ    pt_base+32(FP), DI
	VMOVUPD (BX), Y0
	VXORPD  Y5, Y5, Y5
	VXORPD  X6, X6, X6
	XORQ    AX, AX
	MOVQ    CX, R8
	SUBQ    $8, R8

pairs:
	CMPQ        AX, R8
	JG          single
	VCVTPS2PD   (SI)(AX*4), Y3
	VCVTPS2PD   (DI)(AX*4), Y1
	VSUBPD      Y1, Y3, Y3
	VFMADD231PD Y3, Y3, Y0
	VCVTPS2PD   16(SI)(AX*4), Y4
	VCVTPS2PD   16(DI)(AX*4), Y2
	VSUBPD      Y2, Y4, Y4
	VFMADD231PD Y4, Y4, Y5
	ADDQ        $8, AX
	JMP         pairs

single:
	MOVQ        CX, R8
	SUBQ        $4, R8
	CMPQ        AX, R8
	JG          tail
	VCVTPS2PD   (SI)(AX*4), Y3
	VCVTPS2PD   (DI)(AX*4), Y1
	VSUBPD      Y1, Y3, Y3
	VFMADD231PD Y3, Y3, Y0
	ADDQ        $4, AX

tail:
	CMPQ        AX, CX
	JGE         sum
	VCVTSS2SD   (SI)(AX*4), X3, X3
	VCVTSS2SD   (DI)(AX*4), X1, X1
	VSUBSD      X1, X3, X3
	VFMADD231SD X3, X3, X6
	INCQ        AX
	JMP         tail

sum:
	VADDPD       Y5, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VHADDPD      X1, X0, X2
	VHADDPD      X2, X2, X2
	VADDSD       X6, X2, X2
	VMOVSD       X2, ret+56(FP)
	VZEROUPPER
	RET
