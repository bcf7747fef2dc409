package relative

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkCosine projects n = 10,000 rows of d = 128 onto k = 128 anchors,
// the paper's Exp 1 size (issue 2).
func BenchmarkCosine(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, a := randomChart(rng, 10000, 128, 128)
	p, err := Config{}.Fit(a)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Transform(x); err != nil {
			b.Fatal(err)
		}
	}
}
