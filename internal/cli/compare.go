package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/metrics"
	"github.com/latentatlas/atlas/space"
)

// compareResult is the JSON printed by `atlas compare --json`.
type compareResult struct {
	X            string            `json:"x"`
	Y            string            `json:"y"`
	N            int               `json:"n"`
	Intersect    bool              `json:"intersect"`
	Labels       []int             `json:"labels,omitempty"`
	LinearCKA    float64           `json:"linear_cka"`
	Separability *separabilityPair `json:"separability,omitempty"`
}

type separabilityPair struct {
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Classes []int   `json:"classes,omitempty"`
	Pairs   int     `json:"pairs"`
}

func compareCmd(e *env) *cobra.Command {
	var (
		asJSON, intersect   bool
		labelsFlag, sepFlag string
	)
	cmd := &cobra.Command{
		Use:   "compare X Y",
		Short: "Compare two spaces aligned by sample id (linear CKA, separability)",
		Long: `compare aligns X and Y by sample id and reports linear CKA between them; when
both have labels, also each one's class separability (the paper's ratio of
class-mean distance to mean class spread), over class pairs that involve at
least one of --separability-classes (default: all).

The id sets must be equal unless --intersect is given.`,
		Example: `  atlas compare atlas.npz reference.npz --json
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
