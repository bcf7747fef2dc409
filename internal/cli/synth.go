package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/internal/atomicfile"
	"github.com/latentatlas/atlas/synth"
)

func synthCmd(e *env) *cobra.Command {
	c := synth.Default()
	var (
		out, setting string
		dims         []int
	)
	cmd := &cobra.Command{
		Use:   "synth -o DIR",
		Short: "Write a synthetic chart set to try merge and compare with no data",
		Long: `synth writes charts that embed overlapping parts of one labelled data set:
a shared latent (class clusters) seen through a random rotation, scale and
noise per chart. DIR gets chart_1.npz ... chart_T.npz (each with its anchors),
reference.npz (the latent itself) and manifest.json.

Settings (the paper's three): shared-samples (--shared classes in every chart
plus novel classes per chart), shared-classes (all classes, disjoint samples),
disjoint (disjoint class groups).`,
		Example: `  atlas synth -o demo
  atlas merge demo/chart_*.npz -o demo/atlas.npz
  atlas compare demo/atlas.npz demo/reference.npz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("synth: -o DIR is required")
			}
			c.Setting = synth.Setting(setting)
			if err := oneOf("setting", c.Setting, synth.Settings); err != nil {
				return err
			}
			c.Dims = dims
			set, err := synth.Generate(c)
			if err != nil {
				return usageError{err}
			}
			return atomicfile.WriteDir(out, func(dir string) error {
				for i, ch := range set.AsCharts() {
					path := filepath.Join(dir, fmt.Sprintf("chart_%d.npz", i+1))
					if err := chartio.Write(path, ch); err != nil {
						return err
					}
				}
				if err := chartio.Write(filepath.Join(dir, "reference.npz"), &chartio.Chart{Space: set.Reference}); err != nil {
					return err
				}
				manifest := map[string]any{"config": c, "task_classes": set.Tasks, "anchor_ids": set.AnchorIDs}
				err := atomicfile.Write(filepath.Join(dir, "manifest.json"), func(w io.Writer) error {
					enc := json.NewEncoder(w)
					enc.SetIndent("", "  ")
					return enc.Encode(manifest)
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "wrote %d charts (%s, %d samples, %d anchors) to %s\n", len(set.Charts), c.Setting, c.Samples, c.Anchors, out)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "folder to write")
	f.StringVar(&setting, "setting", string(c.Setting), "shared-samples, shared-classes or disjoint")
	f.IntVar(&c.Charts, "charts", c.Charts, "number of charts")
	f.IntVar(&c.Samples, "samples", c.Samples, "number of samples (anchors excluded)")
	f.IntVar(&c.Classes, "classes", c.Classes, "number of classes")
	f.IntVar(&c.Shared, "shared", c.Shared, "shared classes (shared-samples)")
	f.IntVar(&c.Latent, "latent", c.Latent, "latent dimension")
	f.IntSliceVar(&dims, "dims", c.Dims, "embedding dimension: one for all charts, or one per chart")
	f.IntVar(&c.Anchors, "anchors", c.Anchors, "number of anchors, embedded by every chart")
	f.Float64Var(&c.Noise, "noise", c.Noise, "per-chart noise std (latent units)")
	f.Uint64Var(&c.Seed, "seed", c.Seed, "random seed")
	return cmd
}
