package probe

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// KMeans clusters rows into k groups: k-means++ seeding (Arthur and
// Vassilvitskii, SODA 2007), then Lloyd's iterations until no assignment
// changes (at most 300); the best of nInit seeded starts by inertia. It
// returns each row's cluster and the inertia.
func KMeans(f *Features, k, nInit int, seed uint64) ([]int, float64, error) {
	n, d := f.N(), f.Dim
	if k < 1 || k > n {
		return nil, 0, fmt.Errorf("kmeans: k = %d needs 1 <= k <= %d rows", k, n)
	}
	x := make([]float64, len(f.X))
	for i, v := range f.X {
		x[i] = float64(v)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6b6d65616e73)) // stream "kmeans"
	var best []int
	bestInertia := math.Inf(1)
	for range max(1, nInit) {
		assign, inertia := lloyd(x, n, d, k, plusPlus(rng, x, n, d, k))
		if inertia < bestInertia {
			best, bestInertia = assign, inertia
		}
	}
	return best, bestInertia, nil
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		dv := v - b[i]
		s += dv * dv
	}
	return s
}

func plusPlus(rng *rand.Rand, x []float64, n, d, k int) []float64 {
	centres := make([]float64, 0, k*d)
	first := rng.IntN(n)
	centres = append(centres, x[first*d:(first+1)*d]...)
	dist := make([]float64, n)
	for i := range n {
		dist[i] = sqDist(x[i*d:(i+1)*d], centres[:d])
	}
	for len(centres) < k*d {
		var total float64
		for _, v := range dist {
			total += v
		}
		pick := rng.IntN(n)
		if total > 0 {
			r := rng.Float64() * total
			for i, v := range dist {
				r -= v
				if r <= 0 {
					pick = i
					break
				}
			}
		}
		c := x[pick*d : (pick+1)*d]
		centres = append(centres, c...)
		for i := range n {
			dist[i] = min(dist[i], sqDist(x[i*d:(i+1)*d], c))
		}
	}
	return centres
}

func lloyd(x []float64, n, d, k int, centres []float64) ([]int, float64) {
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	var inertia float64
	for iter := 0; iter < 300; iter++ {
		changed := false
		inertia = 0
		for i := range n {
			row := x[i*d : (i+1)*d]
			best, bestD := 0, math.Inf(1)
			for c := range k {
				if dd := sqDist(row, centres[c*d:(c+1)*d]); dd < bestD {
					best, bestD = c, dd
				}
			}
			inertia += bestD
			if assign[i] != best {
				assign[i], changed = best, true
			}
		}
		if !changed {
			break
		}
		count := make([]float64, k)
		next := make([]float64, k*d)
		for i, c := range assign {
			count[c]++
			for j, v := range x[i*d : (i+1)*d] {
				next[c*d+j] += v
			}
		}
		for c := range k {
			if count[c] == 0 { // an empty cluster keeps its centre
				copy(next[c*d:(c+1)*d], centres[c*d:(c+1)*d])
				continue
			}
			for j := range d {
				next[c*d+j] /= count[c]
			}
		}
		centres = next
	}
	return assign, inertia
}

// ClusterScores compare a clustering with the true labels, with
// scikit-learn's definitions (natural logarithms; NMI with the arithmetic
// mean of the entropies, which equals the V-measure).
type ClusterScores struct {
	NMI          float64 `json:"nmi"`
	ARI          float64 `json:"ari"`
	Homogeneity  float64 `json:"homogeneity"`
	Completeness float64 `json:"completeness"`
	MI           float64 `json:"mutual_info"`
}

// Score compares clusters with labels.
func Score(labels, clusters []int) ClusterScores {
	n := float64(len(labels))
	cont := map[[2]int]float64{}
	a, b := map[int]float64{}, map[int]float64{}
	for i, l := range labels {
		cont[[2]int{l, clusters[i]}]++
		a[l]++
		b[clusters[i]]++
	}
	entropy := func(m map[int]float64) float64 {
		var h float64
		for _, c := range m {
			h -= c / n * math.Log(c/n)
		}
		return h
	}
	var mi float64
	for key, c := range cont {
		mi += c / n * math.Log(n*c/(a[key[0]]*b[key[1]]))
	}
	hc, hk := entropy(a), entropy(b)
	s := ClusterScores{MI: mi, Homogeneity: 1, Completeness: 1}
	if hc > 0 {
		s.Homogeneity = mi / hc
	}
	if hk > 0 {
		s.Completeness = mi / hk
	}
	if hc+hk > 0 {
		s.NMI = mi / ((hc + hk) / 2)
	} else {
		s.NMI = 1
	}
	comb := func(x float64) float64 { return x * (x - 1) / 2 }
	var sumC, sumA, sumB float64
	for _, c := range cont {
		sumC += comb(c)
	}
	for _, c := range a {
		sumA += comb(c)
	}
	for _, c := range b {
		sumB += comb(c)
	}
	expected := sumA * sumB / comb(n)
	maxIndex := (sumA + sumB) / 2
	if maxIndex == expected {
		s.ARI = 1
	} else {
		s.ARI = (sumC - expected) / (maxIndex - expected)
	}
	return s
}

// Silhouette is the mean silhouette coefficient (Rousseeuw 1987) with
// Euclidean distances, as scikit-learn computes it: s = (b - a) / max(a,
// b), 0 for a sample alone in its cluster. It is O(n^2): at most maxRows
// seeded random rows are used.
func Silhouette(f *Features, clusters []int, maxRows int, seed uint64) (float64, error) {
	rows := make([]int, f.N())
	for i := range rows {
		rows[i] = i
	}
	if maxRows > 0 && f.N() > maxRows {
		rows = rand.New(rand.NewPCG(seed, 0x73696c)).Perm(f.N())[:maxRows]
	}
	k := 0
	for _, c := range clusters {
		k = max(k, c+1)
	}
	if k < 2 {
		return 0, fmt.Errorf("silhouette needs at least 2 clusters")
	}
	d := f.Dim
	var total float64
	sum := make([]float64, k)
	count := make([]float64, k)
	for _, r := range rows {
		count[clusters[r]]++
	}
	for _, i := range rows {
		clear(sum)
		xi := f.X[i*d : (i+1)*d]
		for _, j := range rows {
			if i == j {
				continue
			}
			var s float64
			for t, v := range f.X[j*d : (j+1)*d] {
				dv := float64(xi[t] - v)
				s += dv * dv
			}
			sum[clusters[j]] += math.Sqrt(s)
		}
		own := clusters[i]
		if count[own] <= 1 {
			continue
		}
		a := sum[own] / (count[own] - 1)
		b := math.Inf(1)
		for c := range k {
			if c != own && count[c] > 0 {
				b = math.Min(b, sum[c]/count[c])
			}
		}
		total += (b - a) / math.Max(a, b)
	}
	return total / float64(len(rows)), nil
}
