// Package probe measures what a space is good for by training classifiers
// on it: the paper's MLP probe (paper-spec 5.2). Accuracies are exact, from
// every prediction, per class and per group of classes (not the paper's
// per-batch averages, paper-spec 7.5).
package probe

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/latentatlas/atlas/nn"
)

// Features are n labelled rows of Dim values.
type Features struct {
	X      []float32
	Dim    int
	Labels []int
	// Tasks, when not nil, gives each row's task (0..NumTasks-1) for the
	// task-embedding baseline.
	Tasks    []int
	NumTasks int
}

// N is the number of rows.
func (f *Features) N() int { return len(f.Labels) }

// Rows returns the features of the given rows.
func (f *Features) Rows(rows []int) *Features {
	out := &Features{Dim: f.Dim, X: make([]float32, 0, len(rows)*f.Dim), Labels: make([]int, len(rows)), NumTasks: f.NumTasks}
	if f.Tasks != nil {
		out.Tasks = make([]int, len(rows))
	}
	for i, r := range rows {
		out.X = append(out.X, f.X[r*f.Dim:(r+1)*f.Dim]...)
		out.Labels[i] = f.Labels[r]
		if f.Tasks != nil {
			out.Tasks[i] = f.Tasks[r]
		}
	}
	return out
}

// data adapts Features to nn.Data; with a task embedding each row is
// followed by a one-hot task.
type data struct {
	f        *Features
	withTask bool
}

func (d data) Len() int        { return d.f.N() }
func (d data) Class(i int) int { return d.f.Labels[i] }
func (d data) Fill(rows []int, dst []float32) {
	w := d.f.Dim
	if d.withTask {
		w += d.f.NumTasks
	}
	for k, r := range rows {
		out := dst[k*w : (k+1)*w]
		copy(out, d.f.X[r*d.f.Dim:(r+1)*d.f.Dim])
		if d.withTask {
			clear(out[d.f.Dim:])
			out[d.f.Dim+d.f.Tasks[r]] = 1
		}
	}
}

// Config is the probe's recipe. Default is the paper's.
type Config struct {
	Hidden      int     `json:"hidden"`
	MaxEpochs   int     `json:"max_epochs"`
	Patience    int     `json:"patience"`
	BatchSize   int     `json:"batch_size"`
	LR          float64 `json:"lr"`
	ValFraction float64 `json:"val_fraction"` // held out of the training rows for early stopping
	// TaskEmbedWidth > 0 adds a learned task embedding of this width
	// (the paper's task_embed_abs uses d/2); the features need Tasks.
	TaskEmbedWidth int    `json:"task_embed_width,omitempty"`
	Seed           uint64 `json:"seed"`
}

// Default is the paper's MLP probe: 256 hidden units, Adam 1e-3, batch 128,
// at most 100 epochs, early stopping on validation loss with patience 10.
// Unlike the paper's code, the best epoch's weights are restored
// (paper-spec 7.6). The validation rows are 10 % of the training rows.
func Default() Config {
	return Config{Hidden: 256, MaxEpochs: 100, Patience: 10, BatchSize: 128, LR: 1e-3, ValFraction: 0.1, Seed: 42}
}

// Result holds a probe's test predictions and its accuracy.
type Result struct {
	Predictions []int     `json:"-"`
	Accuracy    float64   `json:"total_acc"`
	Epochs      int       `json:"epochs"`
	BestEpoch   int       `json:"best_epoch"`
	weights     []float64 // Linear: W (classes x d) then b
}

// MLP trains the probe on train (a C-way head over labels 0..classes-1)
// and predicts test.
func MLP(ctx context.Context, train, test *Features, classes int, cfg Config, progress func(nn.Progress)) (*Result, error) {
	if train.Dim != test.Dim {
		return nil, fmt.Errorf("probe: train has %d features, test %d", train.Dim, test.Dim)
	}
	withTask := cfg.TaskEmbedWidth > 0
	if withTask && (train.Tasks == nil || test.Tasks == nil) {
		return nil, fmt.Errorf("probe: a task embedding needs each row's task")
	}
	in := train.Dim
	if withTask {
		in += train.NumTasks
	}
	labels := make([]int, classes)
	for c := range labels {
		labels[c] = c
	}
	spec := nn.Spec{Arch: nn.Probe, InShape: []int{1, 1, in}, Classes: labels, Hidden: cfg.Hidden}
	if withTask {
		spec.Tasks, spec.TaskEmbedWidth = train.NumTasks, cfg.TaskEmbedWidth
	}
	m, err := nn.New(spec, cfg.Seed)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x70726f6265)) // stream "probe"
	perm := rng.Perm(train.N())
	nVal := int(cfg.ValFraction * float64(train.N()))
	var val nn.Data
	fit := nn.Data(data{train, withTask})
	if nVal > 0 {
		val = data{train.Rows(perm[:nVal]), withTask}
		fit = data{train.Rows(perm[nVal:]), withTask}
	}
	tc := nn.TrainConfig{Epochs: cfg.MaxEpochs, BatchSize: cfg.BatchSize, LR: cfg.LR, Patience: cfg.Patience, Seed: cfg.Seed}
	hist, err := nn.Train(ctx, m, fit, val, tc, progress)
	if err != nil {
		return nil, err
	}
	pred := m.Predict(data{test, withTask}, 1024)
	return &Result{Predictions: pred, Accuracy: Accuracy(pred, test.Labels, nil), Epochs: len(hist.Epochs), BestEpoch: hist.BestEpoch}, nil
}

// Accuracy is the fraction of rows whose prediction equals the label,
// counting only rows whose label is in group (all rows when group is nil).
// It returns NaN when no row qualifies.
func Accuracy(pred, labels []int, group map[int]bool) float64 {
	n, right := 0, 0
	for i, l := range labels {
		if group != nil && !group[l] {
			continue
		}
		n++
		if pred[i] == l {
			right++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return float64(right) / float64(n)
}

// PerClass returns each class's accuracy (recall), indexed by label.
func PerClass(pred, labels []int, classes int) []float64 {
	out := make([]float64, classes)
	for c := range classes {
		out[c] = Accuracy(pred, labels, map[int]bool{c: true})
	}
	return out
}

// Confusion returns the classes x classes count matrix: row = true label,
// column = prediction.
func Confusion(pred, labels []int, classes int) [][]int {
	out := make([][]int, classes)
	for c := range out {
		out[c] = make([]int, classes)
	}
	for i, l := range labels {
		out[l][pred[i]]++
	}
	return out
}
