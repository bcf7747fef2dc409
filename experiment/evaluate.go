package experiment

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/latentatlas/atlas/aggregate"
	"github.com/latentatlas/atlas/metrics"
	"github.com/latentatlas/atlas/nn"
	"github.com/latentatlas/atlas/partition"
	"github.com/latentatlas/atlas/probe"
	"github.com/latentatlas/atlas/space"
)

// Routings: how samples reach task models.
const (
	Oracle = "oracle" // the paper's: by ground-truth task membership
	All    = "all"    // label-free: every task model embeds every sample
)

type evaluation struct {
	r                 *runner
	man               *partition.Manifest
	setting           partition.Setting
	seed              uint64
	abs0, rel0        *space.Space
	absT, relT        []*space.Space
	member            []map[int64]bool
	probeIDs, testIDs []int64
	shared, novel     map[int]bool
	focus             []int
	mergedTest        *space.Space // oracle, for plots
}

func (r *runner) newEvaluation(man *partition.Manifest, setting partition.Setting, seed uint64, anchorIDs []int64,
	abs0 *space.Space, absT []*space.Space, member []map[int64]bool, probeIDs, testIDs []int64) (*evaluation, error) {
	ev := &evaluation{r: r, man: man, setting: setting, seed: seed, abs0: abs0, absT: absT, member: member,
		probeIDs: probeIDs, testIDs: testIDs}
	var err error
	if ev.rel0, err = project(abs0, anchorIDs); err != nil {
		return nil, fmt.Errorf("end-to-end model: %w", err)
	}
	for t, a := range absT {
		rel, err := project(a, anchorIDs)
		if err != nil {
			return nil, fmt.Errorf("task %d: %w", t+1, err)
		}
		ev.relT = append(ev.relT, rel)
	}
	if setting == partition.SharedSamples {
		ev.shared, ev.novel = map[int]bool{}, map[int]bool{}
		for _, c := range man.SharedClasses {
			ev.shared[c] = true
		}
		for c := range r.d.Classes {
			if !ev.shared[c] {
				ev.novel[c] = true
				ev.focus = append(ev.focus, c) // the paper: pairs with a non-shared class
			}
		}
	} else {
		for c := range r.d.Classes {
			ev.focus = append(ev.focus, c)
		}
	}
	return ev, nil
}

// charts returns each task's space restricted to ids, and under oracle
// routing to the samples the task holds.
func (ev *evaluation) charts(spaces []*space.Space, ids []int64, routing string) ([]*space.Space, error) {
	var out []*space.Space
	for t, s := range spaces {
		keep := ids
		if routing == Oracle {
			keep = nil
			for _, id := range ids {
				if ev.member[t][id] {
					keep = append(keep, id)
				}
			}
		}
		sub, err := s.Subset(keep)
		if err != nil {
			return nil, err
		}
		sub.Name = fmt.Sprintf("task %d", t+1)
		out = append(out, sub)
	}
	return out, nil
}

// spaces are the compared spaces on one split under one routing.
type spaces struct {
	merged, naiveMean *space.Space
	coverage          []int
	jumble            *aggregate.Stacked
}

func (ev *evaluation) build(ids []int64, routing string) (*spaces, error) {
	rel, err := ev.charts(ev.relT, ids, routing)
	if err != nil {
		return nil, err
	}
	abs, err := ev.charts(ev.absT, ids, routing)
	if err != nil {
		return nil, err
	}
	merged, err := aggregate.Merge(aggregate.Mean, rel)
	if err != nil {
		return nil, err
	}
	// Every evaluated sample must be in the atlas, in the same order as
	// the reference (paper-spec 7.9: the paper's code never checked).
	if !slices.Equal(merged.Space.IDs, ids) {
		only, _, _ := space.Diff(ids, merged.Space.IDs)
		return nil, fmt.Errorf("the atlas misses %d of the %d samples (%s): no task embedded them", len(only), len(ids), space.FormatIDs(only, 5))
	}
	naive, err := aggregate.Merge(aggregate.Mean, abs)
	if err != nil {
		return nil, err
	}
	jumble, err := aggregate.Jumble(abs)
	if err != nil {
		return nil, err
	}
	return &spaces{merged: merged.Space, naiveMean: naive.Space, coverage: merged.Coverage, jumble: jumble}, nil
}

func features(s *space.Space) *probe.Features {
	return &probe.Features{X: s.Data, Dim: s.Dim, Labels: s.Labels}
}

func stackedFeatures(j *aggregate.Stacked) *probe.Features {
	return &probe.Features{X: j.Data, Dim: j.Dim, Labels: j.Labels}
}

func (ev *evaluation) probe(ctx context.Context, name string, train, test *probe.Features, cfg probe.Config) (Acc, error) {
	ev.r.obs.Stage(fmt.Sprintf("%s seed %d: probe on %s (%d rows)", ev.setting, ev.seed, name, train.N()))
	cfg.Seed = ev.r.cfg.Probe.Seed + ev.seed - 1 // the paper's 42 for seed 1
	res, err := probe.MLP(ctx, train, test, ev.r.d.Classes, cfg, func(p nn.Progress) {
		ev.r.obs.Progress(p.Epoch, p.Epochs, fmt.Sprintf("epoch %d loss %.3f", p.Epoch, p.Loss))
	})
	if err != nil {
		return Acc{}, err
	}
	ci := metrics.BootstrapAccuracy(res.Predictions, test.Labels, bootReps, 0.95, cfg.Seed)
	a := Acc{TotalAcc: res.Accuracy, CI95: &ci, TrainRows: train.N(), TestRows: test.N(), Epochs: res.Epochs}
	if ev.shared != nil {
		s := probe.Accuracy(res.Predictions, test.Labels, ev.shared)
		n := probe.Accuracy(res.Predictions, test.Labels, ev.novel)
		a.SharedAcc, a.NonSharedAcc = &s, &n
	}
	return a, nil
}

func (ev *evaluation) separability(data []float32, dim int, labels []int) (float64, error) {
	s, err := metrics.Separability(data, dim, labels, ev.focus)
	return s.Mean, err
}

func (ev *evaluation) cka(x, y *space.Space) (float64, error) {
	x, y, err := space.Align(x, y, false)
	if err != nil {
		return 0, err
	}
	return metrics.LinearCKA(x, y)
}

// Bootstrap sizes: 1,000 resamples; CKA resamples 40 blocks of the test
// samples (metrics.BootstrapCKA).
const (
	bootReps   = 1000
	bootBlocks = 40
)

// ckaWithCI is cka plus its block-bootstrap interval.
func (ev *evaluation) ckaWithCI(x, y *space.Space) (float64, metrics.Interval, error) {
	v, err := ev.cka(x, y)
	if err != nil {
		return 0, metrics.Interval{}, err
	}
	x, y, _ = space.Align(x, y, false)
	ci, err := metrics.BootstrapCKA(x, y, bootBlocks, bootReps, 0.95, seedFor(ev.seed, "cka-bootstrap"))
	return v, ci, err
}

func (ev *evaluation) evaluate(ctx context.Context, res *RunResult) error {
	cfg := ev.r.cfg.Probe
	abs0Train, err := ev.abs0.Subset(ev.probeIDs)
	if err != nil {
		return err
	}
	abs0Test, _ := ev.abs0.Subset(ev.testIDs)
	rel0Train, _ := ev.rel0.Subset(ev.probeIDs)
	rel0Test, _ := ev.rel0.Subset(ev.testIDs)

	ref := Reference{CKA: map[string]float64{}, Classification: map[string]Acc{}, Separability: map[string]float64{}}
	if ref.CKA["cka_orig_orig_rel_abs"], err = ev.cka(rel0Test, abs0Test); err != nil {
		return err
	}
	for _, sp := range []struct {
		name        string
		train, test *space.Space
	}{{"original_abs", abs0Train, abs0Test}, {"original_rel", rel0Train, rel0Test}} {
		if ref.Classification[sp.name], err = ev.probe(ctx, sp.name, features(sp.train), features(sp.test), cfg); err != nil {
			return err
		}
		if ref.Separability[sp.name], err = ev.separability(sp.test.Data, sp.test.Dim, sp.test.Labels); err != nil {
			return err
		}
	}
	if ev.setting == partition.Disjoint {
		if err := ev.taskBaselines(ctx, ref, abs0Train, abs0Test); err != nil {
			return err
		}
	}
	res.Reference = ref

	for _, routing := range []string{Oracle, All} {
		train, err := ev.build(ev.probeIDs, routing)
		if err != nil {
			return fmt.Errorf("%s routing, probe training samples: %w", routing, err)
		}
		test, err := ev.build(ev.testIDs, routing)
		if err != nil {
			return fmt.Errorf("%s routing, test samples: %w", routing, err)
		}
		rr := &RoutingResult{CKA: map[string]float64{}, CKACI: map[string]metrics.Interval{}, Classification: map[string]Acc{},
			Separability: map[string]float64{}, Coverage: map[int]int{}}
		for _, c := range test.coverage {
			rr.Coverage[c]++
		}
		groups := map[string]map[int]bool{"cka_orig_aggr_rel_rel": nil}
		if ev.shared != nil {
			groups["cka_shared"], groups["cka_non_shared"] = ev.shared, ev.novel
		}
		for name, group := range groups {
			keep := func(s *space.Space) *space.Space {
				if group == nil {
					return s
				}
				return s.Filter(func(i int) bool { return group[s.Labels[i]] })
			}
			v, ci, err := ev.ckaWithCI(keep(test.merged), keep(rel0Test))
			if err != nil {
				return err
			}
			rr.CKA[name], rr.CKACI[name] = v, ci
		}
		if rr.CKA["cka_orig_aggr_abs_rel"], err = ev.cka(abs0Test, test.merged); err != nil {
			return err
		}
		if rr.CKA["cka_naive_mean_abs"], err = ev.cka(test.naiveMean, abs0Test); err != nil {
			return err
		}
		probes := []struct {
			name        string
			train, test *probe.Features
		}{
			{"merged", features(train.merged), features(test.merged)},
			{"jumble", stackedFeatures(train.jumble), stackedFeatures(test.jumble)},
			{"naive_mean", features(train.naiveMean), features(test.naiveMean)},
		}
		for _, p := range probes {
			if rr.Classification[p.name], err = ev.probe(ctx, p.name+" ("+routing+" routing)", p.train, p.test, cfg); err != nil {
				return err
			}
		}
		if rr.Separability["merged"], err = ev.separability(test.merged.Data, test.merged.Dim, test.merged.Labels); err != nil {
			return err
		}
		if rr.Separability["naive"], err = ev.separability(test.jumble.Data, test.jumble.Dim, test.jumble.Labels); err != nil {
			return err
		}
		if rr.Separability["naive_mean"], err = ev.separability(test.naiveMean.Data, test.naiveMean.Dim, test.naiveMean.Labels); err != nil {
			return err
		}
		res.Routing[routing] = rr
		if routing == Oracle {
			ev.mergedTest = test.merged
			if ev.r.cfg.PaperProbe {
				if res.PaperSplit, err = ev.paperSplit(ctx, test, abs0Test, rel0Test); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// taskBaselines are the disjoint setting's task-id oracles: the end-to-end
// embedding with a one-hot of the sample's true task appended (correct,
// unlike the paper's code, paper-spec 7.2), and with a learned task
// embedding of half the embedding's width.
func (ev *evaluation) taskBaselines(ctx context.Context, ref Reference, train, test *space.Space) error {
	taskOf := map[int]int{}
	for t, task := range ev.man.Tasks {
		for _, c := range task.Classes {
			taskOf[c] = t
		}
	}
	T := len(ev.man.Tasks)
	withTask := func(s *space.Space, onehot bool) *probe.Features {
		f := &probe.Features{Dim: s.Dim, Labels: s.Labels, NumTasks: T, Tasks: make([]int, s.N())}
		if onehot {
			f.Dim += T
		}
		for i := range s.N() {
			task := taskOf[s.Labels[i]]
			f.Tasks[i] = task
			f.X = append(f.X, s.Row(i)...)
			if onehot {
				oh := make([]float32, T)
				oh[task] = 1
				f.X = append(f.X, oh...)
			}
		}
		return f
	}
	var err error
	if ref.Classification["task_onehot_abs"], err = ev.probe(ctx, "task_onehot_abs", withTask(train, true), withTask(test, true), ev.r.cfg.Probe); err != nil {
		return err
	}
	cfg := ev.r.cfg.Probe
	cfg.TaskEmbedWidth = train.Dim / 2
	ref.Classification["task_embed_abs"], err = ev.probe(ctx, "task_embed_abs", withTask(train, false), withTask(test, false), cfg)
	return err
}

// paperSplit trains probes the way the paper's Exp 1 did: on a seeded
// 70/15/15 split of the test embeddings (so the jumble's copies of one
// image can land in both probe-train and probe-test, paper-spec 7.4).
func (ev *evaluation) paperSplit(ctx context.Context, test *spaces, abs0, rel0 *space.Space) (map[string]Acc, error) {
	out := map[string]Acc{}
	for _, sp := range []struct {
		name string
		f    *probe.Features
	}{{"original_abs", features(abs0)}, {"original_rel", features(rel0)}, {"merged", features(test.merged)}, {"jumble", stackedFeatures(test.jumble)}} {
		perm := rand.New(rand.NewPCG(42, 0)).Perm(sp.f.N())
		nTrain := int(0.7 * float64(sp.f.N()))
		nVal := (sp.f.N() - nTrain) / 2
		cfg := ev.r.cfg.Probe
		cfg.ValFraction = float64(nVal) / float64(nTrain+nVal)
		a, err := ev.probe(ctx, sp.name+" (paper's 70/15/15 split of test embeddings)", sp.f.Rows(perm[:nTrain+nVal]), sp.f.Rows(perm[nTrain+nVal:]), cfg)
		if err != nil {
			return nil, err
		}
		out[sp.name] = a
	}
	return out, nil
}

// points projects original_rel and the oracle atlas (test split, up to
// 2,000 samples) on their first two principal components, for plots.
func (ev *evaluation) points() map[string][]Point {
	out := map[string][]Point{}
	ids := ev.testIDs
	if len(ids) > 2000 {
		ids = seededSubset(rand.New(rand.NewPCG(ev.seed, 0x706361)), ids, 2000)
	}
	for name, s := range map[string]*space.Space{"original_rel": ev.rel0, "merged": ev.mergedTest, "original_abs": ev.abs0} {
		if s == nil {
			continue
		}
		sub, err := s.Subset(ids)
		if err != nil {
			continue
		}
		out[name] = pca2(sub)
	}
	return out
}

func pca2(s *space.Space) []Point {
	x := mat.NewDense(s.N(), s.Dim, nil)
	for i := range s.N() {
		for j, v := range s.Row(i) {
			x.Set(i, j, float64(v))
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return nil
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	var proj mat.Dense
	proj.Mul(x, vecs.Slice(0, s.Dim, 0, 2))
	pts := make([]Point, s.N())
	for i := range pts {
		pts[i] = Point{X: proj.At(i, 0), Y: proj.At(i, 1), Label: s.Labels[i]}
	}
	return pts
}
