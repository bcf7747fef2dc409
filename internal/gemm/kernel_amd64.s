#include "textflag.h"

// func kernel6x16(k int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int)
//
// C[6x16] += A * B, where element (i, p) of A is a[i*ars + p*aks] and
// element (p, j) of B is b[p*bks + j] (strides in floats). Packed panels
// have ars = 1, aks = 6 and bks = 16; unpacked row-major operands have
// ars = lda, aks = 1 and bks = ldb.
//
// Accumulators: Y0..Y11 (row i in Y(2i), Y(2i+1)); Y12, Y13 hold a row of
// B, Y14 a broadcast element of A. Go's assembler takes AVX operands in
// reverse Intel order: VFMADD231PS Y12, Y14, Y0 is Y0 += Y14 * Y12.
// Row offsets of A: 0, R9, 2*R9, R10 = 3*R9, 4*R9, R11 = 5*R9 (bytes).
TEXT ·kernel6x16(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R9
	MOVQ aks+24(FP), R12
	MOVQ b+32(FP), DI
	MOVQ bks+40(FP), R13
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R12
	SHLQ $2, R13
	LEAQ (R9)(R9*2), R10
	LEAQ (R9)(R9*4), R11

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

#define STEP \
	VMOVUPS (DI), Y12 \
	VMOVUPS 32(DI), Y13 \
	VBROADCASTSS (SI), Y14 \
	VFMADD231PS Y12, Y14, Y0 \
	VFMADD231PS Y13, Y14, Y1 \
	VBROADCASTSS (SI)(R9*1), Y14 \
	VFMADD231PS Y12, Y14, Y2 \
	VFMADD231PS Y13, Y14, Y3 \
	VBROADCASTSS (SI)(R9*2), Y14 \
	VFMADD231PS Y12, Y14, Y4 \
	VFMADD231PS Y13, Y14, Y5 \
	VBROADCASTSS (SI)(R10*1), Y14 \
	VFMADD231PS Y12, Y14, Y6 \
	VFMADD231PS Y13, Y14, Y7 \
	VBROADCASTSS (SI)(R9*4), Y14 \
	VFMADD231PS Y12, Y14, Y8 \
	VFMADD231PS Y13, Y14, Y9 \
	VBROADCASTSS (SI)(R11*1), Y14 \
	VFMADD231PS Y12, Y14, Y10 \
	VFMADD231PS Y13, Y14, Y11 \
	ADDQ R12, SI \
	ADDQ R13, DI

	// Four steps per iteration, then the remainder one by one.
loop4:
	CMPQ CX, $4
	JL   tail
	STEP
	STEP
	STEP
	STEP
	SUBQ $4, CX
	JMP  loop4

tail:
	TESTQ CX, CX
	JE    store
	STEP
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

// func kernel6x8d(k int, a *float64, ars, aks int, b *float64, bks int, c *float64, ldc int)
//
// The float64 twin of kernel6x16: C[6x8] += A * B (two YMM registers of
// four doubles per row), where element (i, p) of A is a[i*ars + p*aks] and
// element (p, j) of B is b[p*bks + j] (strides in doubles). Packed panels
// have ars = 1, aks = 6 and bks = 8; unpacked row-major operands have
// ars = lda, aks = 1 and bks = ldb.
//
// Accumulators: Y0..Y11 (row i in Y(2i), Y(2i+1)); Y12, Y13 hold a row of
// B, Y14 a broadcast element of A. Go's assembler takes AVX operands in
// reverse Intel order: VFMADD231PD Y12, Y14, Y0 is Y0 += Y14 * Y12.
// Row offsets of A: 0, R9, 2*R9, R10 = 3*R9, 4*R9, R11 = 5*R9 (bytes).
TEXT ·kernel6x8d(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R9
	MOVQ aks+24(FP), R12
	MOVQ b+32(FP), DI
	MOVQ bks+40(FP), R13
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8
	SHLQ $3, R9
	SHLQ $3, R12
	SHLQ $3, R13
	LEAQ (R9)(R9*2), R10
	LEAQ (R9)(R9*4), R11

	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

#define STEPD \
	VMOVUPD (DI), Y12 \
	VMOVUPD 32(DI), Y13 \
	VBROADCASTSD (SI), Y14 \
	VFMADD231PD Y12, Y14, Y0 \
	VFMADD231PD Y13, Y14, Y1 \
	VBROADCASTSD (SI)(R9*1), Y14 \
	VFMADD231PD Y12, Y14, Y2 \
	VFMADD231PD Y13, Y14, Y3 \
	VBROADCASTSD (SI)(R9*2), Y14 \
	VFMADD231PD Y12, Y14, Y4 \
	VFMADD231PD Y13, Y14, Y5 \
	VBROADCASTSD (SI)(R10*1), Y14 \
	VFMADD231PD Y12, Y14, Y6 \
	VFMADD231PD Y13, Y14, Y7 \
	VBROADCASTSD (SI)(R9*4), Y14 \
	VFMADD231PD Y12, Y14, Y8 \
	VFMADD231PD Y13, Y14, Y9 \
	VBROADCASTSD (SI)(R11*1), Y14 \
	VFMADD231PD Y12, Y14, Y10 \
	VFMADD231PD Y13, Y14, Y11 \
	ADDQ R12, SI \
	ADDQ R13, DI

	// Four steps per iteration, then the remainder one by one.
loop4d:
	CMPQ CX, $4
	JL   taild
	STEPD
	STEPD
	STEPD
	STEPD
	SUBQ $4, CX
	JMP  loop4d

taild:
	TESTQ CX, CX
	JE    stored
	STEPD
	DECQ CX
	JMP  taild

stored:
#define ROWD(r0, r1) \
	VADDPD (DX), r0, r0 \
	VMOVUPD r0, (DX) \
	VADDPD 32(DX), r1, r1 \
	VMOVUPD r1, 32(DX) \
	ADDQ R8, DX

	ROWD(Y0, Y1)
	ROWD(Y2, Y3)
	ROWD(Y4, Y5)
	ROWD(Y6, Y7)
	ROWD(Y8, Y9)
	ROWD(Y10, Y11)
	VZEROUPPER
	RET
