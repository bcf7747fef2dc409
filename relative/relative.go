// Package relative computes relative representations (Moschella et al.,
// "Relative representations enable zero-shot latent space communication",
// ICLR 2023): every sample of a chart is described by its similarity to a
// set of anchor samples embedded by the same model.
//
// The default, Cosine, is the projection of "From Charts to Atlas"
// (paper-spec 1.2): rows and anchors are L2-normalised with eps 1e-12 and
// the coordinate j of sample x is cos(x, a_j). It is invariant to a common
// rotation and positive scaling of a chart and its anchors, not to
// translation.
//
// The shape follows scikit-learn's fit/transform split: a Config holds the
// choices, Fit learns from the anchors and returns an immutable Projector,
// and Transform projects any space of the same model.
package relative

import (
	"fmt"
	"math"

	"github.com/latentatlas/atlas/internal/gemm"
	"github.com/latentatlas/atlas/space"
)

// Kind is the similarity used for each relative coordinate. Every kind is
// a similarity: larger means closer.
type Kind string

const (
	// Cosine: cos(x, a), in [-1, 1]. The paper's projection.
	Cosine Kind = "cosine"
	// Angular: 1 - arccos(cos(x, a))/pi, in [0, 1].
	Angular Kind = "angular"
	// Euclidean: the negated distance -||x - a||_2, in (-inf, 0].
	Euclidean Kind = "euclidean"
	// L1: the negated distance -||x - a||_1, in (-inf, 0].
	L1 Kind = "l1"
)

// Kinds lists the projection kinds, for flag help.
var Kinds = []Kind{Cosine, Angular, Euclidean, L1}

// Pre is a transform applied to a chart and its anchors before projection,
// with statistics taken from the anchors.
type Pre string

const (
	PreNone        Pre = "none"
	PreCenter      Pre = "center"      // subtract the anchors' mean
	PreStandardize Pre = "standardize" // subtract the anchors' mean, divide by their std per dimension
)

// Pres lists the pre-transforms, for flag help.
var Pres = []Pre{PreNone, PreCenter, PreStandardize}

// Eps is the norm below which a row counts as zero under cosine and
// angular projection (the clamp of torch.nn.functional.normalize).
const Eps = 1e-12

// Config chooses a projection. The zero value is the paper's: cosine with
// no pre-transform.
type Config struct {
	Kind Kind
	Pre  Pre
}

// Projector is a fitted projection: anchors after the pre-transform (and,
// for cosine and angular, normalised). It is safe for concurrent use.
type Projector struct {
	kind      Kind
	anchorIDs []int64
	dim       int       // input dimension d
	anchors   []float32 // k x d
	shift     []float32 // per-dimension mean to subtract (nil: none)
	scale     []float32 // per-dimension divisor (nil: none)
}

// Fit learns a projector from the anchor embeddings of one chart. The
// anchor order (anchors.IDs) is the coordinate order of the output.
func (c Config) Fit(anchors *space.Space) (*Projector, error) {
	kind, pre := c.Kind, c.Pre
	if kind == "" {
		kind = Cosine
	}
	if pre == "" {
		pre = PreNone
	}
	switch kind {
	case Cosine, Angular, Euclidean, L1:
	default:
		return nil, fmt.Errorf("unknown projection %q (want one of %v)", kind, Kinds)
	}
	if anchors.N() == 0 {
		return nil, fmt.Errorf("%s: no anchors", anchors.Name)
	}
	d := anchors.Dim
	p := &Projector{kind: kind, anchorIDs: append([]int64(nil), anchors.IDs...), dim: d}
	switch pre {
	case PreNone:
	case PreCenter, PreStandardize:
		mean := make([]float64, d)
		for i := range anchors.N() {
			for j, v := range anchors.Row(i) {
				mean[j] += float64(v)
			}
		}
		for j := range mean {
			mean[j] /= float64(anchors.N())
		}
		p.shift = toFloat32(mean)
		if pre == PreStandardize {
			variance := make([]float64, d)
			for i := range anchors.N() {
				for j, v := range anchors.Row(i) {
					dv := float64(v) - mean[j]
					variance[j] += dv * dv
				}
			}
			p.scale = make([]float32, d)
			for j := range variance {
				sd := math.Sqrt(variance[j] / float64(anchors.N()))
				// A dimension constant over the anchors is only centred:
				// dividing by ~0 would blow it up.
				if sd < Eps {
					sd = 1
				}
				p.scale[j] = float32(sd)
			}
		}
	default:
		return nil, fmt.Errorf("unknown pre-transform %q (want one of %v)", pre, Pres)
	}
	a, inv, err := p.prepare(anchors, "anchor")
	if err != nil {
		return nil, err
	}
	p.anchors = make([]float32, len(a)) // the anchors, normalised for cosine and angular
	for i := range anchors.N() {
		scale := float32(1)
		if inv != nil {
			scale = inv[i]
		}
		for j, v := range a[i*d : (i+1)*d] {
			p.anchors[i*d+j] = v * scale
		}
	}
	return p, nil
}

// Dim is the output dimension: the number of anchors.
func (p *Projector) Dim() int { return len(p.anchorIDs) }

// AnchorIDs returns the anchor ids in coordinate order.
func (p *Projector) AnchorIDs() []int64 { return append([]int64(nil), p.anchorIDs...) }

// prepare applies the pre-transform to s's rows (a copy when there is
// one; s.Data itself otherwise) and, for cosine and angular, returns each
// row's inverse L2 norm, so that a chart is normalised without a copy:
// cos(x, a) = (x . a^) / |x|.
func (p *Projector) prepare(s *space.Space, what string) (rows []float32, invNorm []float32, err error) {
	if s.Dim != p.dim {
		return nil, nil, fmt.Errorf("%s has dimension %d, anchors have %d", s.Name, s.Dim, p.dim)
	}
	rows = s.Data
	d := p.dim
	if p.shift != nil {
		rows = make([]float32, len(s.Data))
		for i := 0; i < len(rows); i += d {
			row, src := rows[i:i+d], s.Data[i:i+d]
			for j, v := range src {
				row[j] = v - p.shift[j]
				if p.scale != nil {
					row[j] /= p.scale[j]
				}
			}
		}
	}
	if p.kind != Cosine && p.kind != Angular {
		return rows, nil, nil
	}
	invNorm = make([]float32, s.N())
	var zero []int64
	for i := range invNorm {
		var ss float64
		for _, v := range rows[i*d : (i+1)*d] {
			ss += float64(v) * float64(v)
		}
		norm := math.Sqrt(ss)
		if norm < Eps {
			zero = append(zero, s.IDs[i])
			continue
		}
		invNorm[i] = float32(1 / norm)
	}
	if len(zero) > 0 {
		return nil, nil, fmt.Errorf("%s: %d %s rows have zero norm (after %s), so their %s similarity is undefined: ids %s",
			s.Name, len(zero), what, p.preName(), p.kind, space.FormatIDs(zero, 8))
	}
	return rows, invNorm, nil
}

func (p *Projector) preName() string {
	switch {
	case p.scale != nil:
		return "standardizing"
	case p.shift != nil:
		return "centering"
	}
	return "no pre-transform"
}

// Transform projects the rows of s (embedded by the same model as the
// anchors) onto the anchors. The result has the same ids and labels and
// Dim() columns.
func (p *Projector) Transform(s *space.Space) (*space.Space, error) {
	x, invNorm, err := p.prepare(s, "sample")
	if err != nil {
		return nil, err
	}
	n, k, d := s.N(), p.Dim(), p.dim
	out := make([]float32, n*k)
	switch p.kind {
	case Cosine, Angular:
		gemm.Sgemm(false, true, n, k, d, 1, x, d, p.anchors, d, 0, out, k)
		for i := range n {
			row, inv := out[i*k:(i+1)*k], invNorm[i]
			for j, v := range row {
				// Rounding can push |cos| a hair past 1.
				row[j] = min(max(v*inv, -1), 1)
			}
		}
		if p.kind == Angular {
			for i, v := range out {
				out[i] = float32(1 - math.Acos(float64(v))/math.Pi)
			}
		}
	case Euclidean, L1:
		// Distances are summed directly, not through the GEMM identity
		// ||x||^2 + ||a||^2 - 2 x.a, whose float32 cancellation puts an
		// anchor ~1e-3 away from itself.
		for i := range n {
			xi := x[i*d : (i+1)*d]
			for j := range k {
				aj := p.anchors[j*d : (j+1)*d]
				var s float64
				for t, v := range xi {
					dv := float64(v - aj[t])
					if p.kind == L1 {
						s += math.Abs(dv)
					} else {
						s += dv * dv
					}
				}
				if p.kind == Euclidean {
					s = math.Sqrt(s)
				}
				out[i*k+j] = -float32(s)
			}
		}
	}
	name := s.Name
	if name != "" {
		name += " (relative)"
	}
	return &space.Space{Name: name, IDs: s.IDs, Labels: s.Labels, Dim: k, Data: out}, nil
}

func toFloat32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
