package relative

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/internal/randmat"
	"github.com/latentatlas/atlas/space"
)

func sp(name string, d int, data []float32, ids ...int64) *space.Space {
	return &space.Space{Name: name, IDs: ids, Dim: d, Data: data}
}

func TestGolden(t *testing.T) {
	// Hand computations: x = (3, 4); anchors a1 = (1, 0), a2 = (0, 2).
	x := sp("x", 2, []float32{3, 4}, 1)
	a := sp("a", 2, []float32{1, 0, 0, 2}, 10, 11)
	cases := []struct {
		cfg  Config
		want []float64
	}{
		{Config{}, []float64{0.6, 0.8}}, // cos
		{Config{Kind: Angular}, []float64{1 - math.Acos(0.6)/math.Pi, 1 - math.Acos(0.8)/math.Pi}}, // 1 - angle/pi
		{Config{Kind: Euclidean}, []float64{-math.Sqrt(20), -math.Sqrt(13)}},
		{Config{Kind: L1}, []float64{-6, -5}},
		// Anchor mean (0.5, 1): x -> (2.5, 3), anchors -> (0.5, -1), (-0.5, 1).
		{Config{Pre: PreCenter}, []float64{-1.75 / (math.Sqrt(15.25) * math.Sqrt(1.25)), 1.75 / (math.Sqrt(15.25) * math.Sqrt(1.25))}},
		// Anchor std (0.5, 1): x -> (5, 3), anchors -> (1, -1), (-1, 1).
		{Config{Pre: PreStandardize}, []float64{2 / (math.Sqrt(34) * math.Sqrt(2)), -2 / (math.Sqrt(34) * math.Sqrt(2))}},
	}
	for _, c := range cases {
		p, err := c.cfg.Fit(a)
		if err != nil {
			t.Fatal(err)
		}
		r, err := p.Transform(x)
		if err != nil {
			t.Fatal(err)
		}
		for j, w := range c.want {
			if math.Abs(float64(r.Data[j])-w) > 1e-6 {
				t.Errorf("%+v: coordinate %d = %v, want %v", c.cfg, j, r.Data[j], w)
			}
		}
	}
}

// randomChart returns n samples and k anchors in d dimensions.
func randomChart(rng *rand.Rand, n, k, d int) (x, a *space.Space) {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i)
	}
	x = &space.Space{Name: "x", IDs: ids, Dim: d, Data: randmat.Gaussian(rng, n, d)}
	a = x.Rows(rangeN(k)) // anchors are the first k samples
	a.Name = "anchors"
	return x, a
}

func rangeN(k int) []int {
	r := make([]int, k)
	for i := range r {
		r[i] = i
	}
	return r
}

func TestAnchorsOwnCoordinateIsOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, a := randomChart(rng, 50, 10, 8)
	p, _ := Config{}.Fit(a)
	r, _ := p.Transform(x)
	for j := range 10 {
		if v := r.Data[j*10+j]; math.Abs(float64(v)-1) > 1e-6 {
			t.Errorf("anchor %d: own coordinate %v", j, v)
		}
	}
	if p.Dim() != 10 || r.Dim != 10 || len(p.AnchorIDs()) != 10 {
		t.Errorf("dims %d %d", p.Dim(), r.Dim)
	}
}

func TestCosineInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	n, k, d := 200, 16, 12
	x, a := randomChart(rng, n, k, d)
	p, _ := Config{}.Fit(a)
	base, _ := p.Transform(x)

	q := randmat.Orthogonal(rng, d)
	moved := &space.Space{Name: "moved", IDs: x.IDs, Dim: d, Data: randmat.MulRows(x.Data, d, q, d)}
	for i := range moved.Data {
		moved.Data[i] *= 42.5
	}
	ma := moved.Rows(rangeN(k))
	for _, kind := range []Kind{Cosine, Angular} {
		p1, _ := Config{Kind: kind}.Fit(a)
		b1, _ := p1.Transform(x)
		p2, _ := Config{Kind: kind}.Fit(ma)
		b2, _ := p2.Transform(moved)
		// arccos is ill-conditioned near cos = 1: a float32 cosine off by
		// 6e-8 moves the angle by ~1e-4, hence the looser angular bound.
		tol := map[Kind]float64{Cosine: 2e-5, Angular: 3e-4}[kind]
		for i := range b1.Data {
			if math.Abs(float64(b1.Data[i]-b2.Data[i])) > tol {
				t.Fatalf("%s: coordinate %d changed under rotation+scale: %v vs %v", kind, i, b1.Data[i], b2.Data[i])
			}
		}
	}
	// Not invariant to translation (paper-spec 1.2).
	shifted := &space.Space{Name: "shifted", IDs: x.IDs, Dim: d, Data: append([]float32(nil), x.Data...)}
	for i := range shifted.Data {
		shifted.Data[i] += 3
	}
	ps, _ := Config{}.Fit(shifted.Rows(rangeN(k)))
	bs, _ := ps.Transform(shifted)
	var maxDiff float64
	for i := range bs.Data {
		maxDiff = math.Max(maxDiff, math.Abs(float64(bs.Data[i]-base.Data[i])))
	}
	if maxDiff < 0.1 {
		t.Errorf("cosine should change under translation, max change %v", maxDiff)
	}
	// ... but centring on the anchors' mean makes it translation invariant.
	pc, _ := Config{Pre: PreCenter}.Fit(a)
	bc, _ := pc.Transform(x)
	pcs, _ := Config{Pre: PreCenter}.Fit(shifted.Rows(rangeN(k)))
	bcs, _ := pcs.Transform(shifted)
	for i := range bc.Data {
		if math.Abs(float64(bc.Data[i]-bcs.Data[i])) > 1e-4 {
			t.Fatalf("centred cosine changed under translation at %d: %v vs %v", i, bc.Data[i], bcs.Data[i])
		}
	}
}

func TestEuclideanAnchorIsZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x, a := randomChart(rng, 20, 5, 6)
	for _, kind := range []Kind{Euclidean, L1} {
		p, _ := Config{Kind: kind}.Fit(a)
		r, _ := p.Transform(x)
		for j := range 5 {
			if v := r.Data[j*5+j]; v != 0 {
				t.Errorf("%s: anchor %d distance to itself %v", kind, j, v)
			}
		}
		for _, v := range r.Data {
			if v > 0 {
				t.Fatalf("%s: negated distance %v > 0", kind, v)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	a := sp("anchors", 2, []float32{1, 0, 0, 1}, 10, 11)
	zero := sp("chart.npz", 2, []float32{1, 1, 0, 0, 2, 2, 0, 0}, 1, 2, 3, 4)
	p, _ := Config{}.Fit(a)
	_, err := p.Transform(zero)
	if err == nil || !strings.Contains(err.Error(), "chart.npz") || !strings.Contains(err.Error(), "ids 2, 4") || !strings.Contains(err.Error(), "zero norm") {
		t.Errorf("zero rows: %v", err)
	}
	if _, err := (Config{}).Fit(sp("a.npz", 2, []float32{0, 0, 1, 1}, 7, 8)); err == nil || !strings.Contains(err.Error(), "anchor rows have zero norm") || !strings.Contains(err.Error(), "ids 7") {
		t.Errorf("zero anchor: %v", err)
	}
	// Centring can make an anchor zero: the one equal to the mean.
	if _, err := (Config{Pre: PreCenter}).Fit(sp("a", 1, []float32{1, 2, 3}, 1, 2, 3)); err == nil || !strings.Contains(err.Error(), "after centering") {
		t.Errorf("centred zero anchor: %v", err)
	}
	if _, err := (Config{Kind: "dot"}).Fit(a); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := (Config{Pre: "whiten"}).Fit(a); err == nil {
		t.Error("unknown pre-transform accepted")
	}
	if _, err := p.Transform(sp("wide", 3, []float32{1, 2, 3}, 1)); err == nil || !strings.Contains(err.Error(), "dimension 3") {
		t.Errorf("dimension mismatch: %v", err)
	}
	if _, err := (Config{}).Fit(sp("none", 2, nil)); err == nil {
		t.Error("no anchors accepted")
	}
}
