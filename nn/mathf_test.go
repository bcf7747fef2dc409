package nn

import (
	"math"
	"slices"
	"testing"
)

func TestExpf(t *testing.T) {
	var worst float64
	for x := float32(-87); x < 88; x += 0.0137 {
		got, want := float64(expf(x)), math.Exp(float64(x))
		rel := math.Abs(got-want) / want
		worst = math.Max(worst, rel)
	}
	if worst > 3e-7 {
		t.Errorf("worst relative error %g", worst)
	}
	if e := expf(100); e < 2e38 || math.IsInf(float64(e), 1) {
		t.Errorf("expf(100) = %v, want to saturate near MaxFloat32", e)
	}
	if e := expf(-100); e > 2e-38 {
		t.Errorf("expf(-100) = %v, want to saturate near 0", e)
	}
	if s := sigmoidf(-1000); s > 1e-37 {
		t.Errorf("sigmoid(-1000) = %v", s)
	}
	if s := sigmoidf(1000); s != 1 {
		t.Errorf("sigmoid(1000) = %v", s)
	}
}

func TestExpSliceMatchesExpf(t *testing.T) {
	var src []float32
	for x := float32(-100); x < 100; x += 0.0371 {
		src = append(src, x)
	}
	src = append(src, 0, -0, 88.3, -87.3, 1e-30, -1e-30, 3) // a tail that is not a multiple of 8
	dst := make([]float32, len(src))
	expSlice(dst, src)
	for i, x := range src {
		want := expf(x)
		if rel := math.Abs(float64(dst[i]-want)) / float64(want); rel > 2e-7 {
			t.Fatalf("expSlice(%v) = %v, expf = %v (AVX2 %v)", x, dst[i], want, hasAVX2)
		}
	}
	expSlice(nil, nil) // empty input is fine
	// In place.
	expSlice(src, src)
	if !slices.Equal(src, dst) {
		t.Error("in-place expSlice differs")
	}
}

func TestAddTo(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 33} {
		dst, src := make([]float32, n+2), make([]float32, n)
		for i := range src {
			src[i], dst[i] = float32(i), float32(2*i)
		}
		addTo(dst, src)
		for i := range n {
			if dst[i] != float32(3*i) {
				t.Fatalf("n=%d: dst[%d] = %v", n, i, dst[i])
			}
		}
		if dst[n] != 0 || dst[n+1] != 0 {
			t.Fatalf("n=%d: wrote past src's length", n)
		}
	}
}
