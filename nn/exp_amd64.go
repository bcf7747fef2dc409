package nn

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func expAVX2(dst, src *float32, n int)

// avxPrefix runs avx on the longest prefix of n elements whose length is
// a multiple of 8, when the CPU has AVX2, and returns where the scalar
// tail starts.
func avxPrefix(n int, avx func(vec int)) int {
	vec := n &^ 7
	if !hasAVX2 || vec == 0 {
		return 0
	}
	avx(vec)
	return vec
}

// expSlice sets dst[i] = expf(src[i]); dst and src may be the same slice.
func expSlice(dst, src []float32) {
	dst = dst[:len(src)]
	tail := avxPrefix(len(src), func(vec int) { expAVX2(&dst[0], &src[0], vec) })
	for i := tail; i < len(src); i++ {
		dst[i] = expf(src[i])
	}
}

//go:noescape
func addAVX2(dst, src *float32, n int)

// addTo sets dst[i] += src[i] for i < len(src).
func addTo(dst, src []float32) {
	dst = dst[:len(src)]
	tail := avxPrefix(len(src), func(vec int) { addAVX2(&dst[0], &src[0], vec) })
	for i := tail; i < len(src); i++ {
		dst[i] += src[i]
	}
}
