package nn

import (
	"math"
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
	if expf(100) != float32(math.Inf(1)) || expf(-100) != 0 {
		t.Error("overflow or underflow not handled")
	}
	if s := sigmoidf(-1000); s != 0 {
		t.Errorf("sigmoid(-1000) = %v", s)
	}
	if s := sigmoidf(1000); s != 1 {
		t.Errorf("sigmoid(1000) = %v", s)
	}
}
