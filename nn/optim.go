package nn

import (
	"math"
	"math/rand/v2"
)

// SoftmaxCrossEntropy returns the mean cross-entropy of logits (N x C)
// against integer labels, and its gradient with respect to the logits.
func SoftmaxCrossEntropy(logits *Tensor, labels []int) (float64, *Tensor) {
	n, c := logits.Rows(), logits.RowLen()
	grad := &Tensor{Shape: logits.Shape, Data: make([]float32, len(logits.Data))}
	var loss float64
	for i := range n {
		row := logits.Data[i*c : (i+1)*c]
		g := grad.Data[i*c : (i+1)*c]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - mx))
			g[j] = float32(e)
			sum += e
		}
		loss += math.Log(sum) - float64(row[labels[i]]-mx)
		for j := range g {
			g[j] = float32(float64(g[j]) / sum / float64(n))
		}
		g[labels[i]] -= 1 / float32(n)
	}
	return loss / float64(n), grad
}

// Adam is the optimiser of Kingma and Ba (2015) with PyTorch's defaults
// and update rule (torch.optim.Adam, no weight decay, no amsgrad).
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	params                []*Param
	m, v                  [][]float32
	step                  int
}

// NewAdam returns Adam over params with lr and PyTorch's other defaults:
// betas (0.9, 0.999), eps 1e-8.
func NewAdam(params []*Param, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: params}
	for _, p := range params {
		a.m = append(a.m, make([]float32, len(p.Value)))
		a.v = append(a.v, make([]float32, len(p.Value)))
	}
	return a
}

// Step applies one update from the parameters' gradients.
func (a *Adam) Step() {
	a.step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.step))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	stepSize := float32(a.LR / bc1)
	sqrtBC2 := float32(math.Sqrt(bc2))
	eps := float32(a.Eps)
	for k, p := range a.params {
		m, v := a.m[k], a.v[k]
		for i, g := range p.Grad {
			m[i] = b1*m[i] + (1-b1)*g
			v[i] = b2*v[i] + (1-b2)*g*g
			// PyTorch: denom = sqrt(v) / sqrt(bc2) + eps.
			denom := float32(math.Sqrt(float64(v[i])))/sqrtBC2 + eps
			p.Value[i] -= stepSize * m[i] / denom
		}
	}
}

// ZeroGrad clears every gradient.
func ZeroGrad(params []*Param) {
	for _, p := range params {
		clear(p.Grad)
	}
}

// ClipGradNorm scales all gradients so that their joint L2 norm is at most
// maxNorm, as torch.nn.utils.clip_grad_norm_ does, and returns the norm
// before clipping.
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	var ss float64
	for _, p := range params {
		for _, g := range p.Grad {
			ss += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(ss)
	if coef := maxNorm / (norm + 1e-6); coef < 1 {
		for _, p := range params {
			for i := range p.Grad {
				p.Grad[i] *= float32(coef)
			}
		}
	}
	return norm
}

// initLayer fills a layer's weight and bias as PyTorch's Linear and Conv2d
// reset_parameters do: the weight Kaiming-uniform with a = sqrt(5), which
// is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from the same range.
func initLayer(rng *rand.Rand, w, b *Param) {
	fanIn := prod(w.Shape[1:])
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range w.Value {
		w.Value[i] = float32((2*rng.Float64() - 1) * bound)
	}
	for i := range b.Value {
		b.Value[i] = float32((2*rng.Float64() - 1) * bound)
	}
}
