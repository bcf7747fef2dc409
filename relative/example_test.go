package relative_test

import (
	"fmt"

	"github.com/latentatlas/atlas/relative"
	"github.com/latentatlas/atlas/space"
)

// A sample at (3, 4) is described by its cosine to two anchors.
func ExampleConfig_Fit() {
	anchors, _ := space.New("anchors", []int64{10, 11}, nil, 2, []float32{1, 0, 0, 2})
	chart, _ := space.New("chart", []int64{1}, nil, 2, []float32{3, 4})
	p, _ := relative.Config{Kind: relative.Cosine}.Fit(anchors)
	rel, _ := p.Transform(chart)
	fmt.Println(p.AnchorIDs(), rel.Data)
	// Output: [10 11] [0.6 0.8]
}
