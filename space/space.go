// Package space holds the data model of atlas: a Space is a set of samples,
// each with a unique int64 id, an optional integer label and a d-dimensional
// float32 row.
//
// Every stage of atlas is keyed by sample id, never by row order alone
// (design.md): comparisons align two spaces by id and fail loudly when their
// id sets differ, unless the caller asks for the intersection.
package space

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Space is n samples in d dimensions. Data is row-major: row i is
// Data[i*Dim : (i+1)*Dim]. Labels is nil when the space has no labels.
//
// A Space is treated as immutable once built: functions that derive a new
// space (Subset, Align, ...) copy rows and never modify their input.
type Space struct {
	Name   string
	IDs    []int64
	Labels []int // nil: no labels
	Dim    int
	Data   []float32
}

// New builds a space from its parts and validates it. ids, labels and data
// are used as given (not copied).
func New(name string, ids []int64, labels []int, dim int, data []float32) (*Space, error) {
	s := &Space{Name: name, IDs: ids, Labels: labels, Dim: dim, Data: data}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// N is the number of samples.
func (s *Space) N() int { return len(s.IDs) }

// Row returns row i (a view into Data, not a copy).
func (s *Space) Row(i int) []float32 { return s.Data[i*s.Dim : (i+1)*s.Dim] }

// HasLabels reports whether every sample has a label.
func (s *Space) HasLabels() bool { return s.Labels != nil }

// Validate checks shapes, that ids are unique and that every value is finite.
// Its errors name the space, the offending ids and rows.
func (s *Space) Validate() error {
	if s.Dim <= 0 {
		return fmt.Errorf("%s: dimension must be positive, got %d", s.label(), s.Dim)
	}
	if len(s.Data) != len(s.IDs)*s.Dim {
		return fmt.Errorf("%s: %d ids but %d values (want %d x %d)", s.label(), len(s.IDs), len(s.Data), len(s.IDs), s.Dim)
	}
	if s.Labels != nil && len(s.Labels) != len(s.IDs) {
		return fmt.Errorf("%s: %d ids but %d labels", s.label(), len(s.IDs), len(s.Labels))
	}
	if err := checkUnique(s.IDs); err != nil {
		return fmt.Errorf("%s: %w", s.label(), err)
	}
	if s.Labels != nil {
		for i, l := range s.Labels {
			if l < 0 {
				return fmt.Errorf("%s: negative label %d for id %d (row %d)", s.label(), l, s.IDs[i], i)
			}
		}
	}
	return CheckFinite(s.label(), s.IDs, s.Dim, s.Data)
}

func (s *Space) label() string {
	if s.Name == "" {
		return "space"
	}
	return s.Name
}

// ErrNonFinite is wrapped by errors about NaN or Inf values.
var ErrNonFinite = errors.New("non-finite value")

// CheckFinite returns an error naming the first rows (up to 5) that hold
// NaN or Inf. name prefixes the message; ids name the rows.
func CheckFinite(name string, ids []int64, dim int, data []float32) error {
	var bad []string
	for i := 0; i*dim < len(data) && len(bad) < 5; i++ {
		for j, v := range data[i*dim : (i+1)*dim] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				bad = append(bad, fmt.Sprintf("id %d (row %d, column %d) is %v", ids[i], i, j, v))
				break
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: %w: %s", name, ErrNonFinite, strings.Join(bad, "; "))
	}
	return nil
}

// ErrDuplicateID is wrapped by errors about repeated ids.
var ErrDuplicateID = errors.New("duplicate id")

func checkUnique(ids []int64) error {
	seen := make(map[int64]int, len(ids))
	for i, id := range ids {
		if j, ok := seen[id]; ok {
			return fmt.Errorf("%w %d at rows %d and %d", ErrDuplicateID, id, j, i)
		}
		seen[id] = i
	}
	return nil
}

// Index maps each id to its row.
func (s *Space) Index() map[int64]int {
	m := make(map[int64]int, len(s.IDs))
	for i, id := range s.IDs {
		m[id] = i
	}
	return m
}

// Subset returns a new space holding the given ids, in the given order.
// It fails, naming up to 5 of them, when some ids are not in s.
func (s *Space) Subset(ids []int64) (*Space, error) {
	idx := s.Index()
	rows := make([]int, len(ids))
	var missing []int64
	for i, id := range ids {
		r, ok := idx[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		rows[i] = r
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: %d requested ids are missing: %s", s.label(), len(missing), FormatIDs(missing, 5))
	}
	return s.Rows(rows), nil
}

// Rows returns a new space made of the given rows, in that order.
func (s *Space) Rows(rows []int) *Space {
	out := &Space{Name: s.Name, IDs: make([]int64, len(rows)), Dim: s.Dim, Data: make([]float32, len(rows)*s.Dim)}
	if s.Labels != nil {
		out.Labels = make([]int, len(rows))
	}
	for i, r := range rows {
		out.IDs[i] = s.IDs[r]
		if s.Labels != nil {
			out.Labels[i] = s.Labels[r]
		}
		copy(out.Row(i), s.Row(r))
	}
	return out
}

// Filter returns the samples for which keep(row) is true, in order.
func (s *Space) Filter(keep func(row int) bool) *Space {
	var rows []int
	for i := range s.IDs {
		if keep(i) {
			rows = append(rows, i)
		}
	}
	return s.Rows(rows)
}

// SortedByID returns a copy of s with rows in ascending id order.
func (s *Space) SortedByID() *Space {
	rows := make([]int, s.N())
	for i := range rows {
		rows[i] = i
	}
	sort.Slice(rows, func(a, b int) bool { return s.IDs[rows[a]] < s.IDs[rows[b]] })
	return s.Rows(rows)
}

// Align returns x and y restricted to the same ids in the same (ascending)
// order. Unless intersect is true, the two id sets must be equal; the error
// then counts and names the ids found in only one of them.
func Align(x, y *Space, intersect bool) (*Space, *Space, error) {
	onlyX, onlyY, both := Diff(x.IDs, y.IDs)
	if !intersect && (len(onlyX) > 0 || len(onlyY) > 0) {
		return nil, nil, fmt.Errorf("ids differ: %d only in %s (%s), %d only in %s (%s); pass --intersect to compare the %d common ids",
			len(onlyX), x.label(), FormatIDs(onlyX, 5), len(onlyY), y.label(), FormatIDs(onlyY, 5), len(both))
	}
	if len(both) == 0 {
		return nil, nil, fmt.Errorf("%s and %s share no ids", x.label(), y.label())
	}
	xa, err := x.Subset(both)
	if err != nil {
		return nil, nil, err
	}
	ya, err := y.Subset(both)
	if err != nil {
		return nil, nil, err
	}
	return xa, ya, nil
}

// Diff returns the ids only in a, only in b, and in both, each sorted.
func Diff(a, b []int64) (onlyA, onlyB, both []int64) {
	inB := make(map[int64]bool, len(b))
	for _, id := range b {
		inB[id] = true
	}
	inA := make(map[int64]bool, len(a))
	for _, id := range a {
		inA[id] = true
		if inB[id] {
			both = append(both, id)
		} else {
			onlyA = append(onlyA, id)
		}
	}
	for _, id := range b {
		if !inA[id] {
			onlyB = append(onlyB, id)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	slices.Sort(both)
	return onlyA, onlyB, slices.Compact(both)
}

// FormatIDs prints at most max ids, then how many more there are.
func FormatIDs(ids []int64, max int) string {
	var b strings.Builder
	for i, id := range ids {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(ids)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

// LabelSet returns the distinct labels, ascending.
func (s *Space) LabelSet() []int {
	seen := map[int]bool{}
	var out []int
	for _, l := range s.Labels {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// WithLabels returns the samples whose label is in keep.
func (s *Space) WithLabels(keep []int) (*Space, error) {
	if s.Labels == nil {
		return nil, fmt.Errorf("%s has no labels to select by", s.label())
	}
	set := map[int]bool{}
	for _, l := range keep {
		set[l] = true
	}
	return s.Filter(func(r int) bool { return set[s.Labels[r]] }), nil
}
