package atlas_test

import (
	"fmt"

	"github.com/latentatlas/atlas"
	"github.com/latentatlas/atlas/metrics"
	"github.com/latentatlas/atlas/space"
	"github.com/latentatlas/atlas/synth"
)

// Merge two synthetic charts (two "models" that each saw part of the data)
// and compare the atlas with the latent both were made from.
func ExampleMerge() {
	cfg := synth.Default()
	cfg.Charts, cfg.Samples = 2, 1000
	set, _ := synth.Generate(cfg)
	charts := set.AsCharts()
	a, anchors, err := atlas.Merge(charts, atlas.MergeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y, _ := space.Align(a.Space, set.Reference, false)
	cka, _ := metrics.LinearCKA(x, y)
	fmt.Printf("%d samples x %d anchors, CKA with the latent %.2f\n", a.Space.N(), len(anchors), cka)
	// Output: 1000 samples x 64 anchors, CKA with the latent 0.94
}
