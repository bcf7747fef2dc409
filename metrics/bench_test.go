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
