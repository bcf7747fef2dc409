package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/metrics"
	"github.com/latentatlas/atlas/space"
)

// compareResult is the JSON printed by `atlas compare --json`.
type compareResult struct {
	X            string                 `json:"x"`
	Y            string                 `json:"y"`
	N            int                    `json:"n"`
	Intersect    bool                   `json:"intersect"`
	Labels       []int                  `json:"labels,omitempty"`
	LinearCKA    float64                `json:"linear_cka"`
	Measures     map[string]measureJSON `json:"measures,omitempty"`
	Separability *separabilityPair      `json:"separability,omitempty"`
}

// measureJSON is one measure's value with what is needed to read it.
type measureJSON struct {
	Value               float64              `json:"value"`
	LargerIsMoreSimilar bool                 `json:"larger_is_more_similar"`
	Range               [2]*float64          `json:"range"` // null: unbounded
	Symmetric           bool                 `json:"symmetric"`
	Invariances         []metrics.Invariance `json:"invariances"`
	Reference           string               `json:"reference"`
	PValue              *float64             `json:"p_value,omitempty"`
	Permutations        int                  `json:"permutations,omitempty"`
	CI95                *metrics.Interval    `json:"ci95,omitempty"`
	Note                string               `json:"note,omitempty"`
}

type separabilityPair struct {
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Classes []int   `json:"classes,omitempty"`
	Pairs   int     `json:"pairs"`
}

func compareCmd(e *env) *cobra.Command {
	var (
		asJSON, intersect               bool
		labelsFlag, sepFlag, metricFlag string
		perms, boots, k, subsample      int
		seed                            uint64
	)
	cmd := &cobra.Command{
		Use:   "compare X Y",
		Short: "Compare two spaces aligned by sample id (CKA and other measures, separability)",
		Long: `compare aligns X and Y by sample id and reports linear CKA between them; when
both have labels, also each one's class separability (the paper's ratio of
class-mean distance to mean class spread), over class pairs that involve at
least one of --separability-classes (default: all).

--metric adds measures (comma-separated, or all), each printed with whether
larger means more similar, its range, symmetry and invariances:
  linear_cka, debiased_cka, rbf_cka, mutual_knn, knn_jaccard, cca, svcca, pwcca, procrustes
--permutations N adds a p-value against shuffled correspondences, and
--bootstrap N a 95% percentile interval (resampling samples), both seeded.

The id sets must be equal unless --intersect is given.`,
		Example: `  atlas compare atlas.npz reference.npz --json
  atlas compare atlas.npz reference.npz --metric all --json
  atlas compare atlas.npz reference.npz --metric linear_cka,procrustes --permutations 200
  atlas compare atlas.npz reference.npz --labels 2,5,6 --intersect`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			keep, err := parseInts("labels", labelsFlag)
			if err != nil {
				return err
			}
			focus, err := parseInts("separability-classes", sepFlag)
			if err != nil {
				return err
			}
			var measures []metrics.Measure
			if metricFlag != "" {
				if measures, err = metrics.Lookup(strings.Split(metricFlag, ",")); err != nil {
					return usageError{err}
				}
			}
			if perms < 0 || boots < 0 || k < 1 || subsample < 0 {
				return usagef("--permutations, --bootstrap and --subsample must not be negative, --k must be positive")
			}
			cx, err := chartio.Read(args[0])
			if err != nil {
				return err
			}
			cy, err := chartio.Read(args[1])
			if err != nil {
				return err
			}
			x, y, err := space.Align(cx.Space, cy.Space, intersect)
			if err != nil {
				return err
			}
			labels, err := sharedLabels(x, y)
			if err != nil {
				return err
			}
			if keep != nil {
				if labels == nil {
					return fmt.Errorf("--labels: neither %s nor %s has labels", args[0], args[1])
				}
				set := map[int]bool{}
				for _, l := range keep {
					set[l] = true
				}
				sel := func(r int) bool { return set[labels[r]] }
				x, y = x.Filter(sel), y.Filter(sel)
				labels = x.Labels
				if labels == nil {
					labels = y.Labels
				}
				if x.N() == 0 {
					return fmt.Errorf("--labels %s: no sample has these labels", labelsFlag)
				}
			}
			res := compareResult{X: args[0], Y: args[1], N: x.N(), Intersect: intersect, Labels: keep}
			if res.LinearCKA, err = metrics.LinearCKA(x, y); err != nil {
				return err
			}
			opts := metrics.Options{K: k, Subsample: subsample, Seed: seed}
			for _, m := range measures {
				v, err := m.Compute(x, y, opts)
				if err != nil {
					return err
				}
				mj := measureJSON{Value: v, LargerIsMoreSimilar: m.LargerIsMoreSimilar, Range: m.Range(), Symmetric: m.Symmetric,
					Invariances: m.Invariances, Reference: m.Reference}
				if perms > 0 {
					_, p, err := metrics.PermutationTest(m, x, y, opts, perms, seed)
					if err != nil {
						return err
					}
					mj.PValue, mj.Permutations = &p, perms
				}
				if boots > 0 {
					ci, err := metrics.Bootstrap(m, x, y, opts, boots, 0.95, seed)
					switch {
					case errors.Is(err, metrics.ErrNoBootstrap):
						mj.Note = "no bootstrap interval: " + err.Error()
					case err != nil:
						return err
					default:
						mj.CI95 = &ci
					}
				}
				if res.Measures == nil {
					res.Measures = map[string]measureJSON{}
				}
				res.Measures[m.Name] = mj
			}
			if x.HasLabels() && y.HasLabels() {
				sx, err := metrics.Separability(x.Data, x.Dim, labels, focus)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				sy, err := metrics.Separability(y.Data, y.Dim, labels, focus)
				if err != nil {
					return fmt.Errorf("%s: %w", args[1], err)
				}
				res.Separability = &separabilityPair{X: sx.Mean, Y: sy.Mean, Classes: focus, Pairs: sx.Pairs}
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			fmt.Fprintf(e.stdout, "samples     %d\nlinear CKA  %.4f\n", res.N, res.LinearCKA)
			for _, m := range measures {
				mj := res.Measures[m.Name]
				dir := "similarity"
				if !mj.LargerIsMoreSimilar {
					dir = "distance"
				}
				fmt.Fprintf(e.stdout, "%-13s %.4f  (%s)", m.Name, mj.Value, dir)
				if mj.PValue != nil {
					fmt.Fprintf(e.stdout, "  p = %.4g", *mj.PValue)
				}
				if mj.CI95 != nil {
					fmt.Fprintf(e.stdout, "  95%% CI [%.4f, %.4f]", mj.CI95.Lo, mj.CI95.Hi)
				}
				fmt.Fprintln(e.stdout)
			}
			if s := res.Separability; s != nil {
				fmt.Fprintf(e.stdout, "separability  x %.4f  y %.4f  (%d class pairs)\n", s.X, s.Y, s.Pairs)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.BoolVar(&intersect, "intersect", false, "compare the ids both spaces have instead of requiring equal id sets")
	f.StringVar(&labelsFlag, "labels", "", "restrict both spaces to samples with these labels (e.g. 2,5,6)")
	f.StringVar(&sepFlag, "separability-classes", "", "average separability over class pairs involving these classes (default: all)")
	f.StringVar(&metricFlag, "metric", "", "measures to add: comma-separated names, or all")
	f.IntVar(&perms, "permutations", 0, "permutation-test p-value from this many shuffles (0: none)")
	f.IntVar(&boots, "bootstrap", 0, "95% bootstrap interval from this many resamples (0: none)")
	f.IntVar(&k, "k", 10, "neighbours for mutual_knn and knn_jaccard")
	f.IntVar(&subsample, "subsample", 0, "rbf_cka: use this many seeded random samples (needed above 5,000)")
	f.Uint64Var(&seed, "seed", 1, "seed for permutations, bootstrap and subsampling")
	return cmd
}

// sharedLabels returns the labels of aligned x and y: from whichever has
// them, and an error naming the first ids where both have and disagree.
func sharedLabels(x, y *space.Space) ([]int, error) {
	switch {
	case x.HasLabels() && y.HasLabels():
		var bad []int64
		for i := range x.Labels {
			if x.Labels[i] != y.Labels[i] {
				bad = append(bad, x.IDs[i])
			}
		}
		if len(bad) > 0 {
			return nil, fmt.Errorf("%s and %s disagree on the labels of %d ids: %s", x.Name, y.Name, len(bad), space.FormatIDs(bad, 5))
		}
		return x.Labels, nil
	case x.HasLabels():
		return x.Labels, nil
	case y.HasLabels():
		return y.Labels, nil
	}
	return nil, nil
}
