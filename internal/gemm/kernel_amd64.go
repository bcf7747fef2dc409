package gemm

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly micro-kernel; tests flip it to check both.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16 is the AVX2/FMA micro-kernel in kernel_amd64.s:
// C[6x16] (row stride ldc) += A (6 x k) * B (k x 16), with A's element
// (i, p) at a[i*ars + p*aks] and B's (p, j) at b[p*bks + j].
//
//go:noescape
func kernel6x16(k int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int)

func kernel(k int, a []float32, ars, aks int, b []float32, bks int, c []float32, ldc int) {
	if !hasAVX2 {
		kernelGo(k, a, ars, aks, b, bks, c, ldc)
		return
	}
	// Bounds the assembly relies on, checked once per tile.
	_ = a[(mr-1)*ars+(k-1)*aks]
	_ = b[(k-1)*bks+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	kernel6x16(k, &a[0], ars, aks, &b[0], bks, &c[0], ldc)
}
