// Package metrics compares spaces: linear CKA and class separability.
package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/latentatlas/atlas/internal/gemm"
	"github.com/latentatlas/atlas/space"
)

// CKA accumulates exact linear CKA (Kornblith et al., "Similarity of Neural
// Network Representations Revisited", ICML 2019) between two spaces whose
// rows arrive in chunks, like a hash.Hash: Write adds rows, Value reads the
// current result without changing the state, Reset starts over.
//
// It keeps the sufficient statistics of the feature-space form (paper-spec
// 5.1): CKA = ||Xc^T Yc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F), where Xc and
// Yc are column-centred. Memory is O((p+q)^2), independent of n. Chunks are
// centred on their own mean and merged with the pairwise update of Chan,
// Golub and LeVeque (1979), which avoids the cancellation of subtracting
// n*mean*mean^T from raw sums. Everything accumulates in float64.
type CKA struct {
	p, q               int
	n                  float64
	meanX, meanY       []float64
	cxx, cyy, cxy      []float64 // co-moment matrices p x p, q x q, p x q
	bufX, bufY         []float64
	chunkCxx, chunkCyy []float64
	chunkCxy           []float64
}

// NewCKA returns an accumulator for spaces of p and q columns.
func NewCKA(p, q int) *CKA {
	c := &CKA{p: p, q: q}
	c.Reset()
	return c
}

// Reset clears the accumulated rows.
func (c *CKA) Reset() {
	c.n = 0
	c.meanX, c.meanY = make([]float64, c.p), make([]float64, c.q)
	c.cxx, c.cyy, c.cxy = make([]float64, c.p*c.p), make([]float64, c.q*c.q), make([]float64, c.p*c.q)
}

// N is the number of rows written so far.
func (c *CKA) N() int { return int(c.n) }

// Write adds m paired rows: x is m x p and y is m x q, row-major, row i of
// x and row i of y being the same sample.
func (c *CKA) Write(x, y []float32) error {
	if len(x)%c.p != 0 || len(y)%c.q != 0 || len(x)/c.p != len(y)/c.q {
		return fmt.Errorf("cka: chunk of %d x values and %d y values is not m x %d and m x %d", len(x), len(y), c.p, c.q)
	}
	m := len(x) / c.p
	if m == 0 {
		return nil
	}
	mx, xs := centredChunk(x, m, c.p, &c.bufX)
	my, ys := centredChunk(y, m, c.q, &c.bufY)
	c.chunkCxx = gram(c.chunkCxx, xs, xs, m, c.p, c.p)
	c.chunkCyy = gram(c.chunkCyy, ys, ys, m, c.q, c.q)
	c.chunkCxy = gram(c.chunkCxy, xs, ys, m, c.p, c.q)

	c.add(float64(m), mx, my, c.chunkCxx, c.chunkCyy, c.chunkCxy)
	return nil
}

// add merges the statistics of nb rows (means and co-moment matrices)
// into c with the pairwise update of Chan, Golub and LeVeque (1979).
func (c *CKA) add(nb float64, mx, my, cxx, cyy, cxy []float64) {
	na := c.n
	n := na + nb
	dx, dy := make([]float64, c.p), make([]float64, c.q)
	for i := range dx {
		dx[i] = mx[i] - c.meanX[i]
	}
	for i := range dy {
		dy[i] = my[i] - c.meanY[i]
	}
	w := na * nb / n
	merge(c.cxx, cxx, dx, dx, w)
	merge(c.cyy, cyy, dy, dy, w)
	merge(c.cxy, cxy, dx, dy, w)
	for i := range dx {
		c.meanX[i] += dx[i] * nb / n
	}
	for i := range dy {
		c.meanY[i] += dy[i] * nb / n
	}
	c.n = n
}

// ErrUndefined is returned when CKA is undefined: fewer than 2 rows, or a
// space whose rows are all equal (zero variance).
var ErrUndefined = errors.New("cka undefined")

// Value returns linear CKA over the rows written so far, in [0, 1].
func (c *CKA) Value() (float64, error) {
	if c.n < 2 {
		return 0, fmt.Errorf("%w: %d rows (need at least 2)", ErrUndefined, int(c.n))
	}
	nx, ny, nxy := frob(c.cxx), frob(c.cyy), frob(c.cxy)
	if nx == 0 || ny == 0 {
		return 0, fmt.Errorf("%w: a space has zero variance (all rows equal)", ErrUndefined)
	}
	return nxy * nxy / (nx * ny), nil
}

// LinearCKA returns linear CKA between two spaces with the same ids in the
// same order (see space.Align).
func LinearCKA(x, y *space.Space) (float64, error) {
	if err := sameRows(x, y); err != nil {
		return 0, err
	}
	c := NewCKA(x.Dim, y.Dim)
	const chunk = 4096
	for i := 0; i < x.N(); i += chunk {
		j := min(i+chunk, x.N())
		if err := c.Write(x.Data[i*x.Dim:j*x.Dim], y.Data[i*y.Dim:j*y.Dim]); err != nil {
			return 0, err
		}
	}
	return c.Value()
}

func sameRows(x, y *space.Space) error {
	if x.N() != y.N() {
		return fmt.Errorf("%s has %d rows, %s has %d: align them by id first", x.Name, x.N(), y.Name, y.N())
	}
	for i := range x.IDs {
		if x.IDs[i] != y.IDs[i] {
			return fmt.Errorf("row %d is id %d in %s but id %d in %s: align them by id first", i, x.IDs[i], x.Name, y.IDs[i], y.Name)
		}
	}
	return nil
}

// centredChunk converts an m x d chunk to float64 centred on its own mean.
func centredChunk(x []float32, m, d int, buf *[]float64) (mean, centred []float64) {
	if cap(*buf) < m*d {
		*buf = make([]float64, m*d)
	}
	centred = (*buf)[:m*d]
	mean = make([]float64, d)
	for i := range m {
		for j, v := range x[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(m)
	}
	for i := range m {
		for j, v := range x[i*d : (i+1)*d] {
			centred[i*d+j] = float64(v) - mean[j]
		}
	}
	return mean, centred
}

// gram returns a^T b for a (m x p) and b (m x q), reusing dst.
func gram(dst, a, b []float64, m, p, q int) []float64 {
	if cap(dst) < p*q {
		dst = make([]float64, p*q)
	}
	dst = dst[:p*q]
	gemm.Dgemm(true, false, p, q, m, 1, a, p, b, q, 0, dst, q)
	return dst
}

// merge adds a chunk's co-moments and the between-means correction
// w * dx dy^T to the running co-moments (Chan et al. 1979).
func merge(acc, chunk, dx, dy []float64, w float64) {
	q := len(dy)
	for i, a := range dx {
		row := acc[i*q : (i+1)*q]
		crow := chunk[i*q : (i+1)*q]
		wa := w * a
		for j := range row {
			row[j] += crow[j] + wa*dy[j]
		}
	}
}

func frob(m []float64) float64 {
	var s float64
	for _, v := range m {
		s += v * v
	}
	return math.Sqrt(s)
}

// Merge adds the rows accumulated in o to c, as if they had been written
// to c (Chan et al. 1979), so that per-block statistics can be combined.
func (c *CKA) Merge(o *CKA) {
	if o.n > 0 {
		c.add(o.n, o.meanX, o.meanY, o.cxx, o.cyy, o.cxy)
	}
}
