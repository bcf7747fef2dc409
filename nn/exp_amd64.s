#include "textflag.h"

// Constants of expf (mathf.go), as float32 bit patterns.
DATA expConst<>+0(SB)/4, $0xc2ae999a  // -87.3, lower clamp
DATA expConst<>+4(SB)/4, $0x42b0999a  // 88.3, upper clamp
DATA expConst<>+8(SB)/4, $0x3fb8aa3b  // log2(e)
DATA expConst<>+12(SB)/4, $0x4b400000 // 1.5 * 2^23, the rounding shifter
DATA expConst<>+16(SB)/4, $0x3f318000 // ln2 high part
DATA expConst<>+20(SB)/4, $0xb95e8083 // ln2 low part
DATA expConst<>+24(SB)/4, $0x3ab60b61 // 1/720
DATA expConst<>+28(SB)/4, $0x3c088889 // 1/120
DATA expConst<>+32(SB)/4, $0x3d2aaaab // 1/24
DATA expConst<>+36(SB)/4, $0x3e2aaaab // 1/6
DATA expConst<>+40(SB)/4, $0x3f000000 // 1/2
DATA expConst<>+44(SB)/4, $0x3f800000 // 1
DATA expConst<>+48(SB)/4, $0x007fffff // mantissa mask: n in the shifted sum's low bits
DATA expConst<>+52(SB)/4, $0xffc0007f // -(2^22) + 127: remove the shifter's bit, add the exponent bias
GLOBL expConst<>(SB), RODATA|NOPTR, $56

// func expAVX2(dst, src *float32, n int)
//
// dst[i] = expf(src[i]) for n a multiple of 8, eight lanes at a time, with
// the same method and constants as the Go expf in mathf.go. Go's assembler
// takes AVX operands in reverse Intel order: VFMADD231PS Y10, Y0, Y1 is
// Y1 += Y0 * Y10, and VFMADD213PS Y5, Y0, Y3 is Y3 = Y0 * Y3 + Y5.
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS expConst<>+0(SB), Y8
	VBROADCASTSS expConst<>+4(SB), Y9
	VBROADCASTSS expConst<>+8(SB), Y10
	VBROADCASTSS expConst<>+12(SB), Y11
	VBROADCASTSS expConst<>+16(SB), Y12
	VBROADCASTSS expConst<>+20(SB), Y13
	VBROADCASTSS expConst<>+24(SB), Y4
	VBROADCASTSS expConst<>+28(SB), Y5
	VBROADCASTSS expConst<>+32(SB), Y6
	VBROADCASTSS expConst<>+36(SB), Y7
	VBROADCASTSS expConst<>+40(SB), Y14
	VBROADCASTSS expConst<>+44(SB), Y15

loop:
	TESTQ CX, CX
	JE    done
	VMOVUPS (SI), Y0
	VMAXPS  Y8, Y0, Y0            // x = max(x, -87.3)
	VMINPS  Y9, Y0, Y0            // x = min(x, 88.3)
	VMOVAPS Y11, Y1
	VFMADD231PS Y10, Y0, Y1       // t = x*log2e + shifter
	VSUBPS  Y11, Y1, Y2           // n = t - shifter
	VFNMADD231PS Y12, Y2, Y0      // r = x - n*ln2hi
	VFNMADD231PS Y13, Y2, Y0      // r -= n*ln2lo
	VMOVAPS Y4, Y3                // p = 1/720
	VFMADD213PS Y5, Y0, Y3        // p = p*r + 1/120
	VFMADD213PS Y6, Y0, Y3        // ... + 1/24
	VFMADD213PS Y7, Y0, Y3        // ... + 1/6
	VFMADD213PS Y14, Y0, Y3       // ... + 1/2
	VFMADD213PS Y15, Y0, Y3       // ... + 1
	VFMADD213PS Y15, Y0, Y3       // ... + 1
	VPBROADCASTD expConst<>+48(SB), Y2
	VPAND   Y2, Y1, Y1            // n + 2^22 as an integer
	VPBROADCASTD expConst<>+52(SB), Y2
	VPADDD  Y2, Y1, Y1            // n + 127
	VPSLLD  $23, Y1, Y1           // 2^n as float bits
	VMULPS  Y1, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  loop

done:
	VZEROUPPER
	RET

// func addAVX2(dst, src *float32, n int)
//
// dst[i] += src[i] for n a multiple of 8.
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

addloop:
	TESTQ CX, CX
	JE    adddone
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  addloop

adddone:
	VZEROUPPER
	RET
