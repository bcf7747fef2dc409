// Package anchor chooses anchor samples: the ids every chart must have
// embedded, against which relative representations are taken.
//
// Strategies are seeded and deterministic. The result is sorted by id so
// that coordinate order does not depend on how the pool was listed.
package anchor

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/latentatlas/atlas/space"
)

// Strategy names an anchor-selection strategy.
type Strategy string

const (
	// Random draws k ids uniformly without replacement (the paper's Exp 1).
	Random Strategy = "random"
	// Stratified draws round-robin over classes, one id per class in turn,
	// each class in a seeded random order (as relreps does).
	Stratified Strategy = "stratified"
)

// Strategies lists the strategies, for flag help.
var Strategies = []Strategy{Random, Stratified}

// Choose picks k ids from pool. labels (parallel to pool) is needed only
// for Stratified. pool must not hold duplicates.
func Choose(strategy Strategy, pool []int64, labels []int, k int, seed uint64) ([]int64, error) {
	if k <= 0 {
		return nil, fmt.Errorf("anchor count must be positive, got %d", k)
	}
	if k > len(pool) {
		return nil, fmt.Errorf("asked for %d anchors but only %d candidate ids are embedded by every chart", k, len(pool))
	}
	// Work on a sorted copy so the draw does not depend on pool order.
	order := make([]int, len(pool))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmpInt64(pool[a], pool[b]) })
	rng := rand.New(rand.NewPCG(seed, 0x616e63686f72)) // stream "anchor"
	var out []int64
	switch strategy {
	case Random, "":
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, r := range order[:k] {
			out = append(out, pool[r])
		}
	case Stratified:
		if labels == nil {
			return nil, fmt.Errorf("stratified anchors need labels, and the charts have none")
		}
		byClass := map[int][]int64{}
		for _, r := range order {
			byClass[labels[r]] = append(byClass[labels[r]], pool[r])
		}
		classes := make([]int, 0, len(byClass))
		for c := range byClass {
			classes = append(classes, c)
		}
		slices.Sort(classes)
		for _, c := range classes {
			ids := byClass[c]
			rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		}
		for round := 0; len(out) < k; round++ {
			for _, c := range classes {
				if round < len(byClass[c]) && len(out) < k {
					out = append(out, byClass[c][round])
				}
			}
		}
	default:
		return nil, fmt.Errorf("unknown anchor strategy %q (want one of %v)", strategy, Strategies)
	}
	slices.Sort(out)
	return out, nil
}

// Common returns the ids embedded by every space, ascending, with their
// labels taken from the first space that has labels (nil if none has).
func Common(spaces []*space.Space) ([]int64, []int) {
	if len(spaces) == 0 {
		return nil, nil
	}
	count := map[int64]int{}
	for _, s := range spaces {
		for _, id := range s.IDs {
			count[id]++
		}
	}
	var ids []int64
	for id, c := range count {
		if c == len(spaces) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, s := range spaces {
		if s.HasLabels() {
			idx := s.Index()
			labels := make([]int, len(ids))
			for i, id := range ids {
				labels[i] = s.Labels[idx[id]]
			}
			return ids, labels
		}
	}
	return ids, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
