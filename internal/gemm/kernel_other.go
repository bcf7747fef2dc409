//go:build !amd64

package gemm

var hasAVX2 = false

func kernel(k int, a []float32, ars, aks int, b []float32, bks int, c []float32, ldc int) {
	kernelGo(k, a, ars, aks, b, bks, c, ldc)
}
