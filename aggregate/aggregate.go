// Package aggregate merges relative charts into one atlas (the second step
// of Relative Latent Space Aggregation, paper-spec 1.4), and builds the
// paper's naive baseline, the jumble.
//
// The paper averages a sample's relative vectors over the tasks that saw
// it, assuming a shared sample is seen by every task. Mean generalises this
// to any coverage: each sample's atlas vector is the mean over exactly the
// charts that embedded it, and that count is returned as its coverage.
package aggregate

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/latentatlas/atlas/space"
)

// Method names an aggregation.
type Method string

const (
	// Mean: the coverage-aware arithmetic mean (the paper's).
	Mean Method = "mean"
	// Single: the vector of the first chart, in the order given, that has
	// the sample (the paper's unused "single" option).
	Single Method = "single"
)

// Atlas is a merged space and, per row, how many charts embedded the
// sample.
type Atlas struct {
	Space    *space.Space
	Coverage []int
}

// Merge aggregates charts that share a coordinate system (relative charts
// on the same anchors, or any spaces of equal dimension). The atlas has the
// union of their ids, ascending. Labels are kept when every chart has them,
// and must agree where charts overlap.
//
// Mean does not depend on the order of charts: contributions are summed in
// float64 in a canonical order of the charts (by content fingerprint).
func Merge(method Method, charts []*space.Space) (*Atlas, error) {
	if len(charts) == 0 {
		return nil, fmt.Errorf("aggregate: no charts")
	}
	d := charts[0].Dim
	allLabels := true
	for _, c := range charts {
		if c.Dim != d {
			return nil, fmt.Errorf("aggregate: %s has %d columns but %s has %d; relative charts must share their anchors",
				c.Name, c.Dim, charts[0].Name, d)
		}
		allLabels = allLabels && c.HasLabels()
	}
	order := make([]int, len(charts))
	for i := range order {
		order[i] = i
	}
	switch method {
	case Mean, "":
		fp := make([][32]byte, len(charts))
		for i, c := range charts {
			fp[i] = fingerprint(c)
		}
		sort.SliceStable(order, func(a, b int) bool {
			return slices.Compare(fp[order[a]][:], fp[order[b]][:]) < 0
		})
	case Single:
	default:
		return nil, fmt.Errorf("aggregate: unknown method %q (want mean or single)", method)
	}

	ids := unionIDs(charts)
	row := make(map[int64]int, len(ids))
	for i, id := range ids {
		row[id] = i
	}
	n := len(ids)
	sum := make([]float64, n*d)
	coverage := make([]int, n)
	var labels []int
	labelFrom := make([]int, n) // chart index that set the label, for errors
	if allLabels {
		labels = make([]int, n)
	}
	for _, ci := range order {
		c := charts[ci]
		for i, id := range c.IDs {
			r := row[id]
			if labels != nil {
				if coverage[r] == 0 {
					labels[r], labelFrom[r] = c.Labels[i], ci
				} else if labels[r] != c.Labels[i] {
					return nil, fmt.Errorf("aggregate: id %d has label %d in %s but %d in %s",
						id, labels[r], charts[labelFrom[r]].Name, c.Labels[i], c.Name)
				}
			}
			if method == Single && coverage[r] > 0 {
				coverage[r]++
				continue
			}
			coverage[r]++
			dst := sum[r*d : (r+1)*d]
			for j, v := range c.Row(i) {
				dst[j] += float64(v)
			}
		}
	}
	data := make([]float32, n*d)
	for r := range n {
		div := float64(coverage[r])
		if method == Single {
			div = 1
		}
		for j := range d {
			data[r*d+j] = float32(sum[r*d+j] / div)
		}
	}
	return &Atlas{
		Space:    &space.Space{Name: "atlas", IDs: ids, Labels: labels, Dim: d, Data: data},
		Coverage: coverage,
	}, nil
}

func unionIDs(charts []*space.Space) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, c := range charts {
		for _, id := range c.IDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// fingerprint hashes a chart's content (not its name), so the canonical
// order is the same however charts are listed or named.
func fingerprint(s *space.Space) [32]byte {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(s.Dim))
	h.Write(b[:])
	for i, id := range s.IDs {
		binary.LittleEndian.PutUint64(b[:], uint64(id))
		h.Write(b[:])
		for _, v := range s.Row(i) {
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(v))
			h.Write(b[:4])
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Stacked is the paper's "jumble" baseline: the absolute embeddings of all
// charts stacked row by row with no alignment. A sample embedded by several
// charts appears once per chart, so ids may repeat; Source says which chart
// each row came from.
type Stacked struct {
	IDs    []int64
	Labels []int // nil unless every chart has labels
	Source []int // index of the chart in the input
	Dim    int
	Data   []float32
}

// Jumble stacks the rows of charts of equal dimension, in the order given.
func Jumble(charts []*space.Space) (*Stacked, error) {
	if len(charts) == 0 {
		return nil, fmt.Errorf("aggregate: no charts")
	}
	d := charts[0].Dim
	out := &Stacked{Dim: d}
	allLabels := true
	for _, c := range charts {
		if c.Dim != d {
			return nil, fmt.Errorf("aggregate: jumble stacks rows, so charts need one dimension: %s has %d, %s has %d",
				c.Name, c.Dim, charts[0].Name, d)
		}
		allLabels = allLabels && c.HasLabels()
	}
	for ci, c := range charts {
		out.IDs = append(out.IDs, c.IDs...)
		out.Data = append(out.Data, c.Data...)
		if allLabels {
			out.Labels = append(out.Labels, c.Labels...)
		}
		for range c.IDs {
			out.Source = append(out.Source, ci)
		}
	}
	return out, nil
}

// N is the number of rows.
func (s *Stacked) N() int { return len(s.IDs) }
