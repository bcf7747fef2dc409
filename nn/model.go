package nn

import (
	"fmt"
	"math/rand/v2"
)

// Sequential chains layers.
type Sequential struct{ Layers []Layer }

func (s *Sequential) Forward(x *Tensor, train bool) *Tensor {
	for _, l := range s.Layers {
		x = l.Forward(x, train)
	}
	return x
}

// Backward runs the layers backwards; the first layer's input gradient is
// computed only when needDX is set.
func (s *Sequential) Backward(dy *Tensor, needDX bool) *Tensor {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy, i > 0 || needDX)
	}
	return dy
}

func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Arch names a model architecture.
type Arch string

const (
	// CNN is the paper's vanilla CNN (paper-spec 3.1, commit fda86ef):
	// conv5x5(16, pad 2), SiLU, maxpool 2, conv5x5(32, pad 2), SiLU,
	// maxpool 2, flatten, linear -> 128 (the embedding, pre-activation),
	// then sigmoid and a linear head.
	CNN Arch = "cnn"
	// MLP is a fast encoder: flatten, linear -> 256, ReLU, linear -> 128
	// (the embedding), then ReLU and a linear head.
	MLP Arch = "mlp"
)

// Probe is the paper's classification probe (paper-spec 5.2): per-row
// standardisation, linear -> Hidden, ReLU, linear head. With TaskEmbed
// set, each input row ends in a one-hot task that a learned embedding
// (TaskEmbed wide) replaces before the standardisation.
const Probe Arch = "probe"

// Archs lists the encoder architectures, for flag help.
var Archs = []Arch{CNN, MLP}

// Spec says what a model is: enough to rebuild it from a weights file.
type Spec struct {
	Arch     Arch      `json:"arch"`
	InShape  []int     `json:"in_shape"`  // C, H, W of one input
	Classes  []int     `json:"classes"`   // global label of each output, ascending
	EmbedDim int       `json:"embed_dim"` // 128 in the paper
	Mean     []float32 `json:"mean"`      // per-channel input normalisation
	Std      []float32 `json:"std"`
	Dataset  string    `json:"dataset"`
	// Probe only: hidden width (256 in the paper), and the number of tasks
	// and width of the task embedding (0: none).
	Hidden         int `json:"hidden,omitempty"`
	Tasks          int `json:"tasks,omitempty"`
	TaskEmbedWidth int `json:"task_embed_width,omitempty"`
}

// Model is an encoder, whose output is the embedding, and a head that maps
// the embedding to class logits.
type Model struct {
	Spec    Spec
	Encoder *Sequential
	Head    *Sequential
}

// New builds a model and initialises it as PyTorch would, from seed.
func New(spec Spec, seed uint64) (*Model, error) {
	if len(spec.InShape) != 3 {
		return nil, fmt.Errorf("nn: input shape %v is not C, H, W", spec.InShape)
	}
	if len(spec.Classes) < 2 {
		return nil, fmt.Errorf("nn: a classifier needs at least 2 classes, got %v", spec.Classes)
	}
	if spec.EmbedDim <= 0 {
		spec.EmbedDim = 128
	}
	c, h, w := spec.InShape[0], spec.InShape[1], spec.InShape[2]
	var enc, head []Layer
	switch spec.Arch {
	case CNN:
		if h < 4 || w < 4 {
			return nil, fmt.Errorf("nn: cnn needs images of at least 4 x 4, got %d x %d", h, w)
		}
		enc = []Layer{
			NewConv2D("conv1", c, 16, 5, 1, 2), &SiLU{}, NewMaxPool2D(2, 2),
			NewConv2D("conv2", 16, 32, 5, 1, 2), &SiLU{}, NewMaxPool2D(2, 2),
			&Flatten{}, NewLinear("embed", 32*(h/2/2)*(w/2/2), spec.EmbedDim),
		}
		head = []Layer{&Sigmoid{}, NewLinear("head", spec.EmbedDim, len(spec.Classes))}
	case MLP:
		enc = []Layer{&Flatten{}, NewLinear("fc1", c*h*w, 256), &ReLU{}, NewLinear("embed", 256, spec.EmbedDim)}
		head = []Layer{&ReLU{}, NewLinear("head", spec.EmbedDim, len(spec.Classes))}
	case Probe:
		in := c * h * w
		enc = []Layer{&Flatten{}}
		if spec.TaskEmbedWidth > 0 {
			te := NewTaskEmbed(in-spec.Tasks, spec.Tasks, spec.TaskEmbedWidth)
			enc = append(enc, te)
			in = in - spec.Tasks + spec.TaskEmbedWidth
		}
		hidden := spec.Hidden
		if hidden <= 0 {
			hidden = 256
		}
		enc = append(enc, &RowNorm{}, NewLinear("fc1", in, hidden), &ReLU{})
		head = []Layer{NewLinear("head", hidden, len(spec.Classes))}
		spec.EmbedDim = hidden
	default:
		return nil, fmt.Errorf("nn: unknown architecture %q (want one of %v)", spec.Arch, Archs)
	}
	m := &Model{Spec: spec, Encoder: &Sequential{enc}, Head: &Sequential{head}}
	rng := rand.New(rand.NewPCG(seed, 0x696e6974)) // stream "init"
	for _, l := range append(enc, head...) {
		switch l := l.(type) {
		case *Linear:
			initLayer(rng, l.W, l.B)
		case *Conv2D:
			initLayer(rng, l.W, l.B)
		case *TaskEmbed:
			for i := range l.E.Value {
				l.E.Value[i] = float32(rng.NormFloat64())
			}
		}
	}
	return m, nil
}

// Params lists every trainable parameter, encoder first.
func (m *Model) Params() []*Param {
	return append(m.Encoder.Params(), m.Head.Params()...)
}

// Forward returns the embeddings and the logits of a batch.
func (m *Model) Forward(x *Tensor, train bool) (emb, logits *Tensor) {
	emb = m.Encoder.Forward(x, train)
	return emb, m.Head.Forward(emb, train)
}

// Backward propagates the logits' gradient through head and encoder.
func (m *Model) Backward(dlogits *Tensor) {
	m.Encoder.Backward(m.Head.Backward(dlogits, true), false)
}
