#include "textflag.h"

// func kernel6x16(k int, a, b, c *float32, ldc int)
//
// C[6x16] += A (packed: k steps of 6 floats) * B (packed: k steps of 16
// floats). Accumulators: Y0..Y11 (row i in Y(2i), Y(2i+1)); Y12, Y13 hold a
// row of B, Y14 a broadcast element of A. Go's assembler takes AVX operands
// in reverse Intel order: VFMADD231PS Y12, Y14, Y0 is Y0 += Y14 * Y12.
TEXT ·kernel6x16(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

#define STEP(aoff, boff) \
	VMOVUPS boff(DI), Y12 \
	VMOVUPS boff+32(DI), Y13 \
	VBROADCASTSS aoff(SI), Y14 \
	VFMADD231PS Y12, Y14, Y0 \
	VFMADD231PS Y13, Y14, Y1 \
	VBROADCASTSS aoff+4(SI), Y14 \
	VFMADD231PS Y12, Y14, Y2 \
	VFMADD231PS Y13, Y14, Y3 \
	VBROADCASTSS aoff+8(SI), Y14 \
	VFMADD231PS Y12, Y14, Y4 \
	VFMADD231PS Y13, Y14, Y5 \
	VBROADCASTSS aoff+12(SI), Y14 \
	VFMADD231PS Y12, Y14, Y6 \
	VFMADD231PS Y13, Y14, Y7 \
	VBROADCASTSS aoff+16(SI), Y14 \
	VFMADD231PS Y12, Y14, Y8 \
	VFMADD231PS Y13, Y14, Y9 \
	VBROADCASTSS aoff+20(SI), Y14 \
	VFMADD231PS Y12, Y14, Y10 \
	VFMADD231PS Y13, Y14, Y11

	// Four steps per iteration, then the remainder one by one.
loop4:
	CMPQ CX, $4
	JL   tail
	STEP(0, 0)
	STEP(24, 64)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	SUBQ $4, CX
	JMP  loop4

tail:
	TESTQ CX, CX
	JE    store
	STEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JMP  tail

store:
#define ROW(r0, r1) \
	VADDPS (DX), r0, r0 \
	VMOVUPS r0, (DX) \
	VADDPS 32(DX), r1, r1 \
	VMOVUPS r1, 32(DX) \
	ADDQ R8, DX

	ROW(Y0, Y1)
	ROW(Y2, Y3)
	ROW(Y4, Y5)
	ROW(Y6, Y7)
	ROW(Y8, Y9)
	ROW(Y10, Y11)
	VZEROUPPER
	RET
