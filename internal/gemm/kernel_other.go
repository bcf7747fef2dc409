//go:build !amd64

package gemm

var hasAVX2 = false

func kernel[T Float](k int, a []T, ars, aks int, b []T, bks int, c []T, ldc int) {
	kernelGo(k, a, ars, aks, b, bks, c, ldc)
}
