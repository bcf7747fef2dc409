package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas"
	"github.com/latentatlas/atlas/aggregate"
	"github.com/latentatlas/atlas/anchor"
	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/relative"
	"github.com/latentatlas/atlas/space"
)

func mergeCmd(e *env) *cobra.Command {
	var (
		out, anchorFile, strategy, projection, pre, method string
		count                                              int
		seed                                               uint64
	)
	cmd := &cobra.Command{
		Use:   "merge CHART... -o OUT.npz",
		Short: "Merge charts into one atlas of relative coordinates",
		Long: `merge projects every chart onto shared anchors (cosine similarity by default)
and averages each sample's relative vectors over the charts that embedded it.
OUT holds embeddings (n x anchors), ids, labels (when every chart has them),
coverage (charts per sample) and anchor_ids. One chart gives its relative
projection.

Anchors come from --anchor-ids FILE, else --anchors N ids chosen among those
every chart embeds, else the charts' own anchor_ids (which must agree).

--aggregate jumble writes the paper's naive baseline instead: the absolute
embeddings stacked row by row (ids repeat where charts overlap) with a
source array naming each row's chart.`,
		Example: `  atlas merge task1.npz task2.npz -o atlas.npz
  atlas merge a.npz b.npz --anchors 128 --anchor-strategy stratified --seed 7 -o atlas.npz`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("merge: -o OUT is required")
			}
			if err := oneOf("anchor-strategy", anchor.Strategy(strategy), anchor.Strategies); err != nil {
				return err
			}
			if err := oneOf("projection", relative.Kind(projection), relative.Kinds); err != nil {
				return err
			}
			if err := oneOf("pre", relative.Pre(pre), relative.Pres); err != nil {
				return err
			}
			if err := oneOf("aggregate", method, []string{"mean", "single", "jumble"}); err != nil {
				return err
			}
			if count < 0 {
				return usagef("--anchors must be positive")
			}
			if count > 0 && anchorFile != "" {
				return usagef("give --anchors N or --anchor-ids FILE, not both")
			}
			charts := make([]*chartio.Chart, len(args))
			for i, path := range args {
				c, err := chartio.Read(path)
				if err != nil {
					return err
				}
				charts[i] = c
				e.log.Info("read chart", "path", path, "n", c.Space.N(), "dim", c.Space.Dim)
			}
			if method == "jumble" {
				return writeJumble(out, charts)
			}
			opts := atlas.MergeOptions{
				Anchors:    atlas.AnchorOptions{Count: count, Strategy: anchor.Strategy(strategy), Seed: seed},
				Projection: relative.Config{Kind: relative.Kind(projection), Pre: relative.Pre(pre)},
				Method:     aggregate.Method(method),
			}
			if anchorFile != "" {
				ids, err := chartio.ReadIDs(anchorFile)
				if err != nil {
					return err
				}
				opts.Anchors.IDs = ids
			}
			a, anchorIDs, err := atlas.Merge(charts, opts)
			if err != nil {
				return err
			}
			a.Space.Name = out
			if err := chartio.Write(out, &chartio.Chart{Space: a.Space, AnchorIDs: anchorIDs, Coverage: a.Coverage}); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s: %d samples x %d anchors from %d charts (coverage %s)\n",
				out, a.Space.N(), a.Space.Dim, len(charts), coverageSummary(a.Coverage))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "atlas file to write (.npz, or a folder of .npy)")
	f.StringVar(&anchorFile, "anchor-ids", "", "file of anchor ids (text: one per line or comma-separated; or a 1-D .npy)")
	f.IntVar(&count, "anchors", 0, "choose this many anchors among the ids every chart embeds")
	f.StringVar(&strategy, "anchor-strategy", "random", "how --anchors are chosen: random or stratified (round-robin over classes)")
	f.Uint64Var(&seed, "seed", 0, "seed for choosing anchors")
	f.StringVar(&projection, "projection", "cosine", "similarity to anchors: cosine, angular, euclidean (negated distance) or l1 (negated distance)")
	f.StringVar(&pre, "pre", "none", "transform before projection, with statistics from the anchors: none, center or standardize")
	f.StringVar(&method, "aggregate", "mean", "mean (coverage-aware), single (first chart that has the sample) or jumble (stack absolute rows)")
	return cmd
}

func writeJumble(out string, charts []*chartio.Chart) error {
	spaces := make([]*space.Space, len(charts))
	for i, c := range charts {
		spaces[i] = c.Space
	}
	j, err := aggregate.Jumble(spaces)
	if err != nil {
		return err
	}
	arrays := []chartio.NamedArray{
		chartio.Float32Matrix(chartio.ArrEmbeddings, j.N(), j.Dim, j.Data),
		chartio.Int64Array(chartio.ArrIDs, j.IDs),
		chartio.IntArray("source", j.Source),
	}
	if j.Labels != nil {
		arrays = append(arrays, chartio.IntArray(chartio.ArrLabels, j.Labels))
	}
	return chartio.WriteArrays(out, arrays)
}

func coverageSummary(cov []int) string {
	hist := map[int]int{}
	maxC := 0
	for _, c := range cov {
		hist[c]++
		maxC = max(maxC, c)
	}
	var parts []string
	for c := 1; c <= maxC; c++ {
		if hist[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d samples in %d", hist[c], c))
		}
	}
	return strings.Join(parts, ", ")
}
