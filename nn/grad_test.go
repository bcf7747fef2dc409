package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lossOf is sum(r * layer(x)), whose gradient with respect to the layer's
// output is r.
func lossOf(l Layer, x *Tensor, r []float32) float64 {
	y := l.Forward(x, false)
	var s float64
	for i, v := range y.Data {
		s += float64(v) * float64(r[i])
	}
	return s
}

// checkGrad compares a layer's analytic gradients (input and parameters)
// with central finite differences.
func checkGrad(t *testing.T, name string, l Layer, inShape []int, h float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	x := NewTensor(inShape...)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for _, p := range l.Params() {
		for i := range p.Value {
			p.Value[i] = float32(rng.NormFloat64() * 0.5)
		}
		clear(p.Grad)
	}
	y := l.Forward(x, true)
	r := make([]float32, len(y.Data))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	dx := l.Backward(&Tensor{Shape: y.Shape, Data: r}, true)
	compare := func(what string, vals []float32, analytic []float32) {
		worst := 0.0
		for _, i := range sample(rng, len(vals), 40) {
			old := vals[i]
			vals[i] = old + float32(h)
			up := lossOf(l, x, r)
			vals[i] = old - float32(h)
			down := lossOf(l, x, r)
			vals[i] = old
			num := (up - down) / (2 * h)
			err := math.Abs(num-float64(analytic[i])) / math.Max(1, math.Abs(num))
			worst = math.Max(worst, err)
		}
		if worst > 2e-2 {
			t.Errorf("%s: %s gradient off by %.3g (relative)", name, what, worst)
		}
	}
	compare("input", x.Data, dx.Data)
	for _, p := range l.Params() {
		compare(p.Name, p.Value, p.Grad)
	}
}

func sample(rng *rand.Rand, n, k int) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return rng.Perm(n)[:k]
}

func TestGradients(t *testing.T) {
	checkGrad(t, "linear", NewLinear("l", 7, 5), []int{3, 7}, 1e-2)
	checkGrad(t, "conv 5x5 pad 2", NewConv2D("c", 2, 3, 5, 1, 2), []int{2, 2, 7, 6}, 1e-2)
	checkGrad(t, "conv 3x3 stride 2", NewConv2D("c", 3, 4, 3, 2, 1), []int{2, 3, 8, 9}, 1e-2)
	checkGrad(t, "conv 2x2 no pad", NewConv2D("c", 1, 2, 2, 1, 0), []int{9, 1, 5, 5}, 1e-2) // 9 images: two chunks
	checkGrad(t, "maxpool", NewMaxPool2D(2, 2), []int{2, 3, 6, 5}, 1e-3)
	checkGrad(t, "silu", &SiLU{}, []int{4, 9}, 1e-2)
	checkGrad(t, "relu", &ReLU{}, []int{4, 9}, 1e-3)
	checkGrad(t, "sigmoid", &Sigmoid{}, []int{4, 9}, 1e-2)
	checkGrad(t, "flatten", &Flatten{}, []int{2, 3, 2, 2}, 1e-2)
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	logits := NewTensor(4, 5)
	for i := range logits.Data {
		logits.Data[i] = float32(rng.NormFloat64() * 3)
	}
	labels := []int{0, 4, 2, 2}
	_, g := SoftmaxCrossEntropy(logits, labels)
	for i := range logits.Data {
		old := logits.Data[i]
		logits.Data[i] = old + 1e-2
		up, _ := SoftmaxCrossEntropy(logits, labels)
		logits.Data[i] = old - 1e-2
		down, _ := SoftmaxCrossEntropy(logits, labels)
		logits.Data[i] = old
		if num := (up - down) / 2e-2; math.Abs(num-float64(g.Data[i])) > 1e-3 {
			t.Errorf("logit %d: analytic %v, numeric %v", i, g.Data[i], num)
		}
	}
	// Golden: uniform logits over C classes give loss ln C.
	u := NewTensor(2, 4)
	if l, _ := SoftmaxCrossEntropy(u, []int{1, 3}); math.Abs(l-math.Log(4)) > 1e-6 {
		t.Errorf("uniform loss %v, want ln 4", l)
	}
}

func TestAdamMatchesPyTorch(t *testing.T) {
	// One parameter, gradients 1 then -2, lr 0.1: hand computation of
	// torch.optim.Adam's update (bias-corrected; eps 1e-8).
	p := newParam("p", 1)
	p.Value[0] = 1
	opt := NewAdam([]*Param{p}, 0.1)
	p.Grad[0] = 1
	opt.Step()
	// m = 0.1, v = 0.001; m_hat = 1, v_hat = 1: step 0.1 -> 0.9.
	if math.Abs(float64(p.Value[0])-0.9) > 1e-6 {
		t.Fatalf("after step 1: %v, want 0.9", p.Value[0])
	}
	p.Grad[0] = -2
	opt.Step()
	m := 0.9*0.1 + 0.1*-2
	v := 0.999*0.001 + 0.001*4
	want := 0.9 - 0.1*(m/(1-0.81))/(math.Sqrt(v/(1-0.998001))+1e-8)
	if math.Abs(float64(p.Value[0])-want) > 1e-6 {
		t.Errorf("after step 2: %v, want %v", p.Value[0], want)
	}
}

func TestClipGradNorm(t *testing.T) {
	a, b := newParam("a", 2), newParam("b", 1)
	a.Grad[0], a.Grad[1], b.Grad[0] = 3, 0, 4 // norm 5
	if n := ClipGradNorm([]*Param{a, b}, 1); n != 5 {
		t.Errorf("norm %v", n)
	}
	if math.Abs(float64(a.Grad[0])-0.6) > 1e-5 || math.Abs(float64(b.Grad[0])-0.8) > 1e-5 {
		t.Errorf("clipped to %v %v", a.Grad, b.Grad)
	}
	ClipGradNorm([]*Param{a, b}, 10) // below the bound: unchanged
	if math.Abs(float64(b.Grad[0])-0.8) > 1e-5 {
		t.Errorf("clipping below the bound changed the gradient: %v", b.Grad)
	}
}

func TestInitBounds(t *testing.T) {
	m, err := New(Spec{Arch: CNN, InShape: []int{1, 28, 28}, Classes: []int{0, 1, 2}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		fanIn := 0
		switch p.Name {
		case "conv1.weight", "conv1.bias":
			fanIn = 25
		case "conv2.weight", "conv2.bias":
			fanIn = 16 * 25
		case "embed.weight", "embed.bias":
			fanIn = 32 * 7 * 7
		case "head.weight", "head.bias":
			fanIn = 128
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		var maxAbs float64
		for _, v := range p.Value {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		if maxAbs > bound || (len(p.Value) >= 100 && maxAbs < 0.8*bound) { // few draws need not come near the bound
			t.Errorf("%s: max |w| = %v, want just under 1/sqrt(%d) = %v", p.Name, maxAbs, fanIn, bound)
		}
	}
}

func TestProbeLayerGradients(t *testing.T) {
	checkGrad(t, "rownorm", &RowNorm{}, []int{4, 9}, 1e-2)
	te := NewTaskEmbed(5, 3, 4)
	rng := rand.New(rand.NewPCG(9, 9))
	// TaskEmbed's input gradient is only defined for the feature part; check
	// the embedding's gradient by finite differences on E.
	x := NewTensor(6, 8)
	for i := range 6 {
		for j := range 5 {
			x.Data[i*8+j] = float32(rng.NormFloat64())
		}
		x.Data[i*8+5+i%3] = 1
	}
	for i := range te.E.Value {
		te.E.Value[i] = float32(rng.NormFloat64())
	}
	y := te.Forward(x, true)
	r := make([]float32, len(y.Data))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	clear(te.E.Grad)
	dx := te.Backward(&Tensor{Shape: y.Shape, Data: r}, true)
	for i := range te.E.Value {
		old := te.E.Value[i]
		te.E.Value[i] = old + 0.01
		up := lossOf(te, x, r)
		te.E.Value[i] = old - 0.01
		down := lossOf(te, x, r)
		te.E.Value[i] = old
		if num := (up - down) / 0.02; math.Abs(num-float64(te.E.Grad[i])) > 1e-3 {
			t.Fatalf("task embedding grad %d: %v vs numeric %v", i, te.E.Grad[i], num)
		}
	}
	for i := range 6 {
		for j := range 5 {
			if dx.Data[i*8+j] != r[i*9+j] {
				t.Fatal("features' gradient should pass through")
			}
		}
	}
}

func TestRowNormGolden(t *testing.T) {
	// Row (1, 2, 3): mean 2, biased variance 2/3, so the output is
	// (x - 2) / sqrt(2/3 + 1e-5) = (-1.2247357, 0, 1.2247357).
	y := (&RowNorm{}).Forward(&Tensor{Shape: []int{1, 3}, Data: []float32{1, 2, 3}}, false)
	want := 1 / math.Sqrt(2.0/3+1e-5)
	if math.Abs(float64(y.Data[0])+want) > 1e-6 || y.Data[1] != 0 || math.Abs(float64(y.Data[2])-want) > 1e-6 {
		t.Errorf("got %v", y.Data)
	}
}
