package experiment

import (
	"encoding/json"
	"math"
	"sort"

	"github.com/latentatlas/atlas/metrics"

	"github.com/latentatlas/atlas/partition"
)

// Acc is a probe's test accuracy: total, and over the shared and the
// non-shared classes where the setting has both (exact, from every
// prediction). Names follow the paper's results files.
type Acc struct {
	TotalAcc float64 `json:"total_acc"`
	// CI95 is a bootstrap interval of TotalAcc over the test predictions.
	CI95         *metrics.Interval `json:"total_acc_ci95,omitempty"`
	SharedAcc    *float64          `json:"shared_class_acc,omitempty"`
	NonSharedAcc *float64          `json:"non_shared_class_acc,omitempty"`
	TrainRows    int               `json:"train_rows"`
	TestRows     int               `json:"test_rows"`
	Epochs       int               `json:"epochs"`
}

// RoutingResult holds what depends on how test samples reach task models.
type RoutingResult struct {
	// CKA on the test split. Keys: cka_orig_aggr_rel_rel (merged vs
	// original_rel; the paper's "total"), cka_shared, cka_non_shared
	// (shared-samples only), cka_orig_aggr_abs_rel (original_abs vs
	// merged), cka_naive_mean_abs (naive mean vs original_abs).
	CKA map[string]float64 `json:"cka"`
	// CKACI holds block-bootstrap intervals (metrics.BootstrapCKA) of the
	// atlas-vs-original_rel CKA values.
	CKACI map[string]metrics.Interval `json:"cka_ci95"`
	// Probe accuracy per space: merged, jumble, naive_mean.
	Classification map[string]Acc `json:"classification"`
	// Separability per space on the test split: merged, naive (the
	// jumble, as in the paper), naive_mean.
	Separability map[string]float64 `json:"separability"`
	// Coverage counts test samples by how many task models embedded them.
	Coverage map[int]int `json:"test_coverage"`
}

// Reference holds what does not depend on routing: the end-to-end
// model's spaces, and in disjoint the task-id baselines.
type Reference struct {
	CKA            map[string]float64 `json:"cka"` // cka_orig_orig_rel_abs
	Classification map[string]Acc     `json:"classification"`
	Separability   map[string]float64 `json:"separability"`
}

// TaskInfo describes one trained task model.
type TaskInfo struct {
	Index        int     `json:"index"`
	Classes      []int   `json:"classes"`
	TrainSamples int     `json:"train_samples"`
	TestSamples  int     `json:"test_samples"`
	TestAcc      float64 `json:"test_acc"` // its own head on its own test samples
	Epochs       int     `json:"epochs"`
}

// RunResult is one setting with one seed.
type RunResult struct {
	Setting       partition.Setting `json:"setting"`
	Seed          uint64            `json:"seed"`
	SharedClasses []int             `json:"shared_classes,omitempty"`
	// SeparabilityClasses are the classes whose pairs separability
	// averages over (pairs with at least one of them).
	SeparabilityClasses []int      `json:"separability_classes"`
	Anchors             int        `json:"anchors"`
	EndToEndAcc         float64    `json:"end_to_end_acc"`
	Tasks               []TaskInfo `json:"tasks"`
	TestSamples         int        `json:"test_samples"`
	ProbeTrainSamples   int        `json:"probe_train_samples"`
	Reference           Reference  `json:"reference"`
	// Routing: "oracle" (the paper's: a test sample goes to the tasks whose
	// classes hold its label) and "all" (label-free: every task model
	// embeds every sample, the atlas averages all of them).
	Routing map[string]*RoutingResult `json:"routing"`
	// PaperSplit: the paper's Exp 1 protocol (probe on a 70/15/15 split of
	// the test embeddings, oracle routing), when asked for.
	PaperSplit map[string]Acc `json:"paper_split_classification,omitempty"`
	Manifest   string         `json:"manifest"`
	Seconds    float64        `json:"-"` // in timings.json, so results.json is deterministic
}

// Stat is a mean and standard deviation over seeds.
type Stat struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"` // sample std (n-1); 0 for one seed
	N    int     `json:"n"`
}

// summarise flattens every numeric field of the runs of one setting into
// dotted paths ("routing.oracle.cka.cka_shared") and returns mean and std
// per path over the runs.
func summarise(runs []*RunResult) map[string]Stat {
	values := map[string][]float64{}
	for _, r := range runs {
		b, _ := json.Marshal(r)
		var tree any
		json.Unmarshal(b, &tree)
		flatten("", tree, values)
	}
	out := map[string]Stat{}
	for k, v := range values {
		if len(v) != len(runs) {
			continue // not present in every run
		}
		out[k] = meanStd(v)
	}
	return out
}

func flatten(prefix string, v any, into map[string][]float64) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, t[k], into)
		}
	case float64:
		switch prefix {
		case "seed", "seconds":
			return
		}
		into[prefix] = append(into[prefix], t)
	}
}

func meanStd(v []float64) Stat {
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	s := Stat{Mean: mean, N: len(v)}
	if len(v) > 1 {
		s.Std = math.Sqrt(ss / float64(len(v)-1))
	}
	return s
}
