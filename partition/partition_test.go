package partition

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// data is a toy data set: per class, 50 training and 10 test samples.
func data(classes int) (train, test Samples) {
	for c := range classes {
		for range 50 {
			train.IDs = append(train.IDs, int64(len(train.IDs)))
			train.Labels = append(train.Labels, c)
		}
	}
	for c := range classes {
		for range 10 {
			test.IDs = append(test.IDs, int64(1000000+len(test.IDs)))
			test.Labels = append(test.Labels, c)
		}
	}
	return train, test
}

func TestSharedSamples(t *testing.T) {
	train, test := data(10)
	m, err := Make(Config{Setting: SharedSamples, Classes: 10, Shared: 4, Novel: 2, ValFraction: 0.1, Seed: 1}, train, test)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tasks) != 3 || len(m.SharedClasses) != 4 {
		t.Fatalf("%d tasks, shared %v", len(m.Tasks), m.SharedClasses)
	}
	for _, task := range m.Tasks {
		if len(task.Classes) != 6 || !slices.IsSorted(task.Classes) {
			t.Errorf("task %d classes %v", task.Index, task.Classes)
		}
		// 6 classes x 50 = 300 training samples, 10 % held out.
		if len(task.Train) != 270 || len(task.Val) != 30 || len(task.Test) != 60 {
			t.Errorf("task %d sizes %d/%d/%d", task.Index, len(task.Train), len(task.Val), len(task.Test))
		}
	}
	if len(m.Task0.Train)+len(m.Task0.Val) != 500 || len(m.Task0.Test) != 100 {
		t.Error("task 0 must hold all the data")
	}
	// Deterministic: the same seed gives the same manifest.
	m2, _ := Make(m.Config, train, test)
	a, _ := json.Marshal(m)
	b, _ := json.Marshal(m2)
	if string(a) != string(b) {
		t.Error("same seed, different manifest")
	}
}

func TestSharedClassesFractions(t *testing.T) {
	train, test := data(10)
	for _, tasks := range []int{2, 3, 5} {
		m, err := Make(Config{Setting: SharedClasses, Classes: 10, Tasks: tasks, Major: 0.8, ValFraction: 0.1, AnchorPool: 40, Seed: 2}, train, test)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, task := range m.Tasks {
			if len(task.Classes) != 10 {
				t.Errorf("task %d sees %d classes", task.Index, len(task.Classes))
			}
			total += len(task.Test)
		}
		if total != 100 {
			t.Errorf("%d tasks: test sets hold %d of 100 samples", tasks, total)
		}
		// Task 1 takes 80 % of group 1's test samples, for any task count
		// (the paper's code got this right only for 2 tasks).
		groups := classGroups(10, tasks)
		n1 := 0
		for _, id := range m.Tasks[0].Test {
			if slices.Contains(groups[0], test.Labels[id-1000000]) {
				n1++
			}
		}
		if want := 0.8 * float64(10*len(groups[0])); float64(n1) != want {
			t.Errorf("%d tasks: task 1 has %d test samples of its major group, want %v", tasks, n1, want)
		}
		if len(m.AnchorPool) != 40 {
			t.Errorf("anchor pool %d", len(m.AnchorPool))
		}
	}
}

func TestDisjoint(t *testing.T) {
	train, test := data(10)
	m, err := Make(Config{Setting: Disjoint, Classes: 10, Tasks: 3, ValFraction: 0.1, AnchorPool: 30, Seed: 3}, train, test)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	for i, task := range m.Tasks {
		if !slices.Equal(task.Classes, want[i]) {
			t.Errorf("task %d classes %v, want %v", task.Index, task.Classes, want[i])
		}
	}
	// The 30 anchors are removed from the tasks' training data.
	n := 0
	for _, task := range m.Tasks {
		n += len(task.Train) + len(task.Val)
	}
	if n != 500-30 {
		t.Errorf("tasks hold %d training samples, want 470", n)
	}
}

func TestRejects(t *testing.T) {
	train, test := data(10)
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"leftover classes": {Config{Setting: SharedSamples, Classes: 10, Shared: 3, Novel: 2}, "some classes would belong to no task"},
		"all shared":       {Config{Setting: SharedSamples, Classes: 10, Shared: 10, Novel: 1}, "shared < 10"},
		"one task":         {Config{Setting: Disjoint, Classes: 10, Tasks: 1}, "2 to 10 tasks"},
		"bad fraction":     {Config{Setting: SharedClasses, Classes: 10, Tasks: 2, Major: 1.5}, "major fraction"},
		"huge pool":        {Config{Setting: Disjoint, Classes: 10, Tasks: 2, AnchorPool: 5000}, "exceeds"},
		"bad setting":      {Config{Setting: "mixed", Classes: 10}, "unknown setting"},
	}
	for name, c := range cases {
		if _, err := Make(c.cfg, train, test); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

func TestCheckCatchesBrokenManifests(t *testing.T) {
	train, test := data(4)
	m, _ := Make(Config{Setting: Disjoint, Classes: 4, Tasks: 2, ValFraction: 0.1, Seed: 1}, train, test)
	m.Tasks[1].Test = m.Tasks[1].Test[1:]
	if err := m.Check(train, test); err == nil || !strings.Contains(err.Error(), "in no task's test set") {
		t.Errorf("uncovered test sample: %v", err)
	}
	m, _ = Make(Config{Setting: Disjoint, Classes: 4, Tasks: 2, ValFraction: 0.1, Seed: 1}, train, test)
	m.Tasks[1].Train = append(m.Tasks[1].Train, m.Tasks[0].Train[0])
	if err := m.Check(train, test); err == nil || !strings.Contains(err.Error(), "not one of its classes") {
		t.Errorf("foreign sample: %v", err)
	}
}
