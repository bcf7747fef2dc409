package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/latentatlas/atlas/anchor"
	"github.com/latentatlas/atlas/dataset"
	"github.com/latentatlas/atlas/internal/atomicfile"
	"github.com/latentatlas/atlas/nn"
	"github.com/latentatlas/atlas/partition"
	"github.com/latentatlas/atlas/relative"
	"github.com/latentatlas/atlas/space"
)

// Observer is told what the run is doing. The library never prints; the
// command line draws these on a terminal.
type Observer interface {
	Stage(msg string)
	Progress(done, total int, note string)
}

type quiet struct{}

func (quiet) Stage(string)              {}
func (quiet) Progress(int, int, string) {}

// Results is everything a run produced.
type Results struct {
	Version string                        `json:"atlas_version"`
	Config  Config                        `json:"config"`
	Runs    []*RunResult                  `json:"runs"`
	Summary map[string]map[string]Stat    `json:"summary"` // setting -> metric path -> mean/std over seeds
	Seconds float64                       `json:"-"`       // in timings.json
	Spaces  map[string]map[string][]Point `json:"-"`       // setting -> space -> 2-D PCA points (first seed), for plots
}

// Point is a sample's 2-D projection and label, for scatter plots.
type Point struct {
	X, Y  float64
	Label int
}

// Run performs the experiment. Models and embeddings are cached under
// cacheDir (empty: no cache); manifests are written under outDir.
func Run(ctx context.Context, cfg Config, cacheDir, outDir, version string, obs Observer) (*Results, error) {
	if obs == nil {
		obs = quiet{}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	obs.Stage("loading " + cfg.Dataset)
	d, err := dataset.Load(cfg.Dataset)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, d: d, cache: cache{cacheDir}, obs: obs, outDir: outDir}
	res := &Results{Version: version, Config: cfg, Summary: map[string]map[string]Stat{},
		Spaces: map[string]map[string][]Point{}}
	for _, setting := range cfg.Settings {
		var runs []*RunResult
		for i, seed := range cfg.Seeds {
			rr, pts, err := r.runOne(ctx, setting, seed)
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d: %w", setting, seed, err)
			}
			runs = append(runs, rr)
			if i == 0 {
				res.Spaces[string(setting)] = pts
			}
		}
		res.Runs = append(res.Runs, runs...)
		res.Summary[string(setting)] = summarise(runs)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func (c Config) validate() error {
	switch {
	case len(c.Settings) == 0:
		return fmt.Errorf("no settings to run")
	case len(c.Seeds) == 0:
		return fmt.Errorf("no seeds")
	case c.Epochs <= 0:
		return fmt.Errorf("epochs must be positive")
	case c.AnchorsShared <= 0 || c.AnchorsPool <= 0:
		return fmt.Errorf("anchor counts must be positive")
	case c.AnchorsPool > c.AnchorPool:
		return fmt.Errorf("cannot use %d anchors from a pool of %d", c.AnchorsPool, c.AnchorPool)
	}
	return nil
}

type runner struct {
	cfg    Config
	d      *dataset.Dataset
	cache  cache
	obs    Observer
	outDir string
}

// seedFor derives a seed from the run seed and what it is for, so every
// random choice of a configuration is reproducible on its own
// (paper-spec 7.8).
func seedFor(seed uint64, parts ...any) uint64 {
	v, _ := strconv.ParseUint(key(append([]any{seed}, parts...)...)[:16], 16, 64) // key is hex
	return v
}

func (r *runner) samples(im *dataset.Images) partition.Samples {
	return partition.Samples{IDs: im.IDs, Labels: im.Labels}
}

// labelOf returns the label of any id (train or test).
func (r *runner) labelOf(id int64) int {
	if n := int64(r.d.Train.Len()); id >= n {
		return r.d.Test.Labels[id-n]
	}
	return r.d.Train.Labels[id]
}

// view is the images with the given ids as nn data with the given classes.
func (r *runner) view(ids []int64, classes []int) (*dataset.View, *dataset.View) {
	n := int64(r.d.Train.Len())
	var trainRows, testRows []int
	for _, id := range ids {
		if id < n {
			trainRows = append(trainRows, int(id))
		} else {
			testRows = append(testRows, int(id-n))
		}
	}
	return dataset.NewViewRows(r.d.Train, trainRows, classes, r.d.Mean, r.d.Std),
		dataset.NewViewRows(r.d.Test, testRows, classes, r.d.Mean, r.d.Std)
}

// trained is a model and how it was trained.
type trained struct {
	m      *nn.Model
	key    string
	epochs int
	train  int
}

// train returns the model for the given data, from the cache or trained.
func (r *runner) train(ctx context.Context, label string, classes []int, trainIDs, valIDs []int64, initSeed uint64) (*trained, error) {
	c := r.cfg
	if c.TrainLimit > 0 && len(trainIDs) > c.TrainLimit {
		rng := rand.New(rand.NewPCG(initSeed, 0x6c696d6974))
		frac := float64(c.TrainLimit) / float64(len(trainIDs))
		trainIDs = seededSubset(rng, trainIDs, c.TrainLimit)
		valIDs = seededSubset(rng, valIDs, max(1, int(frac*float64(len(valIDs)))))
	}
	tc := nn.TrainConfig{Epochs: c.Epochs, BatchSize: c.BatchSize, LR: c.LR, ClipNorm: c.ClipNorm, Patience: c.Patience, Seed: initSeed}
	k := key("model", r.d.Name, c.Model, classes, idsHash(trainIDs), idsHash(valIDs), tc)
	// A cached model counts only with its training history (older caches
	// lack it); otherwise the model is trained again and overwritten.
	if m, err := r.cache.model(k); err != nil {
		return nil, err
	} else if m != nil {
		hist, err := r.cache.history(k)
		if err != nil {
			return nil, err
		}
		if hist != nil {
			r.obs.Stage(label + " (cached)")
			return &trained{m: m, key: k, epochs: len(hist.Epochs), train: len(trainIDs)}, nil
		}
	}
	spec := nn.Spec{Arch: c.Model, InShape: []int{r.d.Train.C, r.d.Train.H, r.d.Train.W}, Classes: classes,
		EmbedDim: 128, Mean: r.d.Mean, Std: r.d.Std, Dataset: r.d.Name}
	m, err := nn.New(spec, initSeed)
	if err != nil {
		return nil, err
	}
	tv, _ := r.view(trainIDs, classes)
	vv, _ := r.view(valIDs, classes)
	var val nn.Data
	if vv.Len() > 0 {
		val = vv
	}
	r.obs.Stage(fmt.Sprintf("%s: %d classes, %d images", label, len(classes), tv.Len()))
	hist, err := nn.Train(ctx, m, tv, val, tc, func(p nn.Progress) {
		r.obs.Progress((p.Epoch-1)*p.Steps+p.Step, p.Epochs*p.Steps, fmt.Sprintf("epoch %d loss %.3f", p.Epoch, p.Loss))
	})
	if err != nil {
		return nil, err
	}
	// The history first: a model file without one is not a cache hit.
	if err := r.cache.putHistory(k, hist); err != nil {
		return nil, err
	}
	if err := r.cache.putModel(k, m); err != nil {
		return nil, err
	}
	return &trained{m: m, key: k, epochs: len(hist.Epochs), train: len(trainIDs)}, nil
}

// embed returns the model's embeddings of the ids (sorted), cached.
func (r *runner) embed(t *trained, ids []int64) (*space.Space, error) {
	k := key("embedding", t.key, idsHash(ids))
	if s, err := r.cache.embedding(k); err != nil || s != nil {
		return s, err
	}
	tv, sv := r.view(ids, nil)
	data := append(t.m.Embed(tv, 500), t.m.Embed(sv, 500)...)
	labels := make([]int, len(ids))
	for i, id := range ids {
		labels[i] = r.labelOf(id)
	}
	s := &space.Space{Name: "embedding", IDs: ids, Labels: labels, Dim: t.m.Spec.EmbedDim, Data: data}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("embeddings are not finite (did training diverge?): %w", err)
	}
	return s, r.cache.putEmbedding(k, s)
}

func seededSubset(rng *rand.Rand, ids []int64, k int) []int64 {
	if k >= len(ids) {
		return slices.Clone(ids)
	}
	perm := rng.Perm(len(ids))[:k]
	out := make([]int64, k)
	for i, p := range perm {
		out[i] = ids[p]
	}
	slices.Sort(out)
	return out
}

// testIDs returns the test ids to evaluate on: all, or a seeded subset of
// TestLimit with the same number per class (as near as possible).
func (r *runner) testIDs(seed uint64) []int64 {
	all := r.d.Test.IDs
	if r.cfg.TestLimit <= 0 || r.cfg.TestLimit >= len(all) {
		return slices.Clone(all)
	}
	rng := rand.New(rand.NewPCG(seedFor(seed, "test-subset"), 0))
	byClass := make([][]int64, r.d.Classes)
	for i, id := range all {
		byClass[r.d.Test.Labels[i]] = append(byClass[r.d.Test.Labels[i]], id)
	}
	var out []int64
	per := r.cfg.TestLimit / r.d.Classes
	for _, ids := range byClass {
		out = append(out, seededSubset(rng, ids, per)...)
	}
	slices.Sort(out)
	return out
}

func (r *runner) runOne(ctx context.Context, setting partition.Setting, seed uint64) (*RunResult, map[string][]Point, error) {
	start := time.Now()
	c := r.cfg
	prefix := fmt.Sprintf("%s seed %d", setting, seed)
	pc := partition.Config{Setting: setting, Classes: r.d.Classes, Shared: c.Shared, Novel: c.Novel, Tasks: c.Tasks,
		Major: c.Major, ValFraction: c.ValFraction, Seed: seed}
	if setting != partition.SharedSamples {
		pc.AnchorPool = c.AnchorPool
	}
	man, err := partition.Make(pc, r.samples(r.d.Train), r.samples(r.d.Test))
	if err != nil {
		return nil, nil, err
	}
	res := &RunResult{Setting: setting, Seed: seed, SharedClasses: man.SharedClasses, Routing: map[string]*RoutingResult{}}

	// Anchors (paper-spec 1.3), seeded per configuration.
	anchorSeed := seedFor(seed, "anchors", r.d.Name, setting, c.Shared, c.Novel, c.Tasks)
	var anchorIDs []int64
	if setting == partition.SharedSamples {
		shared := map[int]bool{}
		for _, cl := range man.SharedClasses {
			shared[cl] = true
		}
		var pool []int64
		var labels []int
		for i, id := range r.d.Train.IDs {
			if shared[r.d.Train.Labels[i]] {
				pool = append(pool, id)
				labels = append(labels, r.d.Train.Labels[i])
			}
		}
		anchorIDs, err = anchor.Choose(c.AnchorStrategy, pool, labels, c.AnchorsShared, anchorSeed)
	} else if c.AnchorStrategy == anchor.Stratified {
		labels := make([]int, len(man.AnchorPool))
		for i, id := range man.AnchorPool {
			labels[i] = r.labelOf(id)
		}
		anchorIDs, err = anchor.Choose(anchor.Stratified, man.AnchorPool, labels, c.AnchorsPool, anchorSeed)
	} else {
		anchorIDs = slices.Clone(man.AnchorPool[:c.AnchorsPool]) // the paper: the first K of the pool
	}
	if err != nil {
		return nil, nil, err
	}
	res.Anchors = len(anchorIDs)

	// What every model embeds: the probes' training samples (anchor pool
	// excluded, so oracle routing covers them), the test samples, anchors.
	inPool := map[int64]bool{}
	for _, id := range man.AnchorPool {
		inPool[id] = true
	}
	var candidates []int64
	for _, id := range r.d.Train.IDs {
		if !inPool[id] {
			candidates = append(candidates, id)
		}
	}
	probeIDs := candidates
	if c.ProbeTrain > 0 {
		probeIDs = seededSubset(rand.New(rand.NewPCG(seedFor(seed, "probe-train"), 0)), candidates, c.ProbeTrain)
	}
	testIDs := r.testIDs(seed)
	embedIDs := sortedUnion(probeIDs, testIDs, anchorIDs)
	res.TestSamples, res.ProbeTrainSamples = len(testIDs), len(probeIDs)

	// Models: task 0 (shared by all settings for a seed), then the tasks.
	init0 := seedFor(seed, "init", "task0")
	m0, err := r.train(ctx, prefix+": end-to-end model", man.Task0.Classes, man.Task0.Train, man.Task0.Val, init0)
	if err != nil {
		return nil, nil, err
	}
	abs0, err := r.embed(m0, embedIDs)
	if err != nil {
		return nil, nil, err
	}
	res.EndToEndAcc = headAccuracy(m0.m, abs0, testIDs)
	absT := make([]*space.Space, len(man.Tasks))
	member := make([]map[int64]bool, len(man.Tasks))
	for t, task := range man.Tasks {
		initSeed := seedFor(seed, "init", setting, t+1)
		if c.SameInit {
			initSeed = init0
		}
		mt, err := r.train(ctx, fmt.Sprintf("%s: task %d/%d", prefix, t+1, len(man.Tasks)), task.Classes, task.Train, task.Val, initSeed)
		if err != nil {
			return nil, nil, err
		}
		if absT[t], err = r.embed(mt, embedIDs); err != nil {
			return nil, nil, err
		}
		member[t] = map[int64]bool{}
		for _, ids := range [][]int64{task.Train, task.Val, task.Test} {
			for _, id := range ids {
				member[t][id] = true
			}
		}
		ownTest := intersect(task.Test, testIDs)
		res.Tasks = append(res.Tasks, TaskInfo{Index: t + 1, Classes: task.Classes, TrainSamples: mt.train,
			TestSamples: len(ownTest), TestAcc: headAccuracy(mt.m, absT[t], ownTest), Epochs: mt.epochs})
	}

	r.obs.Stage(prefix + ": merging and evaluating")
	ev, err := r.newEvaluation(man, setting, seed, anchorIDs, abs0, absT, member, probeIDs, testIDs)
	if err != nil {
		return nil, nil, err
	}
	res.SeparabilityClasses = ev.focus
	if err := ev.evaluate(ctx, res); err != nil {
		return nil, nil, err
	}
	if r.outDir != "" {
		name := fmt.Sprintf("manifest-%s-seed%d.json", setting, seed)
		res.Manifest = filepath.Join("manifests", name)
		if err := writeJSON(filepath.Join(r.outDir, res.Manifest), map[string]any{"partition": man, "anchor_ids": anchorIDs,
			"probe_train_ids": probeIDs, "test_ids": testIDs}); err != nil {
			return nil, nil, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, ev.points(), nil
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(v)
	})
}

// headAccuracy scores a model's own classification head on the given ids
// from its embeddings (the head is all that follows the embedding).
func headAccuracy(m *nn.Model, emb *space.Space, ids []int64) float64 {
	sub, err := emb.Subset(ids)
	if err != nil || sub.N() == 0 {
		return 0
	}
	x := &nn.Tensor{Shape: []int{sub.N(), sub.Dim}, Data: sub.Data}
	logits := m.Head.Forward(x, false)
	right := 0
	c := logits.RowLen()
	for i, l := range sub.Labels {
		row := logits.Data[i*c : (i+1)*c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if m.Spec.Classes[best] == l {
			right++
		}
	}
	return float64(right) / float64(sub.N())
}

func sortedUnion(lists ...[]int64) []int64 {
	var out []int64
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func intersect(a, b []int64) []int64 {
	in := map[int64]bool{}
	for _, id := range b {
		in[id] = true
	}
	var out []int64
	for _, id := range a {
		if in[id] {
			out = append(out, id)
		}
	}
	return out
}

// project returns the relative projection of s on the anchors it embeds.
func project(s *space.Space, anchorIDs []int64) (*space.Space, error) {
	a, err := s.Subset(anchorIDs)
	if err != nil {
		return nil, err
	}
	p, err := relative.Config{}.Fit(a)
	if err != nil {
		return nil, err
	}
	return p.Transform(s)
}
