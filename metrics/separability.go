package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Separability is the paper's class-separability ratio (paper-spec 5.3):
// for classes c1 != c2, sep = ||mu1 - mu2|| / ((r1 + r2) / 2), where mu is a
// class mean and r the mean Euclidean distance of the class's points to
// it. The result averages sep over every pair with at least one class in
// focus (nil focus: all classes). Larger means better separated.
type SeparabilityResult struct {
	Mean  float64 `json:"mean"`
	Pairs int     `json:"pairs"` // unordered pairs averaged
}

// Separability computes the ratio for n x d rows with labels. Ordered and
// unordered pairs give the same mean, so unordered pairs are used.
func Separability(data []float32, dim int, labels []int, focus []int) (SeparabilityResult, error) {
	n := len(labels)
	if len(data) != n*dim {
		return SeparabilityResult{}, fmt.Errorf("separability: %d labels for %d values of dimension %d", n, len(data), dim)
	}
	classes := map[int]int{} // label -> class index
	var order []int
	for _, l := range labels {
		if _, ok := classes[l]; !ok {
			classes[l] = 0
			order = append(order, l)
		}
	}
	slices.Sort(order)
	for i, l := range order {
		classes[l] = i
	}
	C := len(order)
	if C < 2 {
		return SeparabilityResult{}, fmt.Errorf("separability needs at least 2 classes, got %d", C)
	}
	mu := make([]float64, C*dim)
	count := make([]float64, C)
	for i, l := range labels {
		c := classes[l]
		count[c]++
		for j, v := range data[i*dim : (i+1)*dim] {
			mu[c*dim+j] += float64(v)
		}
	}
	for c := range C {
		for j := range dim {
			mu[c*dim+j] /= count[c]
		}
	}
	r := make([]float64, C)
	for i, l := range labels {
		c := classes[l]
		var s float64
		for j, v := range data[i*dim : (i+1)*dim] {
			dv := float64(v) - mu[c*dim+j]
			s += dv * dv
		}
		r[c] += math.Sqrt(s)
	}
	for c := range C {
		r[c] /= count[c]
	}
	inFocus := make([]bool, C)
	if focus == nil {
		for c := range inFocus {
			inFocus[c] = true
		}
	} else {
		any := false
		for _, l := range focus {
			if c, ok := classes[l]; ok {
				inFocus[c], any = true, true
			}
		}
		if !any {
			return SeparabilityResult{}, fmt.Errorf("separability: none of the focus classes %v is present", focus)
		}
	}
	var sum float64
	pairs := 0
	for a := range C {
		for b := a + 1; b < C; b++ {
			if !inFocus[a] && !inFocus[b] {
				continue
			}
			var dist float64
			for j := range dim {
				dv := mu[a*dim+j] - mu[b*dim+j]
				dist += dv * dv
			}
			spread := (r[a] + r[b]) / 2
			if spread == 0 {
				return SeparabilityResult{}, fmt.Errorf("separability: classes %d and %d both have zero spread (one point each, or identical points)", order[a], order[b])
			}
			sum += math.Sqrt(dist) / spread
			pairs++
		}
	}
	return SeparabilityResult{Mean: sum / float64(pairs), Pairs: pairs}, nil
}
