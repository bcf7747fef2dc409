package gemm

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly micro-kernel; tests flip it to check both.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16 is the AVX2/FMA micro-kernel in kernel_amd64.s:
// C[6x16] (row stride ldc) += Apanel (k x 6) * Bpanel (k x 16).
//
//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int)

func kernel(k int, a, b, c []float32, ldc int) {
	if !hasAVX2 {
		kernelGo(k, a, b, c, ldc)
		return
	}
	// Bounds the assembly relies on, checked once per tile.
	_ = a[k*mr-1]
	_ = b[k*nr-1]
	_ = c[5*ldc+nr-1]
	kernel6x16(k, &a[0], &b[0], &c[0], ldc)
}
