package nn

import (
	"math/rand/v2"
	"testing"
)

// randData is n random 1x28x28 inputs over 10 classes.
type randData struct {
	x      []float32
	labels []int
}

func newRandData(n int) *randData {
	rng := rand.New(rand.NewPCG(1, 1))
	d := &randData{x: make([]float32, n*784), labels: make([]int, n)}
	for i := range d.x {
		d.x[i] = float32(rng.NormFloat64())
	}
	for i := range d.labels {
		d.labels[i] = i % 10
	}
	return d
}

func (d *randData) Len() int        { return len(d.labels) }
func (d *randData) Class(i int) int { return d.labels[i] }
func (d *randData) Fill(rows []int, dst []float32) {
	for k, r := range rows {
		copy(dst[k*784:(k+1)*784], d.x[r*784:(r+1)*784])
	}
}

// BenchmarkCNNStep is one training step of the paper's CNN on a batch of
// 100 MNIST-sized images (forward, backward, Adam).
func BenchmarkCNNStep(b *testing.B) {
	benchStep(b, CNN)
}

// BenchmarkMLPStep is the same for the MLP encoder.
func BenchmarkMLPStep(b *testing.B) {
	benchStep(b, MLP)
}

func benchStep(b *testing.B, arch Arch) {
	m, err := New(Spec{Arch: arch, InShape: []int{1, 28, 28}, Classes: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, 1)
	if err != nil {
		b.Fatal(err)
	}
	d := newRandData(100)
	rows := make([]int, 100)
	for i := range rows {
		rows[i] = i
	}
	x, y := batch(d, rows, m.Spec.InShape, nil, nil)
	params := m.Params()
	opt := NewAdam(params, 1e-3)
	for b.Loop() {
		ZeroGrad(params)
		_, logits := m.Forward(x, true)
		_, g := SoftmaxCrossEntropy(logits, y)
		m.Backward(g)
		ClipGradNorm(params, 10)
		opt.Step()
	}
}
