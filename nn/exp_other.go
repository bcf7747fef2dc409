//go:build !amd64

package nn

var hasAVX2 = false

// expSlice sets dst[i] = expf(src[i]); dst and src may be the same slice.
func expSlice(dst, src []float32) {
	for i, v := range src {
		dst[i] = expf(v)
	}
}

// addTo sets dst[i] += src[i] for i < len(src).
func addTo(dst, src []float32) {
	for i, v := range src {
		dst[i] += v
	}
}
