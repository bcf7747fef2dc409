package metrics

import (
	"math/rand/v2"
	"testing"

	"github.com/latentatlas/atlas/internal/randmat"
)

// BenchmarkLinearCKA compares two spaces of n = 10,000 rows and 128
// columns each (issue 2).
func BenchmarkLinearCKA(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := mkSpace(10000, 128, randmat.Gaussian(rng, 10000, 128))
	y := mkSpace(10000, 128, randmat.Gaussian(rng, 10000, 128))
	for b.Loop() {
		if _, err := LinearCKA(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBootstrapCKA is the experiment's interval: 40 blocks, 1,000
// resamples, n = 10,000, 128 vs 128 columns.
func BenchmarkBootstrapCKA(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := mkSpace(10000, 128, randmat.Gaussian(rng, 10000, 128))
	y := mkSpace(10000, 128, randmat.Gaussian(rng, 10000, 128))
	for b.Loop() {
		if _, err := BootstrapCKA(x, y, 40, 1000, 0.95, 1); err != nil {
			b.Fatal(err)
		}
	}
}
