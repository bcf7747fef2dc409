package metrics

import (
	"container/heap"
	"fmt"
	"math"

	"github.com/latentatlas/atlas/internal/gemm"
)

// KNN returns, for each of the n rows of x (n x d), the indices of its k
// nearest other rows by cosine similarity, nearest first (ties: lower
// index first). It is exact: similarities come from blocked GEMMs of the
// normalised rows and a k-sized heap per row keeps the best (the one
// pure-Go HNSW served here has recall@10 ~ 0.2, dependencies.md 6).
// Zero rows are an error: their cosine is undefined.
func KNN(x []float32, n, d, k int) ([][]int32, error) {
	if k < 1 || k >= n {
		return nil, fmt.Errorf("knn: k = %d needs 1 <= k < n = %d", k, n)
	}
	xn := make([]float32, len(x))
	for i := range n {
		row := x[i*d : (i+1)*d]
		var ss float64
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		if ss == 0 {
			return nil, fmt.Errorf("knn: row %d is zero, its cosine neighbours are undefined", i)
		}
		inv := float32(1 / math.Sqrt(ss))
		for j, v := range row {
			xn[i*d+j] = v * inv
		}
	}
	const block = 256
	sims := make([]float32, block*n)
	out := make([][]int32, n)
	for lo := 0; lo < n; lo += block {
		hi := min(n, lo+block)
		m := hi - lo
		gemm.Sgemm(false, true, m, n, d, 1, xn[lo*d:hi*d], d, xn, d, 0, sims[:m*n], n)
		for i := range m {
			row := sims[i*n : (i+1)*n]
			h := make(nbHeap, 0, k+1)
			for j, s := range row {
				if j == lo+i {
					continue
				}
				if len(h) < k {
					heap.Push(&h, nb{int32(j), s})
				} else if worse(h[0], nb{int32(j), s}) {
					h[0] = nb{int32(j), s}
					heap.Fix(&h, 0)
				}
			}
			res := make([]int32, len(h))
			for p := len(h) - 1; p >= 0; p-- {
				res[p] = heap.Pop(&h).(nb).j
			}
			out[lo+i] = res
		}
	}
	return out, nil
}

type nb struct {
	j int32
	s float32
}

// worse reports whether a ranks below b: lower similarity, or equal
// similarity and a higher index.
func worse(a, b nb) bool { return a.s < b.s || (a.s == b.s && a.j > b.j) }

// nbHeap is a min-heap of the k best so far: its root is the worst kept.
type nbHeap []nb

func (h nbHeap) Len() int           { return len(h) }
func (h nbHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h nbHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nbHeap) Push(v any)        { *h = append(*h, v.(nb)) }
func (h *nbHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

// neighbourOverlap averages, over rows, |A_i ∩ B_i| / k (mutual k-NN) or
// |A_i ∩ B_i| / |A_i ∪ B_i| (Jaccard).
func neighbourOverlap(a, b [][]int32, jaccard bool) float64 {
	var sum float64
	for i := range a {
		in := map[int32]bool{}
		for _, j := range a[i] {
			in[j] = true
		}
		common := 0
		for _, j := range b[i] {
			if in[j] {
				common++
			}
		}
		if jaccard {
			sum += float64(common) / float64(len(a[i])+len(b[i])-common)
		} else {
			sum += float64(common) / float64(len(a[i]))
		}
	}
	return sum / float64(len(a))
}
