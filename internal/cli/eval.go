package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/internal/progress"
	"github.com/latentatlas/atlas/metrics"
	"github.com/latentatlas/atlas/nn"
	"github.com/latentatlas/atlas/probe"
	"github.com/latentatlas/atlas/space"
)

var probeNames = []string{"mlp", "linear", "knn", "centroid"}

type evalProbe struct {
	Accuracy float64           `json:"accuracy"`
	CI95     *metrics.Interval `json:"ci95,omitempty"`
	PerClass map[int]float64   `json:"per_class_accuracy"`
}

type evalResult struct {
	Train      string               `json:"train"`
	Test       string               `json:"test"`
	TrainRows  int                  `json:"train_rows"`
	TestRows   int                  `json:"test_rows"`
	Classes    int                  `json:"classes"`
	Probes     map[string]evalProbe `json:"probes"`
	Clustering *evalClustering      `json:"clustering,omitempty"`
}

type evalClustering struct {
	K          int     `json:"k"`
	Inertia    float64 `json:"inertia"`
	Silhouette float64 `json:"silhouette"`
	probe.ClusterScores
}

func evalCmd(e *env) *cobra.Command {
	var (
		trainPath, testPath, probesFlag string
		asJSON                          bool
		testFrac, c                     float64
		k, clusters, boots              int
		seed                            uint64
	)
	cmd := &cobra.Command{
		Use:   "eval [SPACE] [--train TRAIN --test TEST]",
		Short: "Train classifiers on a labelled space and score them; cluster it",
		Long: `eval measures what a labelled space is good for. It trains each probe on the
training rows and reports its accuracy on the test rows, with a seeded 95%
bootstrap interval and per-class accuracy:
  mlp       the paper's MLP probe (row standardisation, 256 ReLU, Adam, early stopping)
  linear    multinomial logistic regression (scikit-learn's objective, --C)
  knn       k nearest neighbours, Euclidean, majority vote (--k)
  centroid  nearest class mean
--clusters K also runs k-means (k-means++, seeded) on the test rows and scores
it against the labels: NMI, ARI, homogeneity, completeness, silhouette.

Give --train and --test files, or one SPACE that is split at random
(--test-fraction, seeded).`,
		Example: `  atlas eval --train atlas_train.npz --test atlas_test.npz --json
  atlas eval atlas.npz --probe linear,knn --clusters 10`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			names := probeNames
			if probesFlag != "all" {
				names = strings.Split(probesFlag, ",")
				for _, n := range names {
					if !slices.Contains(probeNames, n) {
						return usagef("--probe: %q is not one of %v (or all)", n, probeNames)
					}
				}
			}
			if boots < 0 || clusters < 0 || k < 1 || c <= 0 {
				return usagef("--bootstrap and --clusters must not be negative, --k and --C must be positive")
			}
			var train, test *space.Space
			switch {
			case len(args) == 1 && trainPath == "" && testPath == "":
				if testFrac <= 0 || testFrac >= 1 {
					return usagef("--test-fraction must be in (0, 1)")
				}
				ch, err := chartio.Read(args[0])
				if err != nil {
					return err
				}
				perm := rand.New(rand.NewPCG(seed, 0x73706c6974)).Perm(ch.Space.N())
				nTest := max(1, int(testFrac*float64(ch.Space.N())))
				test, train = ch.Space.Rows(sortedInts(perm[:nTest])), ch.Space.Rows(sortedInts(perm[nTest:]))
				trainPath, testPath = args[0], args[0]
			case len(args) == 0 && trainPath != "" && testPath != "":
				a, err := chartio.Read(trainPath)
				if err != nil {
					return err
				}
				b, err := chartio.Read(testPath)
				if err != nil {
					return err
				}
				train, test = a.Space, b.Space
				if train.Dim != test.Dim {
					return fmt.Errorf("%s has %d columns but %s has %d", trainPath, train.Dim, testPath, test.Dim)
				}
			default:
				return usagef("eval: give one SPACE, or --train and --test")
			}
			for _, s := range []*space.Space{train, test} {
				if !s.HasLabels() {
					return fmt.Errorf("%s has no labels array: eval needs labels", s.Name)
				}
			}
			classes := 0
			for _, l := range slices.Concat(train.Labels, test.Labels) {
				classes = max(classes, l+1)
			}
			ftrain := &probe.Features{X: train.Data, Dim: train.Dim, Labels: train.Labels}
			ftest := &probe.Features{X: test.Data, Dim: test.Dim, Labels: test.Labels}
			res := evalResult{Train: trainPath, Test: testPath, TrainRows: train.N(), TestRows: test.N(), Classes: classes, Probes: map[string]evalProbe{}}
			for _, name := range names {
				var r *probe.Result
				var err error
				switch name {
				case "mlp":
					cfg := probe.Default()
					cfg.Seed = seed
					bar := progress.New(e.stderr, "mlp probe")
					r, err = probe.MLP(cmd.Context(), ftrain, ftest, classes, cfg, func(p nn.Progress) {
						bar.Update(p.Epoch, p.Epochs, fmt.Sprintf("loss %.3f", p.Loss))
					})
					bar.Done()
				case "linear":
					r, err = probe.Linear(ftrain, ftest, classes, c)
				case "knn":
					r, err = probe.KNN(ftrain, ftest, classes, k)
				case "centroid":
					r, err = probe.NearestCentroid(ftrain, ftest, classes)
				}
				if err != nil {
					return fmt.Errorf("%s probe: %w", name, err)
				}
				ep := evalProbe{Accuracy: r.Accuracy, PerClass: map[int]float64{}}
				for cl, a := range probe.PerClass(r.Predictions, test.Labels, classes) {
					if a == a { // not NaN: the class is in the test rows
						ep.PerClass[cl] = a
					}
				}
				if boots > 0 {
					ci := metrics.BootstrapAccuracy(r.Predictions, test.Labels, boots, 0.95, seed)
					ep.CI95 = &ci
				}
				res.Probes[name] = ep
			}
			if clusters > 0 {
				assign, inertia, err := probe.KMeans(ftest, clusters, 4, seed)
				if err != nil {
					return err
				}
				sil, err := probe.Silhouette(ftest, assign, 5000, seed)
				if err != nil {
					return err
				}
				res.Clustering = &evalClustering{K: clusters, Inertia: inertia, Silhouette: sil, ClusterScores: probe.Score(test.Labels, assign)}
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			fmt.Fprintf(e.stdout, "%d training rows, %d test rows, %d classes\n", res.TrainRows, res.TestRows, classes)
			for _, name := range names {
				p := res.Probes[name]
				fmt.Fprintf(e.stdout, "%-9s accuracy %.2f %%", name, 100*p.Accuracy)
				if p.CI95 != nil {
					fmt.Fprintf(e.stdout, "  95%% CI [%.2f, %.2f]", 100*p.CI95.Lo, 100*p.CI95.Hi)
				}
				fmt.Fprintln(e.stdout)
			}
			if cl := res.Clustering; cl != nil {
				fmt.Fprintf(e.stdout, "k-means (k=%d): NMI %.4f  ARI %.4f  homogeneity %.4f  completeness %.4f  silhouette %.4f\n",
					cl.K, cl.NMI, cl.ARI, cl.Homogeneity, cl.Completeness, cl.Silhouette)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&trainPath, "train", "", "labelled space to train on")
	f.StringVar(&testPath, "test", "", "labelled space to test on")
	f.Float64Var(&testFrac, "test-fraction", 0.2, "with one SPACE: the fraction held out for testing")
	f.StringVar(&probesFlag, "probe", "all", "probes, comma-separated: mlp, linear, knn, centroid (or all)")
	f.IntVar(&k, "k", 5, "neighbours of the knn probe")
	f.Float64Var(&c, "C", 1, "inverse L2 strength of the linear probe (scikit-learn's C)")
	f.IntVar(&clusters, "clusters", 0, "also run k-means with this many clusters on the test rows (0: no)")
	f.IntVar(&boots, "bootstrap", 1000, "bootstrap resamples for the accuracy intervals (0: none)")
	f.Uint64Var(&seed, "seed", 42, "seed for splits, probes, k-means and the bootstrap")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func sortedInts(v []int) []int {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}
