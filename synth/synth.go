// Package synth generates synthetic chart sets: several "models" that embed
// overlapping parts of one labelled data set, so the method can be tried
// and tested with no training and no data.
//
// A shared latent Z (class clusters in L dimensions) stands for what every
// model learns. Chart t sees a subset of the samples, chosen by one of the
// paper's three settings (paper-spec 2), and embeds sample s as
//
//	x_t(s) = scale_t * Q_t [z(s); 0] + noise_t,
//
// with Q_t a random rotation of R^d, scale_t a random positive scale and
// noise_t Gaussian. Cosine relative projection removes Q_t and scale_t
// exactly, so merged charts should match the latent up to the noise.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/internal/randmat"
	"github.com/latentatlas/atlas/partition"
	"github.com/latentatlas/atlas/space"
)

// Setting is how samples are split across charts: the paper's three
// settings, as in package partition.
type Setting = partition.Setting

const (
	SharedSamples = partition.SharedSamples // shared classes in every chart, novel classes in one
	SharedClasses = partition.SharedClasses // every class in every chart, disjoint samples
	Disjoint      = partition.Disjoint      // disjoint class groups
)

// Settings lists the settings, for flag help.
var Settings = partition.Settings

// Config describes a synthetic chart set.
type Config struct {
	Setting Setting
	Charts  int     // number of charts T
	Samples int     // samples in the data set (anchors excluded)
	Classes int     // C
	Shared  int     // shared classes S (SharedSamples only)
	Latent  int     // latent dimension L
	Dims    []int   // embedding dimension of each chart (one value: all charts)
	Anchors int     // anchor count K
	Noise   float64 // noise std relative to the latent's unit spread
	Spread  float64 // distance scale between class centres
	Seed    uint64
}

// Default is a small set that merges in well under a second.
func Default() Config {
	return Config{Setting: SharedSamples, Charts: 3, Samples: 3000, Classes: 10, Shared: 4, Latent: 16,
		Dims: []int{32}, Anchors: 64, Noise: 0.3, Spread: 3, Seed: 1}
}

// Chart is one generated chart: its space (ids, labels, rows) and its
// anchors (explicit embeddings, ids in AnchorIDs).
type Chart struct {
	Space   *space.Space
	Anchors *space.Space
}

// Set is a generated chart set.
type Set struct {
	Charts    []Chart
	Reference *space.Space // the latent Z of every non-anchor sample
	AnchorIDs []int64
	// Tasks lists, per chart, the classes it sees.
	Tasks [][]int
}

// Generate builds a chart set. Sample ids are 0..Samples-1; anchor ids
// follow (Samples..Samples+Anchors-1) and are embedded by every chart.
func Generate(c Config) (*Set, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x73796e7468)) // stream "synth"
	centres := make([]float64, c.Classes*c.Latent)
	for i := range centres {
		centres[i] = rng.NormFloat64() * c.Spread
	}
	total := c.Samples + c.Anchors
	ids := make([]int64, total)
	labels := make([]int, total)
	z := make([]float64, total*c.Latent)
	for i := range total {
		ids[i] = int64(i)
		labels[i] = i % c.Classes
		for j := range c.Latent {
			z[i*c.Latent+j] = centres[labels[i]*c.Latent+j] + rng.NormFloat64()
		}
	}
	tasks := c.taskClasses()
	// members[t] lists the sample rows chart t embeds.
	members := make([][]int, c.Charts)
	perm := rng.Perm(c.Samples)
	for pos, i := range perm {
		for t, cls := range tasks {
			if !slices.Contains(cls, labels[i]) {
				continue
			}
			// In SharedClasses every chart has every class; samples are
			// dealt round-robin so the charts are disjoint.
			if c.Setting == SharedClasses && pos%c.Charts != t {
				continue
			}
			members[t] = append(members[t], i)
		}
	}
	set := &Set{Tasks: tasks}
	for i := c.Samples; i < total; i++ {
		set.AnchorIDs = append(set.AnchorIDs, ids[i])
	}
	for t := range c.Charts {
		slices.Sort(members[t])
		d := c.Dims[min(t, len(c.Dims)-1)]
		q := randmat.Orthogonal(rng, d)
		scale := math.Exp(rng.NormFloat64()) // log-normal positive scale
		embed := func(rows []int, name string, withLabels bool) *space.Space {
			s := &space.Space{Name: name, Dim: d, IDs: make([]int64, len(rows)), Data: make([]float32, len(rows)*d)}
			if withLabels {
				s.Labels = make([]int, len(rows))
			}
			for r, i := range rows {
				s.IDs[r] = ids[i]
				if withLabels {
					s.Labels[r] = labels[i]
				}
				for a := range d {
					var v float64
					for b := range c.Latent {
						v += q[a*d+b] * z[i*c.Latent+b]
					}
					s.Data[r*d+a] = float32(scale * (v + c.Noise*rng.NormFloat64()))
				}
			}
			return s
		}
		anchorRows := make([]int, c.Anchors)
		for k := range anchorRows {
			anchorRows[k] = c.Samples + k
		}
		set.Charts = append(set.Charts, Chart{
			Space:   embed(members[t], fmt.Sprintf("chart_%d", t+1), true),
			Anchors: embed(anchorRows, fmt.Sprintf("chart_%d anchors", t+1), false),
		})
	}
	ref := &space.Space{Name: "reference", Dim: c.Latent, IDs: ids[:c.Samples], Labels: labels[:c.Samples],
		Data: make([]float32, c.Samples*c.Latent)}
	for i := range ref.Data {
		ref.Data[i] = float32(z[i])
	}
	set.Reference = ref
	return set, nil
}

func (c Config) validate() error {
	switch {
	case c.Charts < 1:
		return fmt.Errorf("synth: need at least 1 chart, got %d", c.Charts)
	case c.Classes < 2:
		return fmt.Errorf("synth: need at least 2 classes, got %d", c.Classes)
	case c.Samples < c.Classes:
		return fmt.Errorf("synth: %d samples cannot cover %d classes", c.Samples, c.Classes)
	case c.Latent < 1 || c.Anchors < 1:
		return fmt.Errorf("synth: latent dimension and anchor count must be positive")
	case len(c.Dims) == 0:
		return fmt.Errorf("synth: no chart dimension given")
	case len(c.Dims) > 1 && len(c.Dims) != c.Charts:
		return fmt.Errorf("synth: %d chart dimensions for %d charts (give one, or one per chart)", len(c.Dims), c.Charts)
	}
	for _, d := range c.Dims {
		if d < c.Latent {
			return fmt.Errorf("synth: chart dimension %d is below the latent dimension %d", d, c.Latent)
		}
	}
	switch c.Setting {
	case SharedSamples:
		novel := c.Classes - c.Shared
		if c.Shared < 1 || novel < c.Charts || novel%c.Charts != 0 {
			return fmt.Errorf("synth: shared-samples needs 1 <= shared < classes and classes-shared (%d) divisible by charts (%d)", novel, c.Charts)
		}
	case SharedClasses:
	case Disjoint:
		if c.Classes%c.Charts != 0 {
			return fmt.Errorf("synth: disjoint needs classes (%d) divisible by charts (%d)", c.Classes, c.Charts)
		}
	default:
		return fmt.Errorf("synth: unknown setting %q (want one of %v)", c.Setting, Settings)
	}
	return nil
}

// taskClasses lists the classes each chart sees.
func (c Config) taskClasses() [][]int {
	tasks := make([][]int, c.Charts)
	for t := range tasks {
		switch c.Setting {
		case SharedSamples:
			per := (c.Classes - c.Shared) / c.Charts
			for k := range c.Shared {
				tasks[t] = append(tasks[t], k)
			}
			for k := range per {
				tasks[t] = append(tasks[t], c.Shared+t*per+k)
			}
		case SharedClasses:
			for k := range c.Classes {
				tasks[t] = append(tasks[t], k)
			}
		case Disjoint:
			per := c.Classes / c.Charts
			for k := range per {
				tasks[t] = append(tasks[t], t*per+k)
			}
		}
	}
	return tasks
}

// AsCharts returns the charts in the file contract of package chartio,
// each with the shared anchor ids and its own anchor embeddings.
func (s *Set) AsCharts() []*chartio.Chart {
	out := make([]*chartio.Chart, len(s.Charts))
	for i, c := range s.Charts {
		out[i] = &chartio.Chart{Space: c.Space, AnchorIDs: s.AnchorIDs, Anchors: c.Anchors}
	}
	return out
}
