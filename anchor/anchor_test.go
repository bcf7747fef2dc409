package anchor

import (
	"slices"
	"testing"

	"github.com/latentatlas/atlas/space"
)

func TestChooseDeterministicAndOrderFree(t *testing.T) {
	pool := []int64{50, 10, 40, 20, 30, 60, 70, 80}
	a, err := Choose(Random, pool, nil, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	rev := slices.Clone(pool)
	slices.Reverse(rev)
	b, _ := Choose(Random, rev, nil, 3, 7)
	if !slices.Equal(a, b) || !slices.IsSorted(a) || len(a) != 3 {
		t.Errorf("seeded draw depends on pool order: %v vs %v", a, b)
	}
	c, _ := Choose(Random, pool, nil, 3, 8)
	d, _ := Choose(Random, pool, nil, 3, 9)
	if slices.Equal(a, c) && slices.Equal(a, d) {
		t.Error("different seeds gave the same draw three times")
	}
}

func TestStratified(t *testing.T) {
	pool := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	labels := []int{0, 0, 0, 0, 0, 0, 1, 1, 2}
	got, err := Choose(Stratified, pool, labels, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, id := range got {
		count[labels[id-1]]++
	}
	// Round-robin: one of each class, then a second from class 0 or 1.
	if count[2] != 1 || count[0] < 1 || count[1] < 1 || len(got) != 4 {
		t.Errorf("stratified draw %v has class counts %v", got, count)
	}
	if _, err := Choose(Stratified, pool, nil, 2, 1); err == nil {
		t.Error("stratified without labels accepted")
	}
}

func TestChooseErrors(t *testing.T) {
	if _, err := Choose(Random, []int64{1, 2}, nil, 3, 0); err == nil {
		t.Error("more anchors than candidates accepted")
	}
	if _, err := Choose(Random, []int64{1, 2}, nil, 0, 0); err == nil {
		t.Error("zero anchors accepted")
	}
	if _, err := Choose("kmeans", []int64{1, 2}, nil, 1, 0); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func TestCommon(t *testing.T) {
	a := &space.Space{IDs: []int64{3, 1, 2}, Dim: 1, Data: make([]float32, 3)}
	b := &space.Space{IDs: []int64{2, 3, 4}, Labels: []int{7, 8, 9}, Dim: 1, Data: make([]float32, 3)}
	ids, labels := Common([]*space.Space{a, b})
	if !slices.Equal(ids, []int64{2, 3}) || !slices.Equal(labels, []int{7, 8}) {
		t.Errorf("common %v %v", ids, labels)
	}
}
