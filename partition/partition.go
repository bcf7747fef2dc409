// Package partition splits a labelled data set into tasks, one per model,
// in the three settings of "From Charts to Atlas" (paper-spec 2), plus
// task 0, the end-to-end model's data. A Manifest lists the ids of every
// task's train, validation and test samples, its classes, and the anchor
// pool, so a run can be reproduced and audited.
//
// Differences from the paper's code, on purpose (paper-spec 7): label maps
// are sorted (19); the shared-classes fractions are taken from the
// original pool size, so they are right for any number of tasks (10);
// shared/novel choices that leave classes uncovered are rejected (9); and
// every manifest is checked to cover every class and test sample.
package partition

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Setting is one of the paper's three ways to split a data set.
type Setting string

const (
	// SharedSamples (the paper's part_shared_part_novel, Exp 1): Shared
	// classes seen by every task plus Novel classes owned by one task each.
	SharedSamples Setting = "shared-samples"
	// SharedClasses (same_classes_disj_samples, Exp 2): every task sees
	// every class, on disjoint samples. Classes are cut by index into Tasks
	// groups; task t takes Major of group t's samples and an equal share
	// of the rest of every other group.
	SharedClasses Setting = "shared-classes"
	// Disjoint (totally_disjoint, Exp 3): tasks see disjoint groups of
	// classes, cut by index.
	Disjoint Setting = "disjoint"
)

// Settings lists the settings in the paper's order.
var Settings = []Setting{SharedSamples, SharedClasses, Disjoint}

// Config chooses a partition.
type Config struct {
	Setting     Setting `json:"setting"`
	Classes     int     `json:"classes"`        // C
	Shared      int     `json:"shared"`         // S (SharedSamples)
	Novel       int     `json:"novel"`          // N per task (SharedSamples)
	Tasks       int     `json:"tasks"`          // T (SharedClasses, Disjoint)
	Major       float64 `json:"major_fraction"` // SharedClasses: 0.8 in the paper
	ValFraction float64 `json:"val_fraction"`   // 0.1 in the paper
	// AnchorPool is how many training samples (all classes) are set aside
	// as anchor candidates in SharedClasses and Disjoint and removed from
	// the tasks' data (1000 in the paper). SharedSamples draws anchors
	// from the shared classes' training samples instead, at analysis time.
	AnchorPool int    `json:"anchor_pool"`
	Seed       uint64 `json:"seed"`
}

// Task is one model's data. Task 0 is the end-to-end model.
type Task struct {
	Index   int     `json:"index"`
	Classes []int   `json:"classes"` // global labels, ascending; the model's outputs
	Train   []int64 `json:"train"`
	Val     []int64 `json:"val"`
	Test    []int64 `json:"test"`
}

// Manifest is a whole partition.
type Manifest struct {
	Config        Config  `json:"config"`
	SharedClasses []int   `json:"shared_classes,omitempty"` // SharedSamples
	AnchorPool    []int64 `json:"anchor_pool,omitempty"`    // in draw order
	Task0         Task    `json:"task0"`
	Tasks         []Task  `json:"tasks"`
}

// Samples are the ids and labels of one split of a data set.
type Samples struct {
	IDs    []int64
	Labels []int
}

// Make builds the manifest for train and test samples.
func Make(cfg Config, train, test Samples) (*Manifest, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7061727469)) // stream "parti"
	m := &Manifest{Config: cfg}
	all := make([]int, cfg.Classes)
	for c := range all {
		all[c] = c
	}
	// Task 0: every training sample (anchors included, as in the paper).
	m.Task0 = Task{Index: 0, Classes: all, Test: slices.Clone(test.IDs)}
	m.Task0.Train, m.Task0.Val = splitVal(rng, slices.Clone(train.IDs), cfg.ValFraction)

	byClass := func(s Samples, exclude map[int64]bool) [][]int64 {
		out := make([][]int64, cfg.Classes)
		for i, id := range s.IDs {
			if !exclude[id] {
				out[s.Labels[i]] = append(out[s.Labels[i]], id)
			}
		}
		return out
	}
	switch cfg.Setting {
	case SharedSamples:
		perm := rng.Perm(cfg.Classes)
		m.SharedClasses = sortedCopy(perm[:cfg.Shared])
		novel := perm[cfg.Shared:]
		trainBy, testBy := byClass(train, nil), byClass(test, nil)
		for t := range (cfg.Classes - cfg.Shared) / cfg.Novel {
			classes := sortedCopy(append(slices.Clone(m.SharedClasses), novel[t*cfg.Novel:(t+1)*cfg.Novel]...))
			task := Task{Index: t + 1, Classes: classes}
			var tr []int64
			for _, c := range classes {
				tr = append(tr, trainBy[c]...)
				task.Test = append(task.Test, testBy[c]...)
			}
			task.Train, task.Val = splitVal(rng, tr, cfg.ValFraction)
			m.Tasks = append(m.Tasks, task)
		}
	case SharedClasses, Disjoint:
		if cfg.AnchorPool > len(train.IDs) {
			return nil, fmt.Errorf("partition: anchor pool of %d exceeds the %d training samples", cfg.AnchorPool, len(train.IDs))
		}
		poolOrder := rng.Perm(len(train.IDs))[:cfg.AnchorPool]
		exclude := map[int64]bool{}
		for _, i := range poolOrder {
			m.AnchorPool = append(m.AnchorPool, train.IDs[i])
			exclude[train.IDs[i]] = true
		}
		trainBy, testBy := byClass(train, exclude), byClass(test, nil)
		groups := classGroups(cfg.Classes, cfg.Tasks)
		for t := range cfg.Tasks {
			m.Tasks = append(m.Tasks, Task{Index: t + 1})
		}
		if cfg.Setting == Disjoint {
			for t, g := range groups {
				task := &m.Tasks[t]
				task.Classes = g
				var tr []int64
				for _, c := range g {
					tr = append(tr, trainBy[c]...)
					task.Test = append(task.Test, testBy[c]...)
				}
				task.Train, task.Val = splitVal(rng, tr, cfg.ValFraction)
			}
			break
		}
		trainParts := make([][]int64, cfg.Tasks)
		for g, classes := range groups {
			shares := groupShares(g, cfg.Tasks, cfg.Major)
			for _, by := range []struct {
				pools [][]int64
				train bool
			}{{trainBy, true}, {testBy, false}} {
				var pool []int64
				for _, c := range classes {
					pool = append(pool, by.pools[c]...)
				}
				rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
				for t, part := range cut(pool, shares) {
					if by.train {
						trainParts[t] = append(trainParts[t], part...)
					} else {
						m.Tasks[t].Test = append(m.Tasks[t].Test, part...)
					}
				}
			}
		}
		for t := range m.Tasks {
			m.Tasks[t].Classes = all
			m.Tasks[t].Train, m.Tasks[t].Val = splitVal(rng, trainParts[t], cfg.ValFraction)
		}
	}
	for t := range m.Tasks {
		slices.Sort(m.Tasks[t].Test)
	}
	if err := m.Check(train, test); err != nil {
		return nil, err
	}
	return m, nil
}

func (c Config) check() error {
	if c.Classes < 2 {
		return fmt.Errorf("partition: need at least 2 classes, got %d", c.Classes)
	}
	if c.ValFraction < 0 || c.ValFraction >= 1 {
		return fmt.Errorf("partition: validation fraction %v is not in [0, 1)", c.ValFraction)
	}
	switch c.Setting {
	case SharedSamples:
		if c.Shared < 1 || c.Shared >= c.Classes {
			return fmt.Errorf("partition: shared-samples needs 1 <= shared < %d classes, got shared = %d", c.Classes, c.Shared)
		}
		if c.Novel < 1 || (c.Classes-c.Shared)%c.Novel != 0 {
			return fmt.Errorf("partition: shared-samples with %d classes and %d shared leaves %d novel classes, which %d per task does not divide: some classes would belong to no task (choose shared and novel so that classes - shared is a multiple of novel)",
				c.Classes, c.Shared, c.Classes-c.Shared, c.Novel)
		}
	case SharedClasses, Disjoint:
		if c.Tasks < 2 || c.Tasks > c.Classes {
			return fmt.Errorf("partition: %s needs 2 to %d tasks, got %d", c.Setting, c.Classes, c.Tasks)
		}
		if c.Setting == SharedClasses && (c.Major <= 0 || c.Major > 1) {
			return fmt.Errorf("partition: major fraction %v is not in (0, 1]", c.Major)
		}
		if c.AnchorPool < 0 {
			return fmt.Errorf("partition: negative anchor pool")
		}
	default:
		return fmt.Errorf("partition: unknown setting %q (want one of %v)", c.Setting, Settings)
	}
	return nil
}

// classGroups cuts 0..c-1 by index into t contiguous groups whose sizes
// differ by at most one (larger groups first: 34/33/33 for 100/3).
func classGroups(c, t int) [][]int {
	groups := make([][]int, t)
	next := 0
	for g := range t {
		size := c / t
		if g < c%t {
			size++
		}
		for range size {
			groups[g] = append(groups[g], next)
			next++
		}
	}
	return groups
}

// groupShares is the fraction of class group g's samples each task takes:
// major for task g, the rest split evenly over the other tasks.
func groupShares(g, tasks int, major float64) []float64 {
	shares := make([]float64, tasks)
	for t := range shares {
		if t == g {
			shares[t] = major
		} else {
			shares[t] = (1 - major) / float64(tasks-1)
		}
	}
	return shares
}

// cut splits pool into parts of the given fractions of its size (which sum
// to 1), rounding by largest remainder so that every sample is assigned.
func cut(pool []int64, shares []float64) [][]int64 {
	n := len(pool)
	counts := make([]int, len(shares))
	total := 0
	type rem struct {
		i int
		r float64
	}
	var rems []rem
	for i, f := range shares {
		exact := f * float64(n)
		counts[i] = int(exact)
		total += counts[i]
		rems = append(rems, rem{i, exact - float64(counts[i])})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.r > b.r:
			return -1
		case a.r < b.r:
			return 1
		}
		return 0
	})
	for k := 0; total < n; k++ {
		counts[rems[k%len(rems)].i]++
		total++
	}
	parts := make([][]int64, len(shares))
	off := 0
	for i, c := range counts {
		parts[i] = pool[off : off+c]
		off += c
	}
	return parts
}

// splitVal shuffles ids and holds out frac of them for validation. Both
// parts are returned sorted.
func splitVal(rng *rand.Rand, ids []int64, frac float64) (train, val []int64) {
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	nv := int(frac * float64(len(ids)))
	val, train = slices.Clone(ids[:nv]), slices.Clone(ids[nv:])
	slices.Sort(train)
	slices.Sort(val)
	return train, val
}

func sortedCopy(s []int) []int {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// Check verifies a manifest: every class belongs to some task, every test
// sample is in some task's test set, tasks only hold samples of their
// classes, train/val/test never overlap within a task, anchors are in no
// task's data, and in SharedClasses and Disjoint the tasks' samples are
// disjoint.
func (m *Manifest) Check(train, test Samples) error {
	label := map[int64]int{}
	isTest := map[int64]bool{}
	for i, id := range train.IDs {
		label[id] = train.Labels[i]
	}
	for i, id := range test.IDs {
		label[id] = test.Labels[i]
		isTest[id] = true
	}
	anchors := map[int64]bool{}
	for _, id := range m.AnchorPool {
		anchors[id] = true
	}
	classCovered := make([]bool, m.Config.Classes)
	testCovered := map[int64]bool{}
	owner := map[int64]int{} // sample -> first task holding it
	for _, t := range m.Tasks {
		classes := map[int]bool{}
		for _, c := range t.Classes {
			classes[c] = true
			classCovered[c] = true
		}
		seen := map[int64]string{}
		for _, part := range []struct {
			name string
			ids  []int64
		}{{"train", t.Train}, {"val", t.Val}, {"test", t.Test}} {
			for _, id := range part.ids {
				l, ok := label[id]
				if !ok {
					return fmt.Errorf("partition: task %d %s holds unknown id %d", t.Index, part.name, id)
				}
				if !classes[l] {
					return fmt.Errorf("partition: task %d %s holds id %d of class %d, not one of its classes", t.Index, part.name, id, l)
				}
				if prev, dup := seen[id]; dup {
					return fmt.Errorf("partition: task %d has id %d in both %s and %s", t.Index, id, prev, part.name)
				}
				seen[id] = part.name
				if anchors[id] {
					return fmt.Errorf("partition: anchor %d is in task %d's %s data", id, t.Index, part.name)
				}
				if part.name == "test" {
					if !isTest[id] {
						return fmt.Errorf("partition: task %d test holds training id %d", t.Index, id)
					}
					testCovered[id] = true
				}
				if m.Config.Setting != SharedSamples {
					if o, ok := owner[id]; ok && o != t.Index {
						return fmt.Errorf("partition: id %d is in tasks %d and %d, which must be disjoint in %s", id, o, t.Index, m.Config.Setting)
					}
				}
				owner[id] = t.Index
			}
		}
	}
	for c, ok := range classCovered {
		if !ok {
			return fmt.Errorf("partition: class %d belongs to no task", c)
		}
	}
	for _, id := range test.IDs {
		if !testCovered[id] {
			return fmt.Errorf("partition: test sample %d is in no task's test set", id)
		}
	}
	return nil
}

// TaskOf returns, for each class, the tasks that see it.
func (m *Manifest) TaskOf() map[int][]int {
	out := map[int][]int{}
	for t, task := range m.Tasks {
		for _, c := range task.Classes {
			out[c] = append(out[c], t)
		}
	}
	return out
}
