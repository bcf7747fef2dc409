package metrics_test

import (
	"fmt"

	"github.com/latentatlas/atlas/metrics"
)

// CKA accumulates like a hash.Hash: write row chunks, read at any time.
// (numpy gives 0.72006 for these four rows in one piece.)
func ExampleCKA() {
	c := metrics.NewCKA(2, 1)
	c.Write([]float32{1, 2, 3, 1}, []float32{1, 2})  // rows 1-2
	c.Write([]float32{0, -1, 2, 2}, []float32{0, 3}) // rows 3-4
	v, _ := c.Value()
	fmt.Printf("n=%d cka=%.4f\n", c.N(), v)
	// Output: n=4 cka=0.7201
}
