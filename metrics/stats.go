package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/latentatlas/atlas/internal/gemm"

	"github.com/latentatlas/atlas/space"
)

// Interval is a two-sided confidence interval.
type Interval struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Level float64 `json:"level"`
	Reps  int     `json:"reps"`
}

// percentile interval of sorted replicate values.
func percentiles(vals []float64, level float64, reps int) Interval {
	slices.Sort(vals)
	a := (1 - level) / 2
	lo := vals[int(a*float64(len(vals)-1)+0.5)]
	hi := vals[int((1-a)*float64(len(vals)-1)+0.5)]
	return Interval{Lo: lo, Hi: hi, Level: level, Reps: reps}
}

// ErrNoBootstrap is returned for measures that the bootstrap biases.
var ErrNoBootstrap = errors.New("the bootstrap does not apply")

// Bootstrap returns a percentile confidence interval for measure m by
// resampling rows (samples) with replacement, reps times, seeded
// (Efron and Tibshirani, An Introduction to the Bootstrap, 1993). It
// refuses the k-NN measures: a resampled row's duplicate is its own
// nearest neighbour, which inflates them; use the permutation test.
func Bootstrap(m Measure, x, y *space.Space, o Options, reps int, level float64, seed uint64) (Interval, error) {
	if m.noBootstrap {
		return Interval{}, fmt.Errorf("%s: %w: duplicated samples are their own neighbours", m.Name, ErrNoBootstrap)
	}
	if err := sameRows(x, y); err != nil {
		return Interval{}, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74)) // stream "boot"
	n := x.N()
	vals := make([]float64, 0, reps)
	rows := make([]int, n)
	for range reps {
		for i := range rows {
			rows[i] = rng.IntN(n)
		}
		xs, ys := x.Rows(rows), y.Rows(rows)
		// Resampled ids repeat; give rows fresh ids so the spaces align.
		for i := range xs.IDs {
			xs.IDs[i], ys.IDs[i] = int64(i), int64(i)
		}
		v, err := m.compute(xs, ys, o.withDefaults())
		if err != nil {
			return Interval{}, fmt.Errorf("%s: bootstrap replicate: %w", m.Name, err)
		}
		vals = append(vals, v)
	}
	return percentiles(vals, level, reps), nil
}

// BootstrapCKA is a fast bootstrap interval for linear CKA. The rows are
// cut into blocks (in a seeded random order) and each replicate resamples
// blocks with replacement. With iid rows and a few dozen blocks this
// estimates the sampling variability of the whole-data CKA.
//
// A replicate never touches the data. With rows centred on the overall
// means, block b's sums a_b, b_b and cross-products S_b, and a replicate's
// block counts c, the replicate's co-moment matrix is
// C = sum_b c_b S_b - u v^T / n (u = sum c_b a_b, v = sum c_b b_b), so
//
//	||C||_F^2 = c'Gc - (2/n) sum_b c_b c'H_b c + |u|^2 |v|^2 / n^2
//
// with G_bb' = <S_b, S_b'> and H_b = A' S_b B (A, B the block sums as
// columns) computed once. A replicate then costs O(blocks^3), not a pass
// over n rows: 1,000 replicates of n = 10,000 by 128 vs 128 take 0.2 s
// here (BenchmarkBootstrapCKA) against 2.5 s when merging block states.
func BootstrapCKA(x, y *space.Space, blocks, reps int, level float64, seed uint64) (Interval, error) {
	if err := sameRows(x, y); err != nil {
		return Interval{}, err
	}
	n := x.N()
	if blocks < 2 || n < 2*blocks {
		return Interval{}, fmt.Errorf("bootstrap: %d rows are too few for %d blocks", n, blocks)
	}
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74))
	perm := rng.Perm(n)
	xs := newBlockStats(x, perm, blocks)
	ys := newBlockStats(y, perm, blocks)
	pxx, pyy, pxy := newPairStats(xs, xs), newPairStats(ys, ys), newPairStats(xs, ys)
	counts := make([]float64, blocks)
	vals := make([]float64, 0, reps)
	for range reps {
		clear(counts)
		for range blocks {
			counts[rng.IntN(blocks)]++
		}
		var total float64
		for b, c := range counts {
			total += c * float64(xs.size[b])
		}
		cxx, cyy, cxy := pxx.sqNorm(counts, total), pyy.sqNorm(counts, total), pxy.sqNorm(counts, total)
		if cxx <= 0 || cyy <= 0 {
			return Interval{}, fmt.Errorf("%w: a resample has zero variance", ErrUndefined)
		}
		vals = append(vals, cxy/math.Sqrt(cxx*cyy))
	}
	return percentiles(vals, level, reps), nil
}

// blockStats holds, per block, the row count, the column sums of the rows
// centred on the overall mean, and the centred rows themselves (float64).
type blockStats struct {
	dim  int
	size []int
	sums [][]float64  // per block: dim
	rows []*mat.Dense // per block: size x dim
}

func newBlockStats(s *space.Space, perm []int, blocks int) *blockStats {
	n, d := s.N(), s.Dim
	mean := make([]float64, d)
	for i := range n {
		for j, v := range s.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	bs := &blockStats{dim: d}
	for b := range blocks {
		rows := perm[b*n/blocks : (b+1)*n/blocks]
		m := mat.NewDense(len(rows), d, nil)
		sum := make([]float64, d)
		for i, r := range rows {
			for j, v := range s.Row(r) {
				c := float64(v) - mean[j]
				m.Set(i, j, c)
				sum[j] += c
			}
		}
		bs.size = append(bs.size, len(rows))
		bs.sums = append(bs.sums, sum)
		bs.rows = append(bs.rows, m)
	}
	return bs
}

// pairStats are the precomputed G, H and block-sum Gram matrices of one
// co-moment pair (x with x, y with y, or x with y).
type pairStats struct {
	g, ua, vb *mat.Dense   // B x B: <S_b, S_b'>, A'A, B'B
	h         []*mat.Dense // per block: A' S_b B (B x B)
}

func newPairStats(a, b *blockStats) *pairStats {
	nb := len(a.size)
	sumsMat := func(s *blockStats) *mat.Dense {
		m := mat.NewDense(s.dim, nb, nil)
		for k, v := range s.sums {
			m.SetCol(k, v)
		}
		return m
	}
	am, bm := sumsMat(a), sumsMat(b)
	ps := &pairStats{g: mat.NewDense(nb, nb, nil), ua: &mat.Dense{}, vb: &mat.Dense{}}
	ps.ua.Mul(am.T(), am)
	ps.vb.Mul(bm.T(), bm)
	cross := make([]*mat.Dense, nb)
	for k := range nb {
		ra, rb := a.rows[k].RawMatrix(), b.rows[k].RawMatrix()
		s := mat.NewDense(a.dim, b.dim, nil) // S_k = block_a^T block_b
		gemm.Dgemm(true, false, a.dim, b.dim, ra.Rows, 1, ra.Data, ra.Stride, rb.Data, rb.Stride, 0, s.RawMatrix().Data, b.dim)
		cross[k] = s
		var left, h mat.Dense
		left.Mul(am.T(), s)
		h.Mul(&left, bm)
		ps.h = append(ps.h, &h)
	}
	for k := range nb {
		for l := k; l < nb; l++ {
			v := mat.Dot(flat(cross[k]), flat(cross[l]))
			ps.g.Set(k, l, v)
			ps.g.Set(l, k, v)
		}
	}
	return ps
}

func flat(m *mat.Dense) *mat.VecDense {
	raw := m.RawMatrix()
	return mat.NewVecDense(len(raw.Data), raw.Data)
}

// sqNorm is ||C||_F^2 for block counts c and total row count n.
func (ps *pairStats) sqNorm(c []float64, n float64) float64 {
	cv := mat.NewVecDense(len(c), c)
	main := mat.Inner(cv, ps.g, cv)
	var mid float64
	for b, cb := range c {
		if cb != 0 {
			mid += cb * mat.Inner(cv, ps.h[b], cv)
		}
	}
	uu, vv := mat.Inner(cv, ps.ua, cv), mat.Inner(cv, ps.vb, cv)
	return main - 2/n*mid + uu*vv/(n*n)
}

// PermutationTest returns the p-value of measure m's value on x and y
// against the null of no correspondence: y's rows are shuffled reps times
// and the p-value is (1 + #{null at least as extreme}) / (1 + reps)
// (Phipson and Smyth, 2010: never exactly 0).
func PermutationTest(m Measure, x, y *space.Space, o Options, reps int, seed uint64) (observed, p float64, err error) {
	observed, err = m.Compute(x, y, o)
	if err != nil {
		return 0, 0, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x7065726d)) // stream "perm"
	perm := make([]int, y.N())
	for i := range perm {
		perm[i] = i
	}
	extreme := 0
	for range reps {
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		ys := y.Rows(perm)
		copy(ys.IDs, y.IDs) // same ids, shuffled rows: the correspondence is broken
		v, err := m.compute(x, ys, o.withDefaults())
		if err != nil {
			return 0, 0, fmt.Errorf("%s: permutation: %w", m.Name, err)
		}
		if (m.LargerIsMoreSimilar && v >= observed) || (!m.LargerIsMoreSimilar && v <= observed) {
			extreme++
		}
	}
	return observed, float64(1+extreme) / float64(1+reps), nil
}

// BootstrapAccuracy is a percentile interval for a classifier's accuracy,
// resampling its test predictions.
func BootstrapAccuracy(pred, labels []int, reps int, level float64, seed uint64) Interval {
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74))
	n := len(labels)
	vals := make([]float64, 0, reps)
	for range reps {
		right := 0
		for range n {
			i := rng.IntN(n)
			if pred[i] == labels[i] {
				right++
			}
		}
		vals = append(vals, float64(right)/float64(n))
	}
	return percentiles(vals, level, reps)
}
