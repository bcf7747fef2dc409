package aggregate_test

import (
	"fmt"

	"github.com/latentatlas/atlas/aggregate"
	"github.com/latentatlas/atlas/space"
)

// Sample 1 is seen by both charts and gets the mean; samples 2 and 3 keep
// the vector of the one chart that saw them.
func ExampleMerge() {
	a, _ := space.New("a", []int64{1, 2}, nil, 2, []float32{1, 2, 3, 4})
	b, _ := space.New("b", []int64{3, 1}, nil, 2, []float32{5, 6, 3, 0})
	at, _ := aggregate.Merge(aggregate.Mean, []*space.Space{a, b})
	fmt.Println(at.Space.IDs, at.Space.Data, at.Coverage)
	// Output: [1 2 3] [2 1 3 4 5 6] [2 1 1]
}
