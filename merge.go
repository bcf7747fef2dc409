// Package atlas merges the latent spaces ("charts") of several neural
// networks into one space, the atlas, with Relative Latent Space
// Aggregation (Crisostomi et al., "From Charts to Atlas: Merging Latent
// Spaces into One", NeurReps @ NeurIPS 2023):
//
//  1. each chart is made comparable by its relative representation: every
//     sample becomes its similarity to anchor samples that every model
//     embedded (package relative);
//  2. the relative charts are averaged, sample by sample, over the charts
//     that embedded the sample (package aggregate).
//
// This package ties the steps together for charts read from files
// (package chartio); the steps are usable on their own.
package atlas

import (
	"fmt"
	"slices"

	"github.com/latentatlas/atlas/aggregate"
	"github.com/latentatlas/atlas/anchor"
	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/relative"
	"github.com/latentatlas/atlas/space"
)

// AnchorOptions says where anchors come from, in order of precedence:
// explicit IDs; else Count ids chosen with Strategy among the ids every
// chart embeds; else the charts' own anchor_ids, which must agree.
type AnchorOptions struct {
	IDs      []int64
	Count    int
	Strategy anchor.Strategy
	Seed     uint64
}

// MergeOptions configures Merge.
type MergeOptions struct {
	Anchors    AnchorOptions
	Projection relative.Config
	Method     aggregate.Method
}

// ResolveAnchors returns the anchor ids for a set of charts.
func ResolveAnchors(charts []*chartio.Chart, o AnchorOptions) ([]int64, error) {
	if len(charts) == 0 {
		return nil, fmt.Errorf("no charts")
	}
	switch {
	case o.IDs != nil:
		return o.IDs, nil
	case o.Count > 0:
		spaces := make([]*space.Space, len(charts))
		for i, c := range charts {
			spaces[i] = c.Space
		}
		pool, labels := anchor.Common(spaces)
		return anchor.Choose(o.Strategy, pool, labels, o.Count, o.Seed)
	}
	var ref *chartio.Chart
	for _, c := range charts {
		if c.AnchorIDs == nil {
			continue
		}
		if ref == nil {
			ref = c
			continue
		}
		onlyRef, onlyC, _ := space.Diff(ref.AnchorIDs, c.AnchorIDs)
		if len(onlyRef) > 0 || len(onlyC) > 0 {
			return nil, fmt.Errorf("charts disagree on anchor_ids: %d only in %s (%s), %d only in %s (%s)",
				len(onlyRef), ref.Space.Name, space.FormatIDs(onlyRef, 5), len(onlyC), c.Space.Name, space.FormatIDs(onlyC, 5))
		}
	}
	if ref == nil {
		return nil, fmt.Errorf("no anchors: the charts have no anchor_ids array; choose some with --anchors N or list them with --anchor-ids FILE")
	}
	ids := slices.Clone(ref.AnchorIDs)
	slices.Sort(ids)
	return ids, nil
}

// ChartAnchors returns the embeddings of the given anchor ids in chart c,
// taken from its explicit anchors array when it holds them, else from its
// rows. The error names the chart and the missing ids.
func ChartAnchors(c *chartio.Chart, ids []int64) (*space.Space, error) {
	out := &space.Space{Name: c.Space.Name + " anchors", IDs: ids, Dim: c.Space.Dim, Data: make([]float32, len(ids)*c.Space.Dim)}
	var explicit map[int64]int
	if c.Anchors != nil {
		explicit = c.Anchors.Index()
	}
	rows := c.Space.Index()
	var missing []int64
	for i, id := range ids {
		if r, ok := explicit[id]; ok {
			copy(out.Row(i), c.Anchors.Row(r))
		} else if r, ok := rows[id]; ok {
			copy(out.Row(i), c.Space.Row(r))
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s did not embed %d of the %d anchors (no row in embeddings, none in anchors): ids %s", c.Space.Name, len(missing), len(ids), space.FormatIDs(missing, 8))
	}
	return out, nil
}

// Project returns the relative projection of every chart on the anchors.
func Project(charts []*chartio.Chart, anchorIDs []int64, cfg relative.Config) ([]*space.Space, error) {
	out := make([]*space.Space, len(charts))
	for i, c := range charts {
		a, err := ChartAnchors(c, anchorIDs)
		if err != nil {
			return nil, err
		}
		p, err := cfg.Fit(a)
		if err != nil {
			return nil, err
		}
		if out[i], err = p.Transform(c.Space); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Merge projects every chart on shared anchors and aggregates the relative
// charts into an atlas. It returns the atlas and the anchor ids used.
func Merge(charts []*chartio.Chart, o MergeOptions) (*aggregate.Atlas, []int64, error) {
	ids, err := ResolveAnchors(charts, o.Anchors)
	if err != nil {
		return nil, nil, err
	}
	rel, err := Project(charts, ids, o.Projection)
	if err != nil {
		return nil, nil, err
	}
	a, err := aggregate.Merge(o.Method, rel)
	if err != nil {
		return nil, nil, err
	}
	return a, ids, nil
}
