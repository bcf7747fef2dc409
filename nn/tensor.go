// Package nn is atlas's small training engine: float32 tensors, the layers
// the paper's encoders need, softmax cross-entropy, Adam and a training
// loop with early stopping.
//
// It is written here, on atlas's own GEMM (internal/gemm), because no
// well-kept Go library trains these models well on a CPU: gomlx's pure-Go
// backend cannot train a CNN (conv and max-pool gradients are missing) and
// takes ~190 s per MNIST epoch for an MLP; gorgonia is unmaintained, drags
// 132 modules and needs a patched dependency (dependencies.md section 2).
//
// Images are NCHW. Layers cache what their backward pass needs during a
// training forward pass; a model is therefore not safe for concurrent use.
// Initialisation, Adam and gradient clipping follow PyTorch's defaults so
// that results are comparable with the paper's code.
package nn

import "fmt"

// Tensor is a dense float32 array with a shape, row-major (NCHW for
// images, N x F for features).
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor allocates a zero tensor.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Rows is the first dimension (the batch size).
func (t *Tensor) Rows() int { return t.Shape[0] }

// RowLen is the number of values per row (product of the other dims).
func (t *Tensor) RowLen() int { return len(t.Data) / t.Shape[0] }

// Param is a trainable array and its gradient.
type Param struct {
	Name  string
	Shape []int
	Value []float32
	Grad  []float32
}

func newParam(name string, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param{Name: name, Shape: shape, Value: make([]float32, n), Grad: make([]float32, n)}
}

// Layer is one differentiable step.
type Layer interface {
	// Forward computes the output. With train set, the layer keeps what
	// Backward needs.
	Forward(x *Tensor, train bool) *Tensor
	// Backward takes dL/dy, adds the parameters' gradients to their Grad,
	// and returns dL/dx, or nil when needDX is false (the first layer).
	Backward(dy *Tensor, needDX bool) *Tensor
	// Params lists the trainable parameters (nil for none).
	Params() []*Param
	// OutShape is the shape of one output sample for one input sample.
	OutShape(in []int) ([]int, error)
}

func shapeErr(layer string, in []int, want string) error {
	return fmt.Errorf("nn: %s: input shape %v, want %s", layer, in, want)
}
