// Package randmat draws the random matrices that synthetic data and
// invariance tests need.
package randmat

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Orthogonal returns a random d x d orthogonal matrix, row-major: the Q of
// the QR factorisation of a Gaussian matrix, with column signs fixed so
// the draw is uniform on O(d) (Mezzadri, "How to generate random matrices
// from the classical compact groups", 2007).
func Orthogonal(rng *rand.Rand, d int) []float64 {
	g := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	out := make([]float64, d*d)
	for i := range d {
		for j := range d {
			v := q.At(i, j)
			if r.At(j, j) < 0 {
				v = -v
			}
			out[i*d+j] = v
		}
	}
	return out
}

// MulRows returns the rows of x (n x d) times m^T (m is e x d), as float32,
// accumulating in float64: row i of the result is m x_i.
func MulRows(x []float32, d int, m []float64, e int) []float32 {
	n := len(x) / d
	out := make([]float32, n*e)
	for i := range n {
		xi := x[i*d : (i+1)*d]
		for a := range e {
			var s float64
			for b, v := range xi {
				s += m[a*d+b] * float64(v)
			}
			out[i*e+a] = float32(s)
		}
	}
	return out
}

// Gaussian returns n x d standard normal values.
func Gaussian(rng *rand.Rand, n, d int) []float32 {
	out := make([]float32, n*d)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}
