package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/latentatlas/atlas/internal/randmat"
	"github.com/latentatlas/atlas/space"
)

func mkSpace(n, d int, data []float32) *space.Space {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i)
	}
	return &space.Space{Name: "s", IDs: ids, Dim: d, Data: data}
}

func TestCKAGolden(t *testing.T) {
	// From testdata/golden.py (numpy, n x n HSIC form).
	x := mkSpace(5, 2, []float32{1, 2, 3, 1, 0, -1, 2, 2, -1, 0})
	y := mkSpace(5, 3, []float32{2, 0, 1, 1, 1, 0, 0, 3, -1, 4, 1, 1, 1, -2, 0})
	got, err := LinearCKA(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.4074171445969063; math.Abs(got-want) > 1e-12 {
		t.Errorf("CKA = %.16f, want %.16f", got, want)
	}
}

func TestCKAProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, p, q := 500, 12, 9
	x := mkSpace(n, p, randmat.Gaussian(rng, n, p))
	// y depends on x (so CKA is well inside (0, 1)) plus noise.
	y := mkSpace(n, q, randmat.MulRows(x.Data, p, gaussian64(rng, q*p), q))
	for i := range y.Data {
		y.Data[i] += float32(2 * rng.NormFloat64())
	}
	self, err := LinearCKA(x, x)
	if err != nil || math.Abs(self-1) > 1e-12 {
		t.Fatalf("CKA(X, X) = %v, %v; want 1", self, err)
	}
	base, _ := LinearCKA(x, y)
	if base <= 0.05 || base >= 0.95 {
		t.Fatalf("test data too easy: CKA = %v", base)
	}
	sym, _ := LinearCKA(y, x)
	if math.Abs(sym-base) > 1e-12 {
		t.Errorf("not symmetric: %v vs %v", sym, base)
	}
	// Rotation, isotropic scale and translation of x leave CKA unchanged.
	rot := randmat.MulRows(x.Data, p, randmat.Orthogonal(rng, p), p)
	for i := range rot {
		rot[i] = 3.5*rot[i] + float32(i%p) - 4
	}
	got, _ := LinearCKA(mkSpace(n, p, rot), y)
	if math.Abs(got-base) > 1e-5 {
		t.Errorf("CKA after rotation, scale and translation = %v, want %v", got, base)
	}
	// An anisotropic scaling is not an invariance: the value must move.
	aniso := append([]float32(nil), x.Data...)
	for i := range aniso {
		if i%p == 0 {
			aniso[i] *= 10
		}
	}
	if got, _ := LinearCKA(mkSpace(n, p, aniso), y); math.Abs(got-base) < 1e-3 {
		t.Errorf("CKA did not change under anisotropic scaling (%v)", got)
	}
}

func gaussian64(rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = rng.NormFloat64()
	}
	return out
}

func TestStreamingEqualsOneShot(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, p, q := 1000, 7, 5
	x := randmat.Gaussian(rng, n, p)
	y := randmat.Gaussian(rng, n, q)
	for i := range n { // correlate, and shift far from 0 to stress centring
		y[i*q] += x[i*p] + 1000
		x[i*p+1] += 1e4
	}
	one := NewCKA(p, q)
	one.Write(x, y)
	want, _ := one.Value()
	c := NewCKA(p, q)
	for _, chunk := range []int{1, 3, 100, 0, 396, 500} { // uneven chunks, an empty one, a single row
		c.Write(x[:chunk*p], y[:chunk*q])
		x, y = x[chunk*p:], y[chunk*q:]
		if c.N() > 1 {
			if _, err := c.Value(); err != nil { // reading does not disturb the state
				t.Fatal(err)
			}
		}
	}
	got, err := c.Value()
	if err != nil || c.N() != n {
		t.Fatalf("n = %d, err %v", c.N(), err)
	}
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("streaming %v != one-shot %v", got, want)
	}
	c.Reset()
	if c.N() != 0 {
		t.Error("Reset kept rows")
	}
}

func TestCKAErrors(t *testing.T) {
	c := NewCKA(2, 2)
	if _, err := c.Value(); !errors.Is(err, ErrUndefined) {
		t.Errorf("empty: %v", err)
	}
	if err := c.Write([]float32{1, 2, 3}, []float32{1, 2}); err == nil {
		t.Error("ragged chunk accepted")
	}
	c.Write([]float32{1, 1, 1, 1}, []float32{1, 2, 3, 4})
	if _, err := c.Value(); !errors.Is(err, ErrUndefined) {
		t.Errorf("constant x: %v", err)
	}
	a := mkSpace(2, 1, []float32{1, 2})
	b := mkSpace(3, 1, []float32{1, 2, 3})
	if _, err := LinearCKA(a, b); err == nil {
		t.Error("different row counts accepted")
	}
	b2 := mkSpace(2, 1, []float32{1, 2})
	b2.IDs = []int64{1, 0}
	if _, err := LinearCKA(a, b2); err == nil {
		t.Error("misaligned ids accepted")
	}
}

func TestSeparabilityGolden(t *testing.T) {
	// Hand computation, confirmed by testdata/golden.py: class means (1,0),
	// (10,2), (0,11); spreads 1, 2, 1.
	data := []float32{0, 0, 2, 0, 10, 0, 10, 4, 0, 10, 0, 12}
	labels := []int{0, 0, 1, 1, 2, 2}
	all, err := Separability(data, 2, labels, nil)
	if err != nil || math.Abs(all.Mean-8.720268895588331) > 1e-12 || all.Pairs != 3 {
		t.Errorf("all classes: %+v, %v", all, err)
	}
	focus, _ := Separability(data, 2, labels, []int{2})
	if math.Abs(focus.Mean-10.007221857618202) > 1e-12 || focus.Pairs != 2 {
		t.Errorf("focus {2}: %+v", focus)
	}
	// Invariant to a similarity transform.
	rng := rand.New(rand.NewPCG(5, 6))
	moved := randmat.MulRows(data, 2, randmat.Orthogonal(rng, 2), 2)
	for i := range moved {
		moved[i] = 7*moved[i] + 3
	}
	m, _ := Separability(moved, 2, labels, nil)
	if math.Abs(m.Mean-all.Mean) > 1e-5 {
		t.Errorf("after similarity transform %v, want %v", m.Mean, all.Mean)
	}
}

func TestSeparabilityErrors(t *testing.T) {
	if _, err := Separability([]float32{1, 2}, 1, []int{0, 0}, nil); err == nil {
		t.Error("one class accepted")
	}
	if _, err := Separability([]float32{1, 2}, 1, []int{0, 1}, nil); err == nil {
		t.Error("zero spread accepted")
	}
	if _, err := Separability([]float32{1, 2, 3, 4}, 1, []int{0, 0, 1, 1}, []int{9}); err == nil {
		t.Error("absent focus class accepted")
	}
}
