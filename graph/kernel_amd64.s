//go:build amd64 && !purego

#include "textflag.h"

// Sums are kept in two sets of eight float32 lanes (16 genes per loop
// iteration) and reduced in a fixed order at the end, so a given input always
// gives the same bits.

// func sqrtDiffStatsAVX2(xi, xj, v *float32, n int) (s, ss, dot float32)
TEXT ·sqrtDiffStatsAVX2(SB), NOSPLIT, $0-44
	MOVQ xi+0(FP), SI
	MOVQ xj+8(FP), DI
	MOVQ v+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VPCMPEQD Y15, Y15, Y15
	VPSLLD $31, Y15, Y15 // sign-bit mask
	SHRQ $4, CX
	JZ   sqrtdone

sqrtloop:
	VMOVUPS (DI), Y6
	VMOVUPS 32(DI), Y9
	VSUBPS  (SI), Y6, Y6   // d = xj - xi
	VSUBPS  32(SI), Y9, Y9
	VANDPS  Y6, Y15, Y7    // sign(d)
	VANDPS  Y9, Y15, Y10
	VANDNPS Y6, Y15, Y6    // |d|
	VANDNPS Y9, Y15, Y9
	VSQRTPS Y6, Y6
	VSQRTPS Y9, Y9
	VORPS   Y7, Y6, Y6     // t = sign(d)·√|d|
	VORPS   Y10, Y9, Y9
	VADDPS  Y6, Y0, Y0
	VADDPS  Y9, Y3, Y3
	VFMADD231PS Y6, Y6, Y1
	VFMADD231PS Y9, Y9, Y4
	VFMADD231PS (DX), Y6, Y2
	VFMADD231PS 32(DX), Y9, Y5
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  sqrtloop

sqrtdone:
	VADDPS Y3, Y0, Y0
	VADDPS Y4, Y1, Y1
	VADDPS Y5, Y2, Y2
	VEXTRACTF128 $1, Y0, X3
	VADDPS  X3, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VEXTRACTF128 $1, Y1, X4
	VADDPS  X4, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VEXTRACTF128 $1, Y2, X5
	VADDPS  X5, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	VZEROUPPER
	MOVSS X0, s+32(FP)
	MOVSS X1, ss+36(FP)
	MOVSS X2, dot+40(FP)
	RET

// func diffStatsAVX2(xi, xj, v *float32, n int, delta float32) (ss, dot float32)
TEXT ·diffStatsAVX2(SB), NOSPLIT, $0-48
	MOVQ xi+0(FP), SI
	MOVQ xj+8(FP), DI
	MOVQ v+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS delta+32(FP), Y8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	SHRQ $4, CX
	JZ   diffdone

diffloop:
	VMOVUPS (DI), Y6
	VMOVUPS 32(DI), Y9
	VSUBPS  (SI), Y6, Y6   // d = xj - xi - delta
	VSUBPS  32(SI), Y9, Y9
	VSUBPS  Y8, Y6, Y6
	VSUBPS  Y8, Y9, Y9
	VFMADD231PS Y6, Y6, Y0
	VFMADD231PS Y9, Y9, Y2
	VFMADD231PS (DX), Y6, Y1
	VFMADD231PS 32(DX), Y9, Y3
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  diffloop

diffdone:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VEXTRACTF128 $1, Y0, X2
	VADDPS  X2, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VEXTRACTF128 $1, Y1, X3
	VADDPS  X3, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VZEROUPPER
	MOVSS X0, ss+40(FP)
	MOVSS X1, dot+44(FP)
	RET

// func sqrtDiffStatsAVX512(xi, xj, v *float32, n int) (s, ss, dot float32)
// The AVX2 kernel's two sets of eight lanes are the halves of one set of
// sixteen here, reduced the same way, so both give the same bits; the
// wider square roots double the throughput where the hardware has full
// 512-bit units.
TEXT ·sqrtDiffStatsAVX512(SB), NOSPLIT, $0-44
	MOVQ xi+0(FP), SI
	MOVQ xj+8(FP), DI
	MOVQ v+16(FP), DX
	MOVQ n+24(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPTERNLOGD $0xff, Z15, Z15, Z15
	VPSLLD $31, Z15, Z15 // sign-bit mask
	SHRQ $4, CX
	JZ   sqrt512done

sqrt512loop:
	VMOVUPS (DI), Z6
	VSUBPS  (SI), Z6, Z6   // d = xj - xi
	VPANDD  Z6, Z15, Z7    // sign(d)
	VPANDND Z6, Z15, Z6    // |d|
	VSQRTPS Z6, Z6
	VPORD   Z7, Z6, Z6     // t = sign(d)·√|d|
	VADDPS  Z6, Z0, Z0
	VFMADD231PS Z6, Z6, Z1
	VFMADD231PS (DX), Z6, Z2
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  sqrt512loop

sqrt512done:
	VEXTRACTF64X4 $1, Z0, Y3
	VEXTRACTF64X4 $1, Z1, Y4
	VEXTRACTF64X4 $1, Z2, Y5
	VADDPS Y3, Y0, Y0
	VADDPS Y4, Y1, Y1
	VADDPS Y5, Y2, Y2
	VEXTRACTF128 $1, Y0, X3
	VADDPS  X3, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VEXTRACTF128 $1, Y1, X4
	VADDPS  X4, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VEXTRACTF128 $1, Y2, X5
	VADDPS  X5, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	VZEROUPPER
	MOVSS X0, s+32(FP)
	MOVSS X1, ss+36(FP)
	MOVSS X2, dot+40(FP)
	RET

// func prefetchBlock(p *float32, n int)
// Asks for the cache lines of p[0:n] ahead of their use.
TEXT ·prefetchBlock(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	SHLQ $2, CX
	ADDQ SI, CX

prefetchloop:
	CMPQ SI, CX
	JAE  prefetchdone
	PREFETCHT0 (SI)
	ADDQ $64, SI
	JMP  prefetchloop

prefetchdone:
	RET
