package aggregate

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/internal/randmat"
	"github.com/latentatlas/atlas/space"
)

func TestMeanByHand(t *testing.T) {
	a := &space.Space{Name: "a", IDs: []int64{1, 2}, Labels: []int{0, 1}, Dim: 2, Data: []float32{1, 2, 3, 4}}
	b := &space.Space{Name: "b", IDs: []int64{3, 1}, Labels: []int{1, 0}, Dim: 2, Data: []float32{5, 6, 3, 0}}
	at, err := Merge(Mean, []*space.Space{a, b})
	if err != nil {
		t.Fatal(err)
	}
	// id 1: mean of (1,2) and (3,0); ids 2 and 3: their only vectors.
	if !slices.Equal(at.Space.IDs, []int64{1, 2, 3}) ||
		!slices.Equal(at.Space.Data, []float32{2, 1, 3, 4, 5, 6}) ||
		!slices.Equal(at.Coverage, []int{2, 1, 1}) ||
		!slices.Equal(at.Space.Labels, []int{0, 1, 1}) {
		t.Errorf("got ids %v data %v coverage %v labels %v", at.Space.IDs, at.Space.Data, at.Coverage, at.Space.Labels)
	}
	single, _ := Merge(Single, []*space.Space{b, a})
	if !slices.Equal(single.Space.Data, []float32{3, 0, 3, 4, 5, 6}) || !slices.Equal(single.Coverage, []int{2, 1, 1}) {
		t.Errorf("single: %v %v", single.Space.Data, single.Coverage)
	}
}

func TestIdenticalChartsMergeToThemselves(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	ids := []int64{4, 1, 9, 7}
	c := &space.Space{Name: "c", IDs: ids, Dim: 3, Data: randmat.Gaussian(rng, 4, 3)}
	at, err := Merge(Mean, []*space.Space{c, c, c})
	if err != nil {
		t.Fatal(err)
	}
	want := c.SortedByID()
	if !slices.Equal(at.Space.Data, want.Data) {
		t.Errorf("mean of identical charts changed the values:\n%v\n%v", at.Space.Data, want.Data)
	}
}

func TestMeanIsOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var charts []*space.Space
	for c := range 6 {
		var ids []int64
		for id := range int64(300) {
			if rng.IntN(3) > 0 || id < 10 { // ids 0..9 in every chart
				ids = append(ids, id)
			}
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		data := randmat.Gaussian(rng, len(ids), 16)
		for i := range data {
			data[i] *= float32(1 + 1000*rng.Float64()) // magnitudes where float32 sums round
		}
		charts = append(charts, &space.Space{Name: string(rune('a' + c)), IDs: ids, Dim: 16, Data: data})
	}
	first, err := Merge(Mean, charts)
	if err != nil {
		t.Fatal(err)
	}
	for trial := range 20 {
		perm := slices.Clone(charts)
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		got, _ := Merge(Mean, perm)
		if !slices.Equal(got.Space.Data, first.Space.Data) || !slices.Equal(got.Coverage, first.Coverage) {
			t.Fatalf("trial %d: result depends on chart order", trial)
		}
	}
	for i := range 10 {
		if first.Coverage[i] != 6 {
			t.Errorf("id %d coverage %d, want 6", i, first.Coverage[i])
		}
	}
}

func TestMergeErrors(t *testing.T) {
	a := &space.Space{Name: "a.npz", IDs: []int64{1}, Labels: []int{0}, Dim: 2, Data: []float32{1, 2}}
	b := &space.Space{Name: "b.npz", IDs: []int64{1}, Labels: []int{3}, Dim: 2, Data: []float32{1, 2}}
	wide := &space.Space{Name: "wide.npz", IDs: []int64{1}, Dim: 3, Data: []float32{1, 2, 3}}
	if _, err := Merge(Mean, []*space.Space{a, b}); err == nil || !strings.Contains(err.Error(), "id 1 has label") {
		t.Errorf("label conflict: %v", err)
	}
	if _, err := Merge(Mean, []*space.Space{a, wide}); err == nil || !strings.Contains(err.Error(), "wide.npz has 3 columns") {
		t.Errorf("dimension mismatch: %v", err)
	}
	if _, err := Merge(Mean, nil); err == nil {
		t.Error("no charts accepted")
	}
	if _, err := Merge("median", []*space.Space{a}); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := Jumble([]*space.Space{a, wide}); err == nil {
		t.Error("jumble of different dimensions accepted")
	}
}

func TestJumble(t *testing.T) {
	a := &space.Space{Name: "a", IDs: []int64{1, 2}, Labels: []int{0, 1}, Dim: 1, Data: []float32{1, 2}}
	b := &space.Space{Name: "b", IDs: []int64{2}, Labels: []int{1}, Dim: 1, Data: []float32{5}}
	j, err := Jumble([]*space.Space{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(j.IDs, []int64{1, 2, 2}) || !slices.Equal(j.Source, []int{0, 0, 1}) ||
		!slices.Equal(j.Data, []float32{1, 2, 5}) || !slices.Equal(j.Labels, []int{0, 1, 1}) {
		t.Errorf("jumble %+v", j)
	}
}
