package nn

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func expAVX2(dst, src *float32, n int)

// expSlice sets dst[i] = expf(src[i]); dst and src may be the same slice.
func expSlice(dst, src []float32) {
	n := len(src)
	_ = dst[n-1]
	vec := 0
	if hasAVX2 {
		vec = n &^ 7
		if vec > 0 {
			expAVX2(&dst[0], &src[0], vec)
		}
	}
	for i := vec; i < n; i++ {
		dst[i] = expf(src[i])
	}
}

//go:noescape
func addAVX2(dst, src *float32, n int)

// addTo sets dst[i] += src[i] for i < len(src).
func addTo(dst, src []float32) {
	n := len(src)
	if n == 0 {
		return
	}
	_ = dst[n-1]
	vec := 0
	if hasAVX2 {
		vec = n &^ 7
		if vec > 0 {
			addAVX2(&dst[0], &src[0], vec)
		}
	}
	for i := vec; i < n; i++ {
		dst[i] += src[i]
	}
}
