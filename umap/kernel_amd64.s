//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the constants in kernelParams.lanes (32 bytes each), in the
// order kernelParams.setLanes writes them.
#define LOGBIAS 0
#define MANT 32
#define SQRTHALF 64
#define BIAS127 96
#define ONE 128
#define LOG7 160
#define LOG5 192
#define LOG3 224
#define LOG1 256
#define PB 288
#define ZMIN 320
#define ZMAX 352
#define SHIFT 384
#define EXP6 416
#define EXP5 448
#define EXP4 480
#define EXP3 512
#define EXP2 544
#define EXP1 576
#define PS 608
#define PT 640
#define PC 672
#define PA 704
#define PEPS 736
#define PZERO 768
#define FOUR 800
#define MFOUR 832

// Each step is the float32 operation gradKernelGo does, in the same order,
// so that both give the same bits (no fused multiply–adds). The phases are
// macros over registers so that two groups of eight pairs can be
// interleaved: one group alone is a chain of dependent operations.

// SQDIST: D = X·X + Y·Y.
#define SQDIST(X, Y, D, T) \
	VMULPS X, X, D; \
	VMULPS Y, Y, T; \
	VADDPS T, D, D

// LOG2: L = log₂D = e + τ·(L1 + u·(L3 + u·(L5 + u·L7))); clobbers T3, T5, T6.
#define LOG2(D, T3, L, T5, T6) \
	VPADDD    LOGBIAS(DX), D, T3; \
	VPSRLD    $23, T3, L; \
	VPSUBD    BIAS127(DX), L, L; \
	VCVTDQ2PS L, L; \
	VPAND     MANT(DX), T3, T3; \
	VPADDD    SQRTHALF(DX), T3, T3; \
	VSUBPS    ONE(DX), T3, T5; \
	VADDPS    ONE(DX), T3, T6; \
	VDIVPS    T6, T5, T5; \
	VMULPS    T5, T5, T6; \
	VMULPS    LOG7(DX), T6, T3; \
	VADDPS    LOG5(DX), T3, T3; \
	VMULPS    T3, T6, T3; \
	VADDPS    LOG3(DX), T3, T3; \
	VMULPS    T3, T6, T3; \
	VADDPS    LOG1(DX), T3, T3; \
	VMULPS    T3, T5, T3; \
	VADDPS    T3, L, L

// POW: P = 2^z = q(r)·2^k for z = clamp(b·L); clobbers L and T5.
#define POW(L, T5, P) \
	VMULPS PB(DX), L, L; \
	VMAXPS ZMIN(DX), L, L; \
	VMINPS ZMAX(DX), L, L; \
	VADDPS SHIFT(DX), L, T5; \
	VSUBPS SHIFT(DX), T5, P; \
	VSUBPS P, L, L; \
	VPADDD BIAS127(DX), T5, T5; \
	VPSLLD $23, T5, T5; \
	VMULPS EXP6(DX), L, P; \
	VADDPS EXP5(DX), P, P; \
	VMULPS P, L, P; \
	VADDPS EXP4(DX), P, P; \
	VMULPS P, L, P; \
	VADDPS EXP3(DX), P, P; \
	VMULPS P, L, P; \
	VADDPS EXP2(DX), P, P; \
	VMULPS P, L, P; \
	VADDPS EXP1(DX), P, P; \
	VMULPS P, L, P; \
	VADDPS ONE(DX), P, P; \
	VMULPS T5, P, P

// COEF: C = c·(s·P + t) / ((ε + D)·(a·P + 1)); clobbers T4, T5.
#define COEF(D, P, C, T4, T5) \
	VMULPS PS(DX), P, C; \
	VADDPS PT(DX), C, C; \
	VMULPS PC(DX), C, C; \
	VMULPS PA(DX), P, T4; \
	VADDPS ONE(DX), T4, T4; \
	VADDPS PEPS(DX), D, T5; \
	VMULPS T4, T5, T5; \
	VDIVPS T5, C, C

// CLIP: (X, Y) = clip4(C·(X, Y)), or (zero, zero) where D = 0; clobbers T4.
#define CLIP(X, Y, D, C, T4) \
	VMULPS    C, X, X; \
	VMULPS    C, Y, Y; \
	VMINPS    FOUR(DX), X, X; \
	VMAXPS    MFOUR(DX), X, X; \
	VMINPS    FOUR(DX), Y, Y; \
	VMAXPS    MFOUR(DX), Y, Y; \
	VXORPS    T4, T4, T4; \
	VCMPPS    $0, T4, D, T4; \
	VBLENDVPS T4, PZERO(DX), X, X; \
	VBLENDVPS T4, PZERO(DX), Y, Y

// func gradAVX2(dx, dy, gx, gy *float32, n int, lanes *[kernelConsts][8]uint32)
TEXT ·gradAVX2(SB), NOSPLIT, $0-48
	MOVQ dx+0(FP), SI
	MOVQ dy+8(FP), DI
	MOVQ gx+16(FP), R8
	MOVQ gy+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ lanes+40(FP), DX
	SHRQ $3, CX
	JZ   done

pairs:
	CMPQ CX, $2
	JB   single
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y8
	VMOVUPS (DI), Y1
	VMOVUPS 32(DI), Y9
	SQDIST(Y0, Y1, Y2, Y3)
	SQDIST(Y8, Y9, Y10, Y11)
	LOG2(Y2, Y3, Y4, Y5, Y6)
	LOG2(Y10, Y11, Y12, Y13, Y14)
	POW(Y4, Y5, Y6)
	POW(Y12, Y13, Y14)
	COEF(Y2, Y6, Y3, Y4, Y5)
	COEF(Y10, Y14, Y11, Y12, Y13)
	CLIP(Y0, Y1, Y2, Y3, Y4)
	CLIP(Y8, Y9, Y10, Y11, Y12)
	VMOVUPS Y0, (R8)
	VMOVUPS Y8, 32(R8)
	VMOVUPS Y1, (R9)
	VMOVUPS Y9, 32(R9)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $2, CX
	JNZ  pairs
	JMP  done

single:
	VMOVUPS (SI), Y0
	VMOVUPS (DI), Y1
	SQDIST(Y0, Y1, Y2, Y3)
	LOG2(Y2, Y3, Y4, Y5, Y6)
	POW(Y4, Y5, Y6)
	COEF(Y2, Y6, Y3, Y4, Y5)
	CLIP(Y0, Y1, Y2, Y3, Y4)
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, (R9)

done:
	VZEROUPPER
	RET
