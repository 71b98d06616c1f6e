//go:build amd64 && !purego

#include "textflag.h"

// func smoothTileAVX(dst *float32, idx []int32, wt []float32, slab *float32)
//
// dst[0:64] = Σ_t wt[t] · slab[64·idx[t] : 64·idx[t]+64], the sum over t in
// order in eight accumulators of eight lanes, starting from +0, with the
// product and the sum rounded separately (no fusion): every lane is the
// scalar float32 loop acc += wt[t]·x bit for bit.
TEXT ·smoothTileAVX(SB), NOSPLIT, $0-64
	MOVQ   dst+0(FP), DI
	MOVQ   idx_base+8(FP), SI
	MOVQ   idx_len+16(FP), CX
	MOVQ   wt_base+32(FP), DX
	MOVQ   slab+56(FP), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   AX, AX
	TESTQ  CX, CX
	JZ     tdone

tloop:
	MOVLQZX      (SI)(AX*4), R9
	SHLQ         $8, R9
	VBROADCASTSS (DX)(AX*4), Y8
	VMULPS       (BX)(R9*1), Y8, Y9
	VADDPS       Y9, Y0, Y0
	VMULPS       32(BX)(R9*1), Y8, Y10
	VADDPS       Y10, Y1, Y1
	VMULPS       64(BX)(R9*1), Y8, Y11
	VADDPS       Y11, Y2, Y2
	VMULPS       96(BX)(R9*1), Y8, Y12
	VADDPS       Y12, Y3, Y3
	VMULPS       128(BX)(R9*1), Y8, Y13
	VADDPS       Y13, Y4, Y4
	VMULPS       160(BX)(R9*1), Y8, Y14
	VADDPS       Y14, Y5, Y5
	VMULPS       192(BX)(R9*1), Y8, Y15
	VADDPS       Y15, Y6, Y6
	VMULPS       224(BX)(R9*1), Y8, Y9
	VADDPS       Y9, Y7, Y7
	INCQ         AX
	CMPQ         AX, CX
	JL           tloop

tdone:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func smoothLanesAVX(dst *float32, idx []int32, wt []float32, slab *float32)
//
// dst[0:8] = Σ_t wt[t] · slab[64·idx[t] : 64·idx[t]+8], rounded as in
// smoothTileAVX; slab points at the first of the eight lanes.
TEXT ·smoothLanesAVX(SB), NOSPLIT, $0-64
	MOVQ   dst+0(FP), DI
	MOVQ   idx_base+8(FP), SI
	MOVQ   idx_len+16(FP), CX
	MOVQ   wt_base+32(FP), DX
	MOVQ   slab+56(FP), BX
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX
	TESTQ  CX, CX
	JZ     ldone

lloop:
	MOVLQZX      (SI)(AX*4), R9
	SHLQ         $8, R9
	VBROADCASTSS (DX)(AX*4), Y8
	VMULPS       (BX)(R9*1), Y8, Y9
	VADDPS       Y9, Y0, Y0
	INCQ         AX
	CMPQ         AX, CX
	JL           lloop

ldone:
	VMOVUPS Y0, (DI)
	VZEROUPPER
	RET
