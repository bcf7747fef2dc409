package cli

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/dataset"
	"github.com/latentatlas/atlas/internal/progress"
	"github.com/latentatlas/atlas/nn"
	"github.com/latentatlas/atlas/space"
)

func trainCmd(e *env) *cobra.Command {
	cfg := nn.DefaultTrain()
	var (
		data, classesFlag, arch, out string
		valFrac                      float64
		limit                        int
	)
	cfg.Epochs = 1
	cmd := &cobra.Command{
		Use:   "train --dataset mnist --classes 0,1,2 -o WEIGHTS",
		Short: "Train an encoder (the paper's CNN, or an MLP) on some classes of a dataset",
		Long: `train fits an encoder with a classification head on the training images of the
chosen classes (all by default): Adam, cross-entropy, gradient norm clipped, a
seeded validation split with early stopping on its loss and the best epoch's
weights restored. It prints the accuracy on the test images of those classes
and writes the weights (safetensors, with the model spec and a checksum).

--dataset: mnist (embedded in atlas), idx:DIR (MNIST-format files, e.g.
Fashion-MNIST), cifar10:DIR or cifar100:DIR (the binary versions).`,
		Example: `  atlas train --dataset mnist --classes 0,1,2,3,4 --model cnn --epochs 2 --seed 1 -o task1.safetensors`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("train: -o WEIGHTS is required")
			}
			if err := oneOf("model", nn.Arch(arch), nn.Archs); err != nil {
				return err
			}
			if valFrac < 0 || valFrac >= 1 {
				return usagef("--val-fraction must be in [0, 1)")
			}
			classes, err := parseInts("classes", classesFlag)
			if err != nil {
				return err
			}
			d, err := dataset.Load(data)
			if err != nil {
				return err
			}
			if classes, err = checkClasses(classes, d); err != nil {
				return err
			}
			view := dataset.NewView(d.Train, classes, d.Mean, d.Std)
			if limit > 0 && limit < view.Len() {
				view = view.Subset(seededPrefix(view.Len(), limit, cfg.Seed))
			}
			train, val := splitVal(view, valFrac, cfg.Seed)
			spec := nn.Spec{Arch: nn.Arch(arch), InShape: []int{d.Train.C, d.Train.H, d.Train.W}, Classes: classes,
				EmbedDim: 128, Mean: d.Mean, Std: d.Std, Dataset: data}
			m, err := nn.New(spec, cfg.Seed)
			if err != nil {
				return err
			}
			var valData nn.Data // a nil *View in an interface would not be nil
			if val != nil {
				valData = val
			}
			bar := progress.New(e.stderr, "train")
			start := time.Now()
			hist, err := nn.Train(cmd.Context(), m, train, valData, cfg, func(p nn.Progress) {
				bar.Update(p.Step, p.Steps, fmt.Sprintf("epoch %d/%d loss %.4f", p.Epoch, p.Epochs, p.Loss))
			})
			bar.Done()
			if err != nil {
				return err
			}
			for _, ep := range hist.Epochs {
				fmt.Fprintf(e.stdout, "epoch %d: train loss %.4f", ep.Epoch, ep.TrainLoss)
				if val != nil {
					fmt.Fprintf(e.stdout, ", val loss %.4f, val acc %.2f%%", ep.ValLoss, 100*ep.ValAcc)
				}
				fmt.Fprintf(e.stdout, " (%.1f s)\n", ep.Seconds)
			}
			test := dataset.NewView(d.Test, classes, d.Mean, d.Std)
			_, acc := nn.Evaluate(m, test, 500)
			if err := m.Save(out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "test accuracy %.2f%% on %d images; trained %d samples in %.1f s; wrote %s\n",
				100*acc, test.Len(), train.Len(), time.Since(start).Seconds(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&data, "dataset", "mnist", "mnist, idx:DIR, cifar10:DIR or cifar100:DIR")
	f.StringVar(&classesFlag, "classes", "", "classes to train on, e.g. 0,1,2 (default: all)")
	f.StringVar(&arch, "model", "cnn", "cnn (the paper's) or mlp")
	f.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "maximum epochs")
	f.Uint64Var(&cfg.Seed, "seed", 0, "seed for initialisation, validation split and shuffles")
	f.StringVarP(&out, "output", "o", "", "weights file to write")
	f.IntVar(&cfg.BatchSize, "batch-size", cfg.BatchSize, "batch size")
	f.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate")
	f.Float64Var(&cfg.ClipNorm, "clip", cfg.ClipNorm, "clip the gradient norm to this (0: off)")
	f.IntVar(&cfg.Patience, "patience", cfg.Patience, "stop after this many epochs without a lower validation loss (0: off)")
	f.Float64Var(&valFrac, "val-fraction", 0.1, "fraction of the training images held out for validation")
	f.IntVar(&limit, "limit", 0, "train on a seeded random subset of this many images (0: all)")
	return cmd
}

// checkClasses returns the classes sorted and checked against the dataset
// (all of them when none are given).
func checkClasses(classes []int, d *dataset.Dataset) ([]int, error) {
	if classes == nil {
		for c := range d.Classes {
			classes = append(classes, c)
		}
		return classes, nil
	}
	seen := map[int]bool{}
	for _, c := range classes {
		if c < 0 || c >= d.Classes {
			return nil, usagef("--classes: %d is not a class of %s (0..%d)", c, d.Name, d.Classes-1)
		}
		if seen[c] {
			return nil, usagef("--classes: %d is listed twice", c)
		}
		seen[c] = true
	}
	out := slices.Clone(classes)
	slices.Sort(out)
	return out, nil
}

// seededPrefix returns k positions of a seeded permutation of n, sorted.
func seededPrefix(n, k int, seed uint64) []int {
	perm := rand.New(rand.NewPCG(seed, 0x6c696d6974)).Perm(n)[:k] // stream "limit"
	slices.Sort(perm)
	return perm
}

// splitVal holds out a seeded fraction of v for validation.
func splitVal(v *dataset.View, frac float64, seed uint64) (train, val *dataset.View) {
	nVal := int(frac * float64(v.Len()))
	if nVal == 0 {
		return v, nil
	}
	perm := rand.New(rand.NewPCG(seed, 0x76616c)).Perm(v.Len()) // stream "val"
	return v.Subset(perm[nVal:]), v.Subset(perm[:nVal])
}

func embedCmd(e *env) *cobra.Command {
	var (
		weights, data, split, classesFlag, out string
	)
	cmd := &cobra.Command{
		Use:   "embed --weights WEIGHTS --split train|test -o CHART.npz",
		Short: "Embed images with a trained encoder into a chart file",
		Long: `embed runs a trained encoder (from atlas train) in eval mode over a split of a
dataset and writes a chart: embeddings (n x 128), ids (train images 0..N-1, test
images after them; for MNIST test ids are 60000..69999) and labels.`,
		Example: `  atlas embed --weights task1.safetensors --dataset mnist --split test -o task1_test.npz`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" || weights == "" {
				return usagef("embed: --weights and -o are required")
			}
			if err := oneOf("split", split, []string{"train", "test"}); err != nil {
				return err
			}
			classes, err := parseInts("classes", classesFlag)
			if err != nil {
				return err
			}
			m, err := nn.Load(weights)
			if err != nil {
				return err
			}
			if data == "" {
				data = m.Spec.Dataset
			}
			d, err := dataset.Load(data)
			if err != nil {
				return err
			}
			if classes, err = checkClasses(classes, d); err != nil {
				return err
			}
			im := d.Train
			if split == "test" {
				im = d.Test
			}
			if im.C != m.Spec.InShape[0] || im.H != m.Spec.InShape[1] || im.W != m.Spec.InShape[2] {
				return fmt.Errorf("%s images are %dx%dx%d but %s was trained on %v", data, im.C, im.H, im.W, weights, m.Spec.InShape)
			}
			// Normalise with the statistics the model was trained with.
			view := dataset.NewView(im, classes, m.Spec.Mean, m.Spec.Std)
			emb := m.Embed(view, 500)
			ids := make([]int64, view.Len())
			labels := make([]int, view.Len())
			for i := range ids {
				ids[i], labels[i] = view.ID(i), view.Label(i)
			}
			s := &space.Space{Name: out, IDs: ids, Labels: labels, Dim: m.Spec.EmbedDim, Data: emb}
			if err := s.Validate(); err != nil {
				return err
			}
			if err := chartio.Write(out, &chartio.Chart{Space: s}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s: %d %s images x %d\n", out, s.N(), split, s.Dim)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&weights, "weights", "", "weights file from atlas train")
	f.StringVar(&data, "dataset", "", "dataset (default: the one the model was trained on)")
	f.StringVar(&split, "split", "test", "train or test")
	f.StringVar(&classesFlag, "classes", "", "embed only images of these classes (default: all)")
	f.StringVarP(&out, "output", "o", "", "chart file to write")
	return cmd
}
