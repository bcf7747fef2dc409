package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/latentatlas/atlas/space"
)

// Invariance names a transform of one space that leaves a measure's value
// unchanged.
type Invariance string

const (
	Rotation         Invariance = "rotation"          // any orthogonal map of the features
	IsotropicScale   Invariance = "isotropic_scale"   // multiplying every feature by one c > 0
	Translation      Invariance = "translation"       // adding one vector to every row
	Permutation      Invariance = "permutation"       // reordering the features
	InvertibleLinear Invariance = "invertible_linear" // any invertible linear map
)

// Measure compares two spaces whose rows are the same samples in the same
// order. Its fields say how to read the number, as in the ReSi registry
// (Klabunde et al.), so that no one mistakes a distance for a similarity.
type Measure struct {
	Name string `json:"name"`
	// LargerIsMoreSimilar is false for distances.
	LargerIsMoreSimilar bool         `json:"larger_is_more_similar"`
	Min                 float64      `json:"-"` // may be -Inf; see Range
	Max                 float64      `json:"-"` // may be +Inf
	Symmetric           bool         `json:"symmetric"`
	Invariances         []Invariance `json:"invariances"`
	Reference           string       `json:"reference"`
	// noBootstrap marks measures that resampling with replacement biases:
	// a duplicated row is its own nearest neighbour.
	noBootstrap bool
	compute     func(x, y *space.Space, o Options) (float64, error)
}

// Range returns Min and Max for JSON: nil stands for an infinite end.
func (m Measure) Range() [2]*float64 {
	var r [2]*float64
	for i, v := range []float64{m.Min, m.Max} {
		if !math.IsInf(v, 0) {
			r[i] = &v
		}
	}
	return r
}

// Options tune the measures that have parameters.
type Options struct {
	K         int     // neighbours for mutual_knn and knn_jaccard (default 10)
	Subsample int     // rbf_cka: use this many seeded random rows (0: all, up to MaxGram)
	Variance  float64 // svcca: variance kept by the SVD step (default 0.99)
	Seed      uint64
}

// MaxGram is the most rows a measure that builds n x n matrices (rbf_cka)
// takes without an explicit subsample: 5,000 rows is 200 MB of float64.
const MaxGram = 5000

func (o Options) withDefaults() Options {
	if o.K == 0 {
		o.K = 10
	}
	if o.Variance == 0 {
		o.Variance = 0.99
	}
	return o
}

// Compute evaluates the measure on aligned spaces.
func (m Measure) Compute(x, y *space.Space, o Options) (float64, error) {
	if err := sameRows(x, y); err != nil {
		return 0, err
	}
	v, err := m.compute(x, y, o.withDefaults())
	if err != nil {
		return 0, fmt.Errorf("%s: %w", m.Name, err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s: result is %v (degenerate input)", m.Name, v)
	}
	return v, nil
}

var inf = math.Inf(1)

// Measures is the registry, in the order `atlas compare --metric all`
// prints them.
var Measures = []Measure{
	{Name: "linear_cka", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation},
		Reference:   "Kornblith et al., Similarity of Neural Network Representations Revisited, ICML 2019",
		compute:     func(x, y *space.Space, _ Options) (float64, error) { return LinearCKA(x, y) }},
	{Name: "debiased_cka", LargerIsMoreSimilar: true, Min: -inf, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation},
		Reference:   "unbiased HSIC of Song et al., JMLR 2012; debiased CKA as in Nguyen et al., ICLR 2021",
		compute:     func(x, y *space.Space, _ Options) (float64, error) { return DebiasedCKA(x, y) }},
	{Name: "rbf_cka", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation},
		Reference:   "Kornblith et al. 2019, RBF kernel with sigma = sqrt(median squared distance), as the paper's code",
		compute:     rbfCKA},
	{Name: "mutual_knn", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Permutation},
		Reference:   "Huh et al., The Platonic Representation Hypothesis, ICML 2024 (cosine neighbours, self excluded)",
		noBootstrap: true,
		compute: func(x, y *space.Space, o Options) (float64, error) {
			return knnMeasure(x, y, o.K, false)
		}},
	{Name: "knn_jaccard", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Permutation},
		Reference:   "Jaccard similarity of k-NN sets (Klabunde et al., ReSi)",
		noBootstrap: true,
		compute: func(x, y *space.Space, o Options) (float64, error) {
			return knnMeasure(x, y, o.K, true)
		}},
	{Name: "cca", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation, InvertibleLinear},
		Reference:   "mean canonical correlation (Hotelling 1936) of the full spaces; needs more samples than dimensions",
		compute: func(x, y *space.Space, _ Options) (float64, error) {
			corrs, _, err := cca(centred(x), centred(y))
			if err != nil {
				return 0, err
			}
			return floatsMean(corrs), nil
		}},
	{Name: "svcca", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation},
		Reference:   "Raghu et al., SVCCA, NeurIPS 2017: mean canonical correlation after keeping 99% of variance",
		compute:     svcca},
	// The SVD step re-expresses each space in its principal axes, so PWCCA's
	// weights, taken over those axes, do not see a rotation either.
	{Name: "pwcca", LargerIsMoreSimilar: true, Min: 0, Max: 1, Symmetric: false,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation},
		Reference:   "Morcos et al., Insights on representational similarity, NeurIPS 2018 (after the SVCCA step; weights from x)",
		compute:     pwcca},
	{Name: "procrustes", LargerIsMoreSimilar: false, Min: 0, Max: 2, Symmetric: true,
		Invariances: []Invariance{Rotation, IsotropicScale, Translation, Permutation},
		Reference:   "orthogonal Procrustes distance 2 - 2||X^T Y||_* of centred, unit-Frobenius spaces (Ding et al., NeurIPS 2021)",
		compute:     procrustes},
}

// Lookup returns the named measures ("all" for every one), in registry
// order.
func Lookup(names []string) ([]Measure, error) {
	if len(names) == 1 && names[0] == "all" {
		return Measures, nil
	}
	var out []Measure
	for _, n := range names {
		i := slices.IndexFunc(Measures, func(m Measure) bool { return m.Name == n })
		if i < 0 {
			var all []string
			for _, m := range Measures {
				all = append(all, m.Name)
			}
			return nil, fmt.Errorf("unknown measure %q (want all, or some of %s)", n, strings.Join(all, ", "))
		}
		out = append(out, Measures[i])
	}
	return out, nil
}

// ErrTooFewSamples is returned when an estimator needs more rows.
var ErrTooFewSamples = errors.New("too few samples")

// DebiasedCKA is CKA from the unbiased HSIC estimator (Song et al. 2012)
// with linear kernels, computed in feature space: with K = XX^T and K~ its
// copy with a zero diagonal,
//
//	HSIC_u = [tr(K~L~) + 1'K~1 1'L~1 / ((n-1)(n-2)) - 2/(n-2) 1'K~L~1] / (n(n-3))
//
// where tr(K~L~) = ||X^T Y||_F^2 - sum_i |x_i|^2 |y_i|^2, 1'K~1 =
// |sum x_i|^2 - sum |x_i|^2 and (K~1)_i = x_i . sum x - |x_i|^2: O(n d^2)
// time and O(d^2) memory. It needs n >= 4, and is undefined when a space's
// own HSIC_u is not positive.
func DebiasedCKA(x, y *space.Space) (float64, error) {
	n := x.N()
	if n < 4 {
		return 0, fmt.Errorf("%w: debiased CKA needs at least 4 samples, got %d", ErrTooFewSamples, n)
	}
	// Centring first leaves HSIC_u unchanged (it is a U-statistic of
	// kernel differences) and keeps the sums small.
	xc, yc := centred(x), centred(y)
	kxx, kyy, kxy := hsicU(xc, xc, n, x.Dim, x.Dim), hsicU(yc, yc, n, y.Dim, y.Dim), hsicU(xc, yc, n, x.Dim, y.Dim)
	if kxx <= 0 || kyy <= 0 {
		return 0, fmt.Errorf("debiased CKA undefined: a space's unbiased HSIC is %v", min(kxx, kyy))
	}
	return kxy / math.Sqrt(kxx*kyy), nil
}

// centred returns s's rows as float64 with each column's mean removed.
func centred(s *space.Space) *mat.Dense {
	m := mat.NewDense(s.N(), s.Dim, nil)
	for i := range s.N() {
		for j, v := range s.Row(i) {
			m.Set(i, j, float64(v))
		}
	}
	return centreColumns(m)
}

func hsicU(x, y *mat.Dense, n, p, q int) float64 {
	var xty mat.Dense
	xty.Mul(x.T(), y)
	trKL := mat.Norm(&xty, 2) // Frobenius
	trKL *= trKL
	sx, sy := make([]float64, p), make([]float64, q)
	nx, ny := make([]float64, n), make([]float64, n)
	for i := range n {
		for j := range p {
			v := x.At(i, j)
			sx[j] += v
			nx[i] += v * v
		}
		for j := range q {
			v := y.At(i, j)
			sy[j] += v
			ny[i] += v * v
		}
	}
	var diag, sumK, sumL float64
	var kl1 float64
	for i := range n {
		diag += nx[i] * ny[i]
		var kx, ly float64
		for j := range p {
			kx += x.At(i, j) * sx[j]
		}
		for j := range q {
			ly += y.At(i, j) * sy[j]
		}
		kx -= nx[i]
		ly -= ny[i]
		kl1 += kx * ly
		sumK += kx
		sumL += ly
	}
	fn := float64(n)
	tr := trKL - diag
	return (tr + sumK*sumL/((fn-1)*(fn-2)) - 2/(fn-2)*kl1) / (fn * (fn - 3))
}

// rbfCKA is CKA with Gaussian kernels exp(-d^2 / (2 sigma^2)), sigma^2
// the median of the non-zero squared distances, in the n x n Gram form.
func rbfCKA(x, y *space.Space, o Options) (float64, error) {
	n := x.N()
	if o.Subsample > 0 && o.Subsample < n {
		rows := rand.New(rand.NewPCG(o.Seed, 0x726266)).Perm(n)[:o.Subsample]
		sort.Ints(rows)
		x, y, n = x.Rows(rows), y.Rows(rows), o.Subsample
	}
	if n > MaxGram {
		return 0, fmt.Errorf("needs an n x n kernel: %d samples would take %.1f GB; subsample (atlas compare --subsample %d)",
			n, 2*8*float64(n)*float64(n)/1e9, MaxGram)
	}
	if n < 2 {
		return 0, fmt.Errorf("%w: %d", ErrTooFewSamples, n)
	}
	kx, ky := rbfGram(x), rbfGram(y)
	centreGram(kx, n)
	centreGram(ky, n)
	var xy, xx, yy float64
	for i := range kx {
		xy += kx[i] * ky[i]
		xx += kx[i] * kx[i]
		yy += ky[i] * ky[i]
	}
	if xx == 0 || yy == 0 {
		return 0, fmt.Errorf("a kernel matrix is constant")
	}
	return xy / math.Sqrt(xx*yy), nil
}

func rbfGram(s *space.Space) []float64 {
	n := s.N()
	d2 := make([]float64, n*n)
	var nonzero []float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			var ss float64
			a, b := s.Row(i), s.Row(j)
			for k := range a {
				dv := float64(a[k] - b[k])
				ss += dv * dv
			}
			d2[i*n+j], d2[j*n+i] = ss, ss
			if ss > 0 {
				nonzero = append(nonzero, ss)
			}
		}
	}
	sigma2 := 1.0
	if len(nonzero) > 0 {
		sigma2 = stat.Quantile(0.5, stat.Empirical, sortedCopy(nonzero), nil)
	}
	for i := range d2 {
		d2[i] = math.Exp(-d2[i] / (2 * sigma2))
	}
	return d2
}

func sortedCopy(v []float64) []float64 {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

// centreGram applies H K H with H = I - 11'/n in place.
func centreGram(k []float64, n int) {
	row := make([]float64, n)
	var total float64
	for i := range n {
		for j := range n {
			row[i] += k[i*n+j]
		}
		total += row[i]
	}
	for i := range n {
		for j := range n {
			k[i*n+j] += -row[i]/float64(n) - row[j]/float64(n) + total/float64(n*n)
		}
	}
}

func knnMeasure(x, y *space.Space, k int, jaccard bool) (float64, error) {
	a, err := KNN(x.Data, x.N(), x.Dim, k)
	if err != nil {
		return 0, err
	}
	b, err := KNN(y.Data, y.N(), y.Dim, k)
	if err != nil {
		return 0, err
	}
	return neighbourOverlap(a, b, jaccard), nil
}

// svdReduce centres s and keeps its top singular directions explaining
// the given fraction of variance, returning the reduced n x r data.
func svdReduce(s *space.Space, keep float64) (*mat.Dense, error) {
	c := centred(s)
	var svd mat.SVD
	if !svd.Factorize(c, mat.SVDThin) {
		return nil, fmt.Errorf("SVD failed")
	}
	vals := svd.Values(nil)
	var total float64
	for _, v := range vals {
		total += v * v
	}
	if total == 0 {
		return nil, fmt.Errorf("%s has zero variance", s.Name)
	}
	r, acc := 0, 0.0
	for r < len(vals) && acc < keep*total {
		acc += vals[r] * vals[r]
		r++
	}
	var u mat.Dense
	svd.UTo(&u)
	out := mat.NewDense(s.N(), r, nil)
	for i := range s.N() {
		for j := range r {
			out.Set(i, j, u.At(i, j)*vals[j])
		}
	}
	return out, nil
}

// svcca is the mean canonical correlation after the SVD step.
func svcca(x, y *space.Space, o Options) (float64, error) {
	corrs, _, err := svdCCA(x, y, o.Variance)
	if err != nil {
		return 0, err
	}
	return floatsMean(corrs), nil
}

// svdCCA reduces both spaces to the directions keeping the given fraction
// of variance, then returns their canonical correlations and x's weights.
func svdCCA(x, y *space.Space, keep float64) (corrs, weights []float64, err error) {
	rx, err := svdReduce(x, keep)
	if err != nil {
		return nil, nil, err
	}
	ry, err := svdReduce(y, keep)
	if err != nil {
		return nil, nil, err
	}
	return cca(rx, ry)
}

// cca returns the canonical correlations of x and y and, for pwcca, the
// weight of each canonical variable of x: its summed absolute correlation
// with x's own columns (Morcos et al. 2018, eq. 3-4). Method (Björck and
// Golub 1973): with Qx, Qy orthonormal bases of the centred columns, the
// correlations are the singular values of Qx^T Qy, and x's canonical
// variables are Qx U. (gonum's stat.CC.LeftTo panics when x has more
// columns than y, so this is written out.)
func cca(x, y *mat.Dense) ([]float64, []float64, error) {
	n, p := x.Dims()
	_, q := y.Dims()
	if n <= max(p, q) {
		return nil, nil, fmt.Errorf("%w: CCA of %d and %d dimensions needs more than %d samples, got %d", ErrTooFewSamples, p, q, max(p, q), n)
	}
	// Callers pass centred data; centring again is cheap insurance.
	xc, yc := centreColumns(x), centreColumns(y)
	var qx, qy mat.Dense
	var qrx, qry mat.QR
	qrx.Factorize(xc)
	qrx.QTo(&qx)
	qry.Factorize(yc)
	qry.QTo(&qy)
	bx, by := qx.Slice(0, n, 0, p), qy.Slice(0, n, 0, q)
	var m mat.Dense
	m.Mul(bx.T(), by)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDThin) {
		return nil, nil, fmt.Errorf("SVD failed")
	}
	k := min(p, q)
	corrs := svd.Values(nil)[:k]
	var u, h mat.Dense
	svd.UTo(&u)
	h.Mul(bx, u.Slice(0, p, 0, k))
	weights := make([]float64, k)
	for c := range k {
		hc := mat.Col(nil, c, &h)
		for j := range p {
			weights[c] += math.Abs(stat.Correlation(hc, mat.Col(nil, j, xc), nil))
		}
	}
	return corrs, weights, nil
}

func centreColumns(a *mat.Dense) *mat.Dense {
	n, p := a.Dims()
	out := mat.DenseCopyOf(a)
	for j := range p {
		var m float64
		for i := range n {
			m += out.At(i, j)
		}
		m /= float64(n)
		for i := range n {
			out.Set(i, j, out.At(i, j)-m)
		}
	}
	return out
}

// pwcca weights the canonical correlations by how much of x each
// canonical variable accounts for.
func pwcca(x, y *space.Space, o Options) (float64, error) {
	corrs, w, err := svdCCA(x, y, o.Variance)
	if err != nil {
		return 0, err
	}
	var num, den float64
	for i, r := range corrs {
		num += w[i] * r
		den += w[i]
	}
	return num / den, nil
}

func procrustes(x, y *space.Space, _ Options) (float64, error) {
	xc, yc := centred(x), centred(y)
	nx, ny := mat.Norm(xc, 2), mat.Norm(yc, 2)
	if nx == 0 || ny == 0 {
		return 0, fmt.Errorf("a space has zero variance")
	}
	var m mat.Dense
	m.Mul(xc.T(), yc)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		return 0, fmt.Errorf("SVD failed")
	}
	var nuclear float64
	for _, v := range svd.Values(nil) {
		nuclear += v
	}
	return max(0, 2-2*nuclear/(nx*ny)), nil
}

func floatsMean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
