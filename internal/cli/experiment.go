package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latentatlas/atlas/anchor"
	"github.com/latentatlas/atlas/experiment"
	"github.com/latentatlas/atlas/internal/atomicfile"
	"github.com/latentatlas/atlas/internal/progress"
	"github.com/latentatlas/atlas/nn"
	"github.com/latentatlas/atlas/partition"
	"github.com/latentatlas/atlas/report"
)

// terminalObserver draws the experiment's progress on a terminal and
// nothing elsewhere.
type terminalObserver struct {
	w   io.Writer
	bar *progress.Bar
	on  bool
}

func (o *terminalObserver) Stage(msg string) {
	if !o.on {
		return
	}
	o.bar.Done()
	fmt.Fprintf(o.w, "%s %s\n", time.Now().Format("15:04:05"), msg)
	o.bar = progress.New(o.w, "  ")
}

func (o *terminalObserver) Progress(done, total int, note string) { o.bar.Update(done, total, note) }

func experimentCmd(e *env) *cobra.Command {
	var (
		out, cacheDir, settings, model, strategy string
		quick, noCache                           bool
		seeds                                    int
		seed                                     uint64
		flags                                    experiment.Config
	)
	d := experiment.Default()
	cmd := &cobra.Command{
		Use:   "experiment [--setting S] [--quick] [--seeds K] [--out DIR]",
		Short: "Reproduce the paper's experiments on MNIST (embedded): train, merge, evaluate, report",
		Long: `experiment runs "From Charts to Atlas" end to end on a CPU: it splits the data
set into tasks in the paper's three settings (shared-samples, shared-classes,
disjoint), trains one encoder per task and an end-to-end model, embeds, merges the
task spaces into an atlas, and compares it with the end-to-end space: linear CKA,
MLP probe accuracy (exact total / shared / non-shared), separability. Every number
is given for oracle routing (the paper's) and label-free routing.

It writes DIR/results.json (the paper's key names, the full config, seeds,
routing, version), summary.md (also printed), plots/ (SVG and PNG), index.html
(readable offline) and manifests/ (every task's ids, anchors). Trained models and
embeddings are cached (--cache), so a re-run or an interrupted run resumes.

With no flags it runs the three settings with the paper's CNN, one epoch per model
(about 6 minutes on 2 vCPUs); --quick is a small version (MLP encoders, 3,000
images per model) that takes about 40 seconds.`,
		Example: `  atlas experiment
  atlas experiment --setting shared-samples --seeds 3 --out runs/ss
  atlas experiment --quick --out /tmp/quick`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := experiment.Default()
			if quick {
				cfg = experiment.Quick()
			}
			set := cmd.Flags().Changed
			if set("model") {
				if err := oneOf("model", nn.Arch(model), nn.Archs); err != nil {
					return err
				}
				cfg.Model = nn.Arch(model)
			}
			if set("anchor-strategy") {
				if err := oneOf("anchor-strategy", anchor.Strategy(strategy), anchor.Strategies); err != nil {
					return err
				}
				cfg.AnchorStrategy = anchor.Strategy(strategy)
			}
			if set("setting") {
				cfg.Settings = nil
				for _, s := range strings.Split(settings, ",") {
					st := partition.Setting(strings.TrimSpace(s))
					if err := oneOf("setting", st, partition.Settings); err != nil {
						return err
					}
					cfg.Settings = append(cfg.Settings, st)
				}
			}
			if seeds < 1 {
				return usagef("--seeds must be at least 1")
			}
			cfg.Seeds = nil
			for k := range seeds {
				cfg.Seeds = append(cfg.Seeds, seed+uint64(k))
			}
			for name, apply := range map[string]func(){
				"epochs": func() { cfg.Epochs = flags.Epochs }, "shared": func() { cfg.Shared = flags.Shared },
				"novel": func() { cfg.Novel = flags.Novel }, "tasks": func() { cfg.Tasks = flags.Tasks },
				"anchors": func() { cfg.AnchorsShared = flags.AnchorsShared }, "pool-anchors": func() { cfg.AnchorsPool = flags.AnchorsPool },
				"same-init": func() { cfg.SameInit = flags.SameInit }, "paper-probe": func() { cfg.PaperProbe = flags.PaperProbe },
				"probe-train": func() { cfg.ProbeTrain = flags.ProbeTrain }, "test-limit": func() { cfg.TestLimit = flags.TestLimit },
				"train-limit": func() { cfg.TrainLimit = flags.TrainLimit }, "probe-epochs": func() { cfg.Probe.MaxEpochs = flags.Probe.MaxEpochs },
				"dataset": func() { cfg.Dataset = flags.Dataset }, "patience": func() { cfg.Patience = flags.Patience },
			} {
				if set(name) {
					apply()
				}
			}
			if out == "" {
				out = filepath.Join("runs", "experiment-"+time.Now().Format("20060102-150405"))
			}
			if noCache {
				cacheDir = ""
			}
			if err := os.MkdirAll(filepath.Join(out, "plots"), 0o755); err != nil {
				return err
			}
			obs := &terminalObserver{w: e.stderr, on: progress.IsTerminal(e.stderr)}
			start := time.Now()
			res, err := experiment.Run(cmd.Context(), cfg, cacheDir, out, Version, obs)
			obs.bar.Done()
			if err != nil {
				return err
			}
			if err := writeResults(out, res); err != nil {
				return err
			}
			fmt.Fprint(e.stdout, report.Markdown(res))
			fmt.Fprintf(e.stdout, "\nwrote %s (results.json, summary.md, index.html, plots/) in %s\n", out, time.Since(start).Round(time.Second))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "output folder (default: a new folder under runs/)")
	f.StringVar(&cacheDir, "cache", filepath.Join("runs", "cache"), "cache of trained models and embeddings")
	f.BoolVar(&noCache, "no-cache", false, "train everything again, cache nothing")
	f.StringVar(&settings, "setting", "", "settings to run, comma-separated: shared-samples, shared-classes, disjoint (default: all three)")
	f.BoolVar(&quick, "quick", false, "small version: MLP encoders on 3,000 images per model, 2,000 test images (about 40 seconds)")
	f.IntVar(&seeds, "seeds", 1, "repeat everything with this many seeds and report mean ± std")
	f.Uint64Var(&seed, "seed", 1, "first seed")
	f.StringVar(&model, "model", string(d.Model), "encoder: cnn (the paper's) or mlp")
	f.StringVar(&flags.Dataset, "dataset", d.Dataset, "mnist, idx:DIR, cifar10:DIR or cifar100:DIR")
	f.IntVar(&flags.Epochs, "epochs", d.Epochs, "maximum training epochs per model")
	f.IntVar(&flags.Patience, "patience", d.Patience, "early stopping patience (epochs)")
	f.IntVar(&flags.Shared, "shared", d.Shared, "shared-samples: classes every task sees (S)")
	f.IntVar(&flags.Novel, "novel", d.Novel, "shared-samples: novel classes per task (N); (classes - S) must be a multiple of N")
	f.IntVar(&flags.Tasks, "tasks", d.Tasks, "shared-classes and disjoint: number of tasks")
	f.IntVar(&flags.AnchorsShared, "anchors", d.AnchorsShared, "shared-samples: anchors drawn from the shared classes' training samples")
	f.IntVar(&flags.AnchorsPool, "pool-anchors", d.AnchorsPool, "shared-classes and disjoint: anchors used from the 1,000-sample pool")
	f.StringVar(&strategy, "anchor-strategy", string(d.AnchorStrategy), "random (the paper's) or stratified (round-robin over classes)")
	f.BoolVar(&flags.SameInit, "same-init", false, "initialise every model from one seed, as the paper's code did")
	f.BoolVar(&flags.PaperProbe, "paper-probe", false, "also run the paper's Exp 1 probe protocol (70/15/15 split of test embeddings)")
	f.IntVar(&flags.ProbeTrain, "probe-train", d.ProbeTrain, "training samples the probes learn from (0: all)")
	f.IntVar(&flags.TestLimit, "test-limit", d.TestLimit, "evaluate on a class-balanced subset of this many test samples (0: all)")
	f.IntVar(&flags.TrainLimit, "train-limit", d.TrainLimit, "train each model on at most this many images (0: all)")
	f.IntVar(&flags.Probe.MaxEpochs, "probe-epochs", d.Probe.MaxEpochs, "maximum probe epochs")
	return cmd
}

// writeResults writes results.json, timings.json, summary.md, the plots and
// index.html. results.json holds no timings, so the same flags and seeds
// give the same bytes.
func writeResults(out string, res *experiment.Results) error {
	if err := atomicfile.Write(filepath.Join(out, "results.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}); err != nil {
		return err
	}
	timings := map[string]any{"total_seconds": res.Seconds}
	for _, r := range res.Runs {
		timings[fmt.Sprintf("%s/seed%d", r.Setting, r.Seed)] = r.Seconds
	}
	if err := atomicfile.Write(filepath.Join(out, "timings.json"), func(w io.Writer) error {
		return json.NewEncoder(w).Encode(timings)
	}); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(out, "summary.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, report.Markdown(res))
		return err
	}); err != nil {
		return err
	}
	plots, err := report.WritePlots(res, out)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(out, "index.html"), func(w io.Writer) error {
		return report.WriteHTML(w, res, plots)
	})
}
