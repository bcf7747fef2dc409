package space

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	nan := float32(math.NaN())
	cases := map[string]struct {
		s    Space
		want string
	}{
		"dup":       {Space{Name: "x", IDs: []int64{1, 1}, Dim: 1, Data: []float32{1, 2}}, "duplicate id 1 at rows 0 and 1"},
		"short":     {Space{Name: "x", IDs: []int64{1, 2}, Dim: 2, Data: []float32{1, 2}}, "2 ids but 2 values (want 2 x 2)"},
		"labels":    {Space{Name: "x", IDs: []int64{1}, Labels: []int{1, 2}, Dim: 1, Data: []float32{1}}, "1 ids but 2 labels"},
		"neg label": {Space{Name: "x", IDs: []int64{5}, Labels: []int{-1}, Dim: 1, Data: []float32{1}}, "negative label -1 for id 5"},
		"nan":       {Space{Name: "x", IDs: []int64{5, 6}, Dim: 1, Data: []float32{1, nan}}, "id 6 (row 1, column 0) is NaN"},
		"dim":       {Space{Name: "x", Dim: 0}, "dimension must be positive"},
	}
	for name, c := range cases {
		err := c.s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x") {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	s := Space{Name: "x", IDs: []int64{1, 1}, Dim: 1, Data: []float32{1, 2}}
	if !errors.Is(s.Validate(), ErrDuplicateID) {
		t.Error("duplicate id error does not wrap ErrDuplicateID")
	}
}

func TestAlign(t *testing.T) {
	x, _ := New("x", []int64{3, 1, 2}, []int{0, 1, 0}, 1, []float32{30, 10, 20})
	y, _ := New("y", []int64{2, 3, 4}, nil, 1, []float32{200, 300, 400})
	if _, _, err := Align(x, y, false); err == nil ||
		!strings.Contains(err.Error(), "1 only in x (1)") || !strings.Contains(err.Error(), "1 only in y (4)") {
		t.Errorf("mismatch error: %v", err)
	}
	xa, ya, err := Align(x, y, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(xa.IDs, []int64{2, 3}) || !slices.Equal(xa.Data, []float32{20, 30}) ||
		!slices.Equal(ya.Data, []float32{200, 300}) || !slices.Equal(xa.Labels, []int{0, 0}) {
		t.Errorf("aligned %v %v %v", xa.IDs, xa.Data, ya.Data)
	}
	z, _ := New("z", []int64{9}, nil, 1, []float32{1})
	if _, _, err := Align(x, z, true); err == nil || !strings.Contains(err.Error(), "share no ids") {
		t.Errorf("disjoint: %v", err)
	}
}

func TestSubsetAndLabels(t *testing.T) {
	x, _ := New("x", []int64{3, 1, 2}, []int{0, 1, 0}, 2, []float32{30, 31, 10, 11, 20, 21})
	s, err := x.Subset([]int64{2, 3})
	if err != nil || !slices.Equal(s.Data, []float32{20, 21, 30, 31}) {
		t.Errorf("subset %v %v", s, err)
	}
	if _, err := x.Subset([]int64{2, 8, 9}); err == nil || !strings.Contains(err.Error(), "2 requested ids are missing: 8, 9") {
		t.Errorf("missing: %v", err)
	}
	if got := x.LabelSet(); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("labels %v", got)
	}
	w, _ := x.WithLabels([]int{1})
	if !slices.Equal(w.IDs, []int64{1}) {
		t.Errorf("with labels %v", w.IDs)
	}
	if got := x.SortedByID(); !slices.Equal(got.IDs, []int64{1, 2, 3}) || !slices.Equal(got.Data[:2], []float32{10, 11}) {
		t.Errorf("sorted %v", got.IDs)
	}
	if FormatIDs([]int64{1, 2, 3, 4}, 2) != "1, 2 and 2 more" {
		t.Errorf("format %q", FormatIDs([]int64{1, 2, 3, 4}, 2))
	}
}
