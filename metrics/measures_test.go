package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/internal/randmat"
	"github.com/latentatlas/atlas/npy"
	"github.com/latentatlas/atlas/space"
)

func loadNpy(t *testing.T, path string) *space.Space {
	t.Helper()
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := a.Float32()
	return mkSpace(a.Shape[0], a.Shape[1], data)
}

// Golden values from testdata/golden_measures.py (numpy, Gram forms and
// textbook CCA), on the x.npy and y.npy it wrote.
func TestMeasuresGolden(t *testing.T) {
	x, y := loadNpy(t, "testdata/x.npy"), loadNpy(t, "testdata/y.npy")
	var golden struct {
		K      int                `json:"k"`
		Values map[string]float64 `json:"values"`
	}
	b, _ := os.ReadFile("testdata/measures.json")
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	for _, m := range Measures {
		want, ok := golden.Values[m.Name]
		if !ok {
			t.Errorf("%s has no golden value", m.Name)
			continue
		}
		got, err := m.Compute(x, y, Options{K: golden.K})
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
			continue
		}
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("%s = %.8f, numpy gives %.8f", m.Name, got, want)
		}
	}
}

// transform applies one declared invariance (or, for the negative check,
// a transform the measure is not declared invariant to) to s.
func transform(rng *rand.Rand, s *space.Space, inv Invariance) *space.Space {
	d := s.Dim
	out := &space.Space{Name: s.Name, IDs: s.IDs, Dim: d, Data: append([]float32(nil), s.Data...)}
	switch inv {
	case Rotation:
		out.Data = randmat.MulRows(s.Data, d, randmat.Orthogonal(rng, d), d)
	case IsotropicScale:
		for i := range out.Data {
			out.Data[i] *= 3.7
		}
	case Translation:
		for i := range out.Data {
			out.Data[i] += float32(i%d) + 5
		}
	case Permutation:
		p := rng.Perm(d)
		for i := range s.N() {
			for j := range d {
				out.Data[i*d+j] = s.Data[i*d+p[j]]
			}
		}
	case InvertibleLinear:
		m := make([]float64, d*d)
		for i := range m {
			m[i] = rng.NormFloat64()
		}
		out.Data = randmat.MulRows(s.Data, d, m, d)
	}
	return out
}

// Every declared invariance holds, and every undeclared one of rotation,
// scale and translation visibly fails (so the declarations are honest).
func TestDeclaredInvariances(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 120
	x := mkSpace(n, 8, randmat.Gaussian(rng, n, 8))
	yd := randmat.MulRows(x.Data, 8, gaussian64(rng, 6*8), 6)
	for i := range yd {
		yd[i] += float32(0.7*rng.NormFloat64()) + 0.5
	}
	y := mkSpace(n, 6, yd)
	o := Options{K: 8}
	for _, m := range Measures {
		base, err := m.Compute(x, y, o)
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		declared := map[Invariance]bool{}
		for _, inv := range m.Invariances {
			declared[inv] = true
			got, err := m.Compute(transform(rng, x, inv), y, o)
			if err != nil || math.Abs(got-base) > 1e-4 {
				t.Errorf("%s declares %s invariance but changed %.6f -> %.6f (%v)", m.Name, inv, base, got, err)
			}
		}
		for _, inv := range []Invariance{Rotation, IsotropicScale, Translation} {
			if declared[inv] {
				continue
			}
			got, _ := m.Compute(transform(rng, x, inv), y, o)
			if math.Abs(got-base) < 1e-6 {
				t.Errorf("%s is not declared %s-invariant, yet did not change (%.6f)", m.Name, inv, got)
			}
		}
		// Symmetry as declared.
		yx, err := m.Compute(y, x, o)
		if m.Symmetric && (err != nil || math.Abs(yx-base) > 1e-5) {
			t.Errorf("%s declares symmetry: %v vs %v", m.Name, base, yx)
		}
		if base < m.Min-1e-9 || base > m.Max+1e-9 {
			t.Errorf("%s = %v outside its declared range [%v, %v]", m.Name, base, m.Min, m.Max)
		}
		// Identical spaces: the most similar value.
		self, err := m.Compute(x, x, o)
		want := m.Max
		if !m.LargerIsMoreSimilar {
			want = m.Min
		}
		if err != nil || math.Abs(self-want) > 1e-5 {
			t.Errorf("%s(x, x) = %v, want %v (%v)", m.Name, self, want, err)
		}
	}
}

func TestMeasureErrors(t *testing.T) {
	tiny := mkSpace(3, 2, []float32{1, 2, 3, 4, 5, 7})
	if _, err := DebiasedCKA(tiny, tiny); !errors.Is(err, ErrTooFewSamples) {
		t.Errorf("debiased CKA on 3 samples: %v", err)
	}
	big := mkSpace(MaxGram+1, 1, make([]float32, MaxGram+1))
	m, _ := Lookup([]string{"rbf_cka"})
	if _, err := m[0].Compute(big, big, Options{}); err == nil || !strings.Contains(err.Error(), "--subsample") {
		t.Errorf("rbf_cka on too many rows: %v", err)
	}
	if _, err := Lookup([]string{"cka", "linear_cka"}); err == nil || !strings.Contains(err.Error(), "unknown measure \"cka\"") {
		t.Errorf("unknown measure: %v", err)
	}
	all, _ := Lookup([]string{"all"})
	if len(all) != len(Measures) {
		t.Error("all is not every measure")
	}
	zero := mkSpace(4, 2, []float32{0, 0, 1, 0, 0, 1, 1, 1})
	if _, err := KNN(zero.Data, 4, 2, 2); err == nil {
		t.Error("kNN with a zero row accepted")
	}
	if _, err := KNN(zero.Data, 4, 2, 4); err == nil {
		t.Error("k = n accepted")
	}
}

func TestKNNExact(t *testing.T) {
	// Points on a circle: each one's two nearest are its neighbours in
	// angle, nearest first.
	var data []float32
	angles := []float64{0, 0.1, 0.3, 0.7, 1.2, 1.8}
	for _, a := range angles {
		data = append(data, float32(math.Cos(a)), float32(math.Sin(a)))
	}
	nb, err := KNN(data, 6, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int32{{1, 2}, {0, 2}, {1, 0}, {2, 4}, {3, 5}, {4, 3}}
	for i := range want {
		if nb[i][0] != want[i][0] || nb[i][1] != want[i][1] {
			t.Errorf("row %d: %v, want %v", i, nb[i], want[i])
		}
	}
}

func TestBootstrapAndPermutation(t *testing.T) {
	x, y := loadNpy(t, "testdata/x.npy"), loadNpy(t, "testdata/y.npy")
	lin := Measures[0]
	ci, err := Bootstrap(lin, x, y, Options{}, 200, 0.95, 1)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := LinearCKA(x, y)
	if !(ci.Lo < v && v < ci.Hi) || ci.Hi-ci.Lo > 0.5 {
		t.Errorf("interval %+v does not bracket %v sensibly", ci, v)
	}
	again, _ := Bootstrap(lin, x, y, Options{}, 200, 0.95, 1)
	if again != ci {
		t.Error("seeded bootstrap is not deterministic")
	}
	bci, err := BootstrapCKA(x, y, 20, 500, 0.95, 1)
	if err != nil || !(bci.Lo < v && v < bci.Hi) {
		t.Errorf("block bootstrap %+v, %v", bci, err)
	}
	obs, p, err := PermutationTest(lin, x, y, Options{}, 99, 1)
	if err != nil || obs != v || p != 0.01 { // related spaces: no shuffle reaches it
		t.Errorf("permutation p = %v (observed %v), %v", p, obs, err)
	}
	// Unrelated spaces: p is not small.
	rng := rand.New(rand.NewPCG(5, 5))
	z := mkSpace(x.N(), 3, randmat.Gaussian(rng, x.N(), 3))
	if _, p, _ := PermutationTest(lin, x, z, Options{}, 99, 1); p < 0.05 {
		t.Errorf("unrelated spaces: p = %v", p)
	}
	knn, _ := Lookup([]string{"mutual_knn"})
	if _, err := Bootstrap(knn[0], x, y, Options{K: 5}, 10, 0.95, 1); !errors.Is(err, ErrNoBootstrap) {
		t.Errorf("bootstrap of mutual_knn: %v", err)
	}
	acc := BootstrapAccuracy([]int{1, 1, 0, 0, 1, 1, 1, 0}, []int{1, 0, 0, 0, 1, 1, 1, 1}, 500, 0.9, 1)
	if acc.Lo > 0.75 || acc.Hi < 0.75 {
		t.Errorf("accuracy interval %+v misses 0.75", acc)
	}
}

func TestMergeEqualsWrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := randmat.Gaussian(rng, 50, 3), randmat.Gaussian(rng, 50, 2)
	a, b, all := NewCKA(3, 2), NewCKA(3, 2), NewCKA(3, 2)
	a.Write(x[:20*3], y[:20*2])
	b.Write(x[20*3:], y[20*2:])
	a.Merge(b)
	all.Write(x, y)
	va, _ := a.Value()
	vall, _ := all.Value()
	if math.Abs(va-vall) > 1e-12 || a.N() != 50 {
		t.Errorf("merged %v, written at once %v", va, vall)
	}
}

// The closed-form replicate of BootstrapCKA equals CKA computed on the
// resampled rows themselves.
func TestBootstrapCKAReplicateIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	n, p, q, blocks := 90, 5, 3, 6
	x := mkSpace(n, p, randmat.Gaussian(rng, n, p))
	yd := randmat.MulRows(x.Data, p, gaussian64(rng, q*p), q)
	for i := range yd {
		yd[i] += float32(rng.NormFloat64()) + 2
	}
	y := mkSpace(n, q, yd)
	perm := rng.Perm(n)
	xs, ys := newBlockStats(x, perm, blocks), newBlockStats(y, perm, blocks)
	pxx, pyy, pxy := newPairStats(xs, xs), newPairStats(ys, ys), newPairStats(xs, ys)
	counts := []float64{2, 0, 1, 0, 3, 0}
	var rows []int
	for b, c := range counts {
		for range int(c) {
			rows = append(rows, perm[b*n/blocks:(b+1)*n/blocks]...)
		}
	}
	xr, yr := x.Rows(rows), y.Rows(rows)
	for i := range xr.IDs {
		xr.IDs[i], yr.IDs[i] = int64(i), int64(i)
	}
	want, _ := LinearCKA(xr, yr)
	total := float64(len(rows))
	got := pxy.sqNorm(counts, total) / math.Sqrt(pxx.sqNorm(counts, total)*pyy.sqNorm(counts, total))
	if math.Abs(got-want) > 1e-10 {
		t.Errorf("closed-form replicate %v, direct CKA on the resampled rows %v", got, want)
	}
}
