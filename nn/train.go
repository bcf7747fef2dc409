package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// TrainConfig is the recipe. The zero value is invalid; DefaultTrain is
// the paper's (paper-spec 3.4) minus augmentation.
type TrainConfig struct {
	Epochs    int     // maximum number of epochs
	BatchSize int     // samples per step
	LR        float64 // Adam learning rate
	ClipNorm  float64 // gradient-norm clipping; 0: none
	// Patience is how many epochs without a lower validation loss training
	// goes on for; 0 disables early stopping. The best epoch's weights are
	// restored at the end whenever there is validation data.
	Patience int
	Seed     uint64 // drives the shuffles
}

// DefaultTrain is the paper's recipe: Adam lr 1e-3, batch 100, gradient
// norm clipped at 10, early stopping on validation loss with patience 3.
func DefaultTrain() TrainConfig {
	return TrainConfig{Epochs: 200, BatchSize: 100, LR: 1e-3, ClipNorm: 10, Patience: 3}
}

// Progress reports a training step, for a progress bar.
type Progress struct {
	Epoch, Epochs int // 1-based
	Step, Steps   int // within the epoch, 1-based
	Loss          float64
}

// EpochStats summarises one epoch.
type EpochStats struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	ValLoss   float64 `json:"val_loss,omitempty"`
	ValAcc    float64 `json:"val_acc,omitempty"`
	Seconds   float64 `json:"seconds"`
}

// History is what Train did.
type History struct {
	Epochs    []EpochStats `json:"epochs"`
	BestEpoch int          `json:"best_epoch"` // 0 without validation data
	Stopped   bool         `json:"early_stopped"`
}

// Train fits m on train, validating on val (which may be nil) after every
// epoch. It calls progress (if not nil) after every step. It returns early
// with ctx's error when ctx is cancelled.
func Train(ctx context.Context, m *Model, train, val Data, cfg TrainConfig, progress func(Progress)) (*History, error) {
	if cfg.Epochs <= 0 || cfg.BatchSize <= 0 || cfg.LR <= 0 {
		return nil, fmt.Errorf("nn: train: epochs, batch size and learning rate must be positive (got %d, %d, %g)", cfg.Epochs, cfg.BatchSize, cfg.LR)
	}
	n := train.Len()
	if n == 0 {
		return nil, fmt.Errorf("nn: train: no training samples")
	}
	params := m.Params()
	opt := NewAdam(params, cfg.LR)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7368756666)) // stream "shuff"
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	steps := (n + cfg.BatchSize - 1) / cfg.BatchSize
	hist := &History{}
	best := math.Inf(1)
	var bestWeights [][]float32
	var x *Tensor
	var y []int
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		var total float64
		for s := range steps {
			if err := ctx.Err(); err != nil {
				return hist, err
			}
			rows := order[s*cfg.BatchSize : min(n, (s+1)*cfg.BatchSize)]
			x, y = batch(train, rows, m.Spec.InShape, x, y)
			ZeroGrad(params)
			_, logits := m.Forward(x, true)
			loss, dlogits := SoftmaxCrossEntropy(logits, y)
			if math.IsNaN(loss) {
				return hist, fmt.Errorf("nn: train: loss became NaN at epoch %d step %d", epoch, s+1)
			}
			m.Backward(dlogits)
			if cfg.ClipNorm > 0 {
				ClipGradNorm(params, cfg.ClipNorm)
			}
			opt.Step()
			total += loss * float64(len(rows))
			if progress != nil {
				progress(Progress{Epoch: epoch, Epochs: cfg.Epochs, Step: s + 1, Steps: steps, Loss: loss})
			}
		}
		st := EpochStats{Epoch: epoch, TrainLoss: total / float64(n)}
		if val != nil && val.Len() > 0 {
			st.ValLoss, st.ValAcc = Evaluate(m, val, cfg.BatchSize)
			if st.ValLoss < best {
				best, hist.BestEpoch = st.ValLoss, epoch
				bestWeights = snapshot(params, bestWeights)
			}
		}
		st.Seconds = time.Since(start).Seconds()
		hist.Epochs = append(hist.Epochs, st)
		if cfg.Patience > 0 && hist.BestEpoch > 0 && epoch-hist.BestEpoch >= cfg.Patience {
			hist.Stopped = true
			break
		}
	}
	if bestWeights != nil {
		for i, p := range params {
			copy(p.Value, bestWeights[i])
		}
	}
	return hist, nil
}

// Evaluate returns the mean cross-entropy and the accuracy of m on d.
func Evaluate(m *Model, d Data, batchSize int) (loss, acc float64) {
	n := d.Len()
	var x *Tensor
	var y []int
	rows := make([]int, 0, batchSize)
	correct := 0
	for lo := 0; lo < n; lo += batchSize {
		rows = rows[:0]
		for i := lo; i < min(n, lo+batchSize); i++ {
			rows = append(rows, i)
		}
		x, y = batch(d, rows, m.Spec.InShape, x, y)
		_, logits := m.Forward(x, false)
		l, _ := SoftmaxCrossEntropy(logits, y)
		loss += l * float64(len(rows))
		for i, p := range argmaxRows(logits) {
			if p == y[i] {
				correct++
			}
		}
	}
	return loss / float64(n), float64(correct) / float64(n)
}

func snapshot(params []*Param, dst [][]float32) [][]float32 {
	if dst == nil {
		dst = make([][]float32, len(params))
		for i, p := range params {
			dst[i] = make([]float32, len(p.Value))
		}
	}
	for i, p := range params {
		copy(dst[i], p.Value)
	}
	return dst
}
