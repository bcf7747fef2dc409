package probe

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"

	"github.com/latentatlas/atlas/internal/gemm"
)

// Linear is multinomial logistic regression, the standard linear probe,
// fitted to the same optimum as scikit-learn's LogisticRegression (lbfgs,
// multinomial, L2 penalty 1/(2C) on the weights, not the intercepts):
// minimise sum_i -log softmax(W x_i + b)_{y_i} + ||W||^2 / (2C) with
// L-BFGS (gonum/optimize). classes is the number of outputs.
func Linear(train, test *Features, classes int, c float64) (*Result, error) {
	if train.Dim != test.Dim {
		return nil, fmt.Errorf("probe: train has %d features, test %d", train.Dim, test.Dim)
	}
	if c <= 0 {
		return nil, fmt.Errorf("probe: C must be positive, got %v", c)
	}
	d, n := train.Dim, train.N()
	x := make([]float64, len(train.X))
	for i, v := range train.X {
		x[i] = float64(v)
	}
	// Parameters: W (classes x d) then b (classes).
	p := classes * (d + 1)
	logits := make([]float64, classes)
	objective := func(grad, w []float64) float64 {
		if grad != nil {
			clear(grad)
		}
		var loss float64
		for i := range n {
			row := x[i*d : (i+1)*d]
			mx := math.Inf(-1)
			for k := range classes {
				s := w[classes*d+k]
				wk := w[k*d : (k+1)*d]
				for j, v := range row {
					s += wk[j] * v
				}
				logits[k] = s
				mx = max(mx, s)
			}
			var z float64
			for k := range classes {
				logits[k] = math.Exp(logits[k] - mx)
				z += logits[k]
			}
			y := train.Labels[i]
			loss += math.Log(z) - math.Log(logits[y])
			if grad == nil {
				continue
			}
			for k := range classes {
				g := logits[k] / z
				if k == y {
					g--
				}
				gk := grad[k*d : (k+1)*d]
				for j, v := range row {
					gk[j] += g * v
				}
				grad[classes*d+k] += g
			}
		}
		for i := range classes * d {
			loss += w[i] * w[i] / (2 * c)
			if grad != nil {
				grad[i] += w[i] / c
			}
		}
		return loss
	}
	problem := optimize.Problem{
		Func: func(w []float64) float64 { return objective(nil, w) },
		Grad: func(grad, w []float64) { objective(grad, w) },
	}
	settings := &optimize.Settings{GradientThreshold: 1e-6, MajorIterations: 1000}
	res, err := optimize.Minimize(problem, make([]float64, p), settings, &optimize.LBFGS{})
	if err != nil && res == nil {
		return nil, fmt.Errorf("probe: logistic regression: %w", err)
	}
	w := res.X
	pred := make([]int, test.N())
	for i := range pred {
		row := test.X[i*d : (i+1)*d]
		best, bestS := 0, math.Inf(-1)
		for k := range classes {
			s := w[classes*d+k]
			for j, v := range row {
				s += w[k*d+j] * float64(v)
			}
			if s > bestS {
				best, bestS = k, s
			}
		}
		pred[i] = best
	}
	return &Result{Predictions: pred, Accuracy: Accuracy(pred, test.Labels, nil), weights: w}, nil
}

// KNN classifies each test row by a majority vote of its k nearest
// training rows (Euclidean, uniform weights; ties go to the smallest
// label), as scikit-learn's KNeighborsClassifier does. Distances come from
// blocked GEMMs: ||a-b||^2 = ||a||^2 + ||b||^2 - 2 a.b.
func KNN(train, test *Features, classes, k int) (*Result, error) {
	if train.Dim != test.Dim {
		return nil, fmt.Errorf("probe: train has %d features, test %d", train.Dim, test.Dim)
	}
	if k < 1 || k > train.N() {
		return nil, fmt.Errorf("probe: k = %d needs 1 <= k <= %d training rows", k, train.N())
	}
	d, nt := train.Dim, train.N()
	sq := func(x []float32, i int) float32 {
		var s float32
		for _, v := range x[i*d : (i+1)*d] {
			s += v * v
		}
		return s
	}
	trainSq := make([]float32, nt)
	for i := range trainSq {
		trainSq[i] = sq(train.X, i)
	}
	const block = 256
	dots := make([]float32, block*nt)
	pred := make([]int, test.N())
	votes := make([]int, classes)
	idx := make([]int, nt)
	for lo := 0; lo < test.N(); lo += block {
		hi := min(test.N(), lo+block)
		gemm.Sgemm(false, true, hi-lo, nt, d, 1, test.X[lo*d:hi*d], d, train.X, d, 0, dots[:(hi-lo)*nt], nt)
		for i := lo; i < hi; i++ {
			row := dots[(i-lo)*nt : (i-lo+1)*nt]
			qs := sq(test.X, i)
			for j := range row {
				row[j] = qs + trainSq[j] - 2*row[j]
				idx[j] = j
			}
			slices.SortStableFunc(idx, func(a, b int) int {
				switch {
				case row[a] < row[b]:
					return -1
				case row[a] > row[b]:
					return 1
				}
				return 0
			})
			clear(votes)
			for _, j := range idx[:k] {
				votes[train.Labels[j]]++
			}
			pred[i] = argmaxInt(votes)
		}
	}
	return &Result{Predictions: pred, Accuracy: Accuracy(pred, test.Labels, nil)}, nil
}

// NearestCentroid classifies each test row by the nearest class mean of
// the training rows (Euclidean), as scikit-learn's NearestCentroid does.
// (The paper's code had this, mislabelled "KNN" and broken, paper-spec
// 5.5.)
func NearestCentroid(train, test *Features, classes int) (*Result, error) {
	if train.Dim != test.Dim {
		return nil, fmt.Errorf("probe: train has %d features, test %d", train.Dim, test.Dim)
	}
	d := train.Dim
	mean := make([]float64, classes*d)
	count := make([]float64, classes)
	for i, l := range train.Labels {
		count[l]++
		for j, v := range train.X[i*d : (i+1)*d] {
			mean[l*d+j] += float64(v)
		}
	}
	for c := range classes {
		for j := range d {
			mean[c*d+j] /= count[c]
		}
	}
	pred := make([]int, test.N())
	for i := range pred {
		best, bestD := -1, math.Inf(1)
		for c := range classes {
			if count[c] == 0 {
				continue
			}
			var s float64
			for j, v := range test.X[i*d : (i+1)*d] {
				dv := float64(v) - mean[c*d+j]
				s += dv * dv
			}
			if s < bestD {
				best, bestD = c, s
			}
		}
		pred[i] = best
	}
	return &Result{Predictions: pred, Accuracy: Accuracy(pred, test.Labels, nil)}, nil
}

func argmaxInt(v []int) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
