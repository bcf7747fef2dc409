package gemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX2 selects the assembly micro-kernels; tests flip it to check both.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16 is the float32 AVX2/FMA micro-kernel in kernel_amd64.s:
// C[6x16] (row stride ldc) += A (6 x k) * B (k x 16), with A's element
// (i, p) at a[i*ars + p*aks] and B's (p, j) at b[p*bks + j].
//
//go:noescape
func kernel6x16(k int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int)

// kernel6x8d is its float64 twin: C[6x8] += A * B.
//
//go:noescape
func kernel6x8d(k int, a *float64, ars, aks int, b *float64, bks int, c *float64, ldc int)

func kernel[T Float](k int, a []T, ars, aks int, b []T, bks int, c []T, ldc int) {
	if !hasAVX2 {
		kernelGo(k, a, ars, aks, b, bks, c, ldc)
		return
	}
	nr := nrOf[T]()
	// Bounds the assembly relies on, checked once per tile.
	_ = a[(mr-1)*ars+(k-1)*aks]
	_ = b[(k-1)*bks+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	if nr == 16 {
		kernel6x16(k, (*float32)(unsafe.Pointer(&a[0])), ars, aks, (*float32)(unsafe.Pointer(&b[0])), bks, (*float32)(unsafe.Pointer(&c[0])), ldc)
	} else {
		kernel6x8d(k, (*float64)(unsafe.Pointer(&a[0])), ars, aks, (*float64)(unsafe.Pointer(&b[0])), bks, (*float64)(unsafe.Pointer(&c[0])), ldc)
	}
}
