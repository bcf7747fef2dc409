package metrics

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

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

// BootstrapCKA is a fast bootstrap interval for linear CKA: the rows are
// cut into blocks (in a seeded random order), each block's CKA statistics
// are computed once, and each replicate merges a resample of the blocks
// (CKA.Merge). A replicate costs O(blocks (p^2 + q^2 + pq)) instead of a
// pass over the data. With iid rows and at least ~30 blocks this estimates
// the sampling variability of the whole-data CKA.
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
	stats := make([]*CKA, blocks)
	for b := range blocks {
		c := NewCKA(x.Dim, y.Dim)
		var xb, yb []float32
		for _, r := range perm[b*n/blocks : (b+1)*n/blocks] {
			xb = append(xb, x.Row(r)...)
			yb = append(yb, y.Row(r)...)
		}
		if err := c.Write(xb, yb); err != nil {
			return Interval{}, err
		}
		stats[b] = c
	}
	vals := make([]float64, 0, reps)
	for range reps {
		c := NewCKA(x.Dim, y.Dim)
		for range blocks {
			c.Merge(stats[rng.IntN(blocks)])
		}
		v, err := c.Value()
		if err != nil {
			return Interval{}, err
		}
		vals = append(vals, v)
	}
	return percentiles(vals, level, reps), nil
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
