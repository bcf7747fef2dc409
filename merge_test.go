package atlas

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/aggregate"
	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/metrics"
	"github.com/latentatlas/atlas/relative"
	"github.com/latentatlas/atlas/space"
	"github.com/latentatlas/atlas/synth"
)

func synthCharts(t *testing.T, setting synth.Setting) (*synth.Set, []*chartio.Chart) {
	t.Helper()
	cfg := synth.Default()
	cfg.Setting = setting
	cfg.Charts, cfg.Classes, cfg.Shared, cfg.Samples = 2, 10, 4, 1200
	set, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	charts := set.AsCharts()
	return set, charts
}

// The authors' own sanity check (paper-spec 8): when every task uses the
// same encoder, the merged space equals original_rel and CKA is 1.
func TestSameEncoderMergesToOriginalRel(t *testing.T) {
	set, charts := synthCharts(t, synth.SharedSamples)
	anchorsRef := charts[0].Anchors
	// Every "task" embeds its samples with one encoder: chart 1's.
	enc := charts[0]
	var same []*chartio.Chart
	for _, task := range set.Tasks {
		keep := map[int]bool{}
		for _, c := range task {
			keep[c] = true
		}
		sub := enc.Space.Filter(func(r int) bool { return keep[enc.Space.Labels[r]] })
		same = append(same, &chartio.Chart{Space: sub, AnchorIDs: set.AnchorIDs, Anchors: anchorsRef})
	}
	at, _, err := Merge(same, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := Project([]*chartio.Chart{enc}, set.AnchorIDs, relative.Config{})
	if err != nil {
		t.Fatal(err)
	}
	origRel := rel[0].SortedByID()
	x, y, err := space.Align(at.Space, origRel, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x.Data {
		if math.Abs(float64(x.Data[i]-y.Data[i])) > 1e-6 {
			t.Fatalf("merged differs from original_rel at %d: %v vs %v", i, x.Data[i], y.Data[i])
		}
	}
	if cka, _ := metrics.LinearCKA(x, y); math.Abs(cka-1) > 1e-9 {
		t.Errorf("CKA = %v, want 1", cka)
	}
}

func TestMergeRecoversLatent(t *testing.T) {
	for _, setting := range synth.Settings {
		set, charts := synthCharts(t, setting)
		at, ids, err := Merge(charts, MergeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, set.AnchorIDs) {
			t.Errorf("%s: anchors %v", setting, ids)
		}
		x, y, err := space.Align(at.Space, set.Reference, false)
		if err != nil {
			t.Fatalf("%s: %v", setting, err)
		}
		// The latent's relative space, for comparison: CKA against it is
		// what the paper reports (merged vs original_rel).
		cka, _ := metrics.LinearCKA(x, y)
		if cka < 0.8 {
			t.Errorf("%s: CKA(atlas, latent) = %.3f, expected the merge to recover the latent (> 0.8)", setting, cka)
		}
	}
}

func TestResolveAnchors(t *testing.T) {
	mk := func(name string, ids []int64, anchors []int64) *chartio.Chart {
		return &chartio.Chart{Space: &space.Space{Name: name, IDs: ids, Dim: 1, Data: make([]float32, len(ids))}, AnchorIDs: anchors}
	}
	a := mk("a.npz", []int64{1, 2, 3, 4}, []int64{3, 1})
	b := mk("b.npz", []int64{1, 2, 3}, []int64{1, 3})
	c := mk("c.npz", []int64{1, 2, 3}, []int64{1, 2})
	ids, err := ResolveAnchors([]*chartio.Chart{a, b}, AnchorOptions{})
	if err != nil || !slices.Equal(ids, []int64{1, 3}) {
		t.Errorf("agreeing charts: %v %v", ids, err)
	}
	_, err = ResolveAnchors([]*chartio.Chart{a, c}, AnchorOptions{})
	if err == nil || !strings.Contains(err.Error(), "1 only in a.npz (3), 1 only in c.npz (2)") {
		t.Errorf("disagreeing charts: %v", err)
	}
	none := mk("n.npz", []int64{1, 2}, nil)
	if _, err := ResolveAnchors([]*chartio.Chart{none}, AnchorOptions{}); err == nil || !strings.Contains(err.Error(), "--anchors") {
		t.Errorf("no anchors: %v", err)
	}
	ids, _ = ResolveAnchors([]*chartio.Chart{a, b}, AnchorOptions{Count: 3, Seed: 1})
	if !slices.Equal(ids, []int64{1, 2, 3}) {
		t.Errorf("chosen among common ids: %v", ids)
	}
	if _, err := ChartAnchors(b, []int64{1, 4, 9}); err == nil || !strings.Contains(err.Error(), "b.npz did not embed 2 of the 3 anchors") {
		t.Errorf("missing anchors: %v", err)
	}
}

func TestMergeDimensionMismatchNeedsSameAnchors(t *testing.T) {
	// Charts of different widths merge fine: relative coordinates share
	// the anchors, not the absolute dimension.
	cfg := synth.Default()
	cfg.Charts, cfg.Dims = 3, []int{16, 24, 40}
	set, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	charts := set.AsCharts()
	at, _, err := Merge(charts, MergeOptions{Method: aggregate.Mean})
	if err != nil {
		t.Fatal(err)
	}
	if at.Space.Dim != cfg.Anchors {
		t.Errorf("atlas dim %d, want %d anchors", at.Space.Dim, cfg.Anchors)
	}
}
