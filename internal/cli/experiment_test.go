package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The end-to-end test CI runs: atlas experiment --quick (about 40 s here),
// then a cached re-run of one setting that must reproduce its numbers
// byte for byte.
func TestExperimentQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole quick experiment")
	}
	dir := t.TempDir()
	out, cache := filepath.Join(dir, "run"), filepath.Join(dir, "cache")
	stdout := mustRun(t, "experiment", "--quick", "--out", out, "--cache", cache)
	for _, want := range []string{"## shared-samples", "## shared-classes", "## disjoint", "Linear CKA", "Findings:", "wrote " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	for _, f := range []string{"results.json", "summary.md", "index.html", "timings.json",
		"plots/pca-shared-samples-merged.svg", "plots/pca-disjoint-original_rel.png", "plots/accuracy-shared-classes.svg",
		"plots/cka-disjoint.png", "plots/separability-shared-samples.svg", "manifests/manifest-disjoint-seed1.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	type acc struct {
		TotalAcc     float64                   `json:"total_acc"`
		NonSharedAcc *float64                  `json:"non_shared_class_acc"`
		CI95         *struct{ Lo, Hi float64 } `json:"total_acc_ci95"`
	}
	var res struct {
		Version string `json:"atlas_version"`
		Config  struct {
			Model string `json:"model"`
		} `json:"config"`
		Runs []struct {
			Setting     string  `json:"setting"`
			EndToEndAcc float64 `json:"end_to_end_acc"`
			Reference   struct {
				CKA            map[string]float64 `json:"cka"`
				Classification map[string]acc
			} `json:"reference"`
			Routing map[string]struct {
				CKA            map[string]float64 `json:"cka"`
				Classification map[string]acc     `json:"classification"`
				Separability   map[string]float64 `json:"separability"`
			} `json:"routing"`
		} `json:"runs"`
	}
	b := mustRead(t, filepath.Join(out, "results.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Version != Version || res.Config.Model != "mlp" || len(res.Runs) != 3 {
		t.Fatalf("results: version %q, model %q, %d runs", res.Version, res.Config.Model, len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.EndToEndAcc < 0.8 {
			t.Errorf("%s: end-to-end accuracy %.3f", r.Setting, r.EndToEndAcc)
		}
		for _, routing := range []string{"oracle", "all"} {
			rr, ok := r.Routing[routing]
			if !ok {
				t.Fatalf("%s: no %s routing", r.Setting, routing)
			}
			cka := rr.CKA["cka_orig_aggr_rel_rel"]
			if cka < 0.5 || cka > 1 {
				t.Errorf("%s %s: CKA %.3f", r.Setting, routing, cka)
			}
			for _, space := range []string{"merged", "jumble", "naive_mean"} {
				a := rr.Classification[space]
				if a.TotalAcc < 0.5 || a.CI95 == nil || a.CI95.Lo > a.TotalAcc || a.CI95.Hi < a.TotalAcc {
					t.Errorf("%s %s %s: probe accuracy %.3f, interval %v", r.Setting, routing, space, a.TotalAcc, a.CI95)
				}
			}
			if rr.Separability["merged"] <= 0 {
				t.Errorf("%s %s: no separability", r.Setting, routing)
			}
		}
		if r.Setting == "shared-samples" {
			if _, ok := r.Routing["oracle"].CKA["cka_shared"]; !ok {
				t.Error("shared-samples lacks cka_shared")
			}
			if r.Routing["oracle"].Classification["merged"].NonSharedAcc == nil {
				t.Error("shared-samples lacks non_shared_class_acc")
			}
		}
		if r.Setting == "disjoint" {
			if _, ok := r.Reference.Classification["task_embed_abs"]; !ok {
				t.Error("disjoint lacks the task-embedding baseline")
			}
		}
	}
	// index.html reads offline: no remote scripts, styles or images.
	html := string(mustRead(t, filepath.Join(out, "index.html")))
	if regexp.MustCompile(`(src|href)="https?:`).MatchString(html) || !strings.Contains(html, `<img src="plots/`) {
		t.Error("index.html refers to remote assets or shows no plots")
	}

	// A run from the cache gives the same bytes as one that trains afresh
	// with the same flags; small probe settings keep this cheap.
	small := []string{"experiment", "--quick", "--setting", "disjoint", "--cache", cache, "--probe-train", "600", "--test-limit", "500", "--probe-epochs", "5"}
	out2, out3 := filepath.Join(dir, "run2"), filepath.Join(dir, "run3")
	mustRun(t, append(small, "--out", out2, "--no-cache")...) // trained afresh
	mustRun(t, append(small, "--out", out3)...)               // from the cache
	if string(mustRead(t, filepath.Join(out2, "results.json"))) != string(mustRead(t, filepath.Join(out3, "results.json"))) {
		t.Error("two runs with the same flags and seed wrote different results.json")
	}
}

func TestExperimentBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"experiment", "--setting", "bogus"}, `--setting: "bogus"`},
		{[]string{"experiment", "--seeds", "0"}, "--seeds must be at least 1"},
		{[]string{"experiment", "--model", "vit"}, `--model: "vit"`},
		{[]string{"experiment", "--setting", "shared-samples", "--shared", "3", "--novel", "2", "--no-cache"}, "some classes would belong to no task"},
		{[]string{"experiment", "--anchor-strategy", "kmeans"}, "--anchor-strategy"},
	}
	for _, c := range cases {
		out := filepath.Join(t.TempDir(), "out")
		code, _, errs := run(t, append(c.args, "--out", out)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errs, c.want)
		}
		if _, err := os.Stat(filepath.Join(out, "results.json")); err == nil {
			t.Errorf("%v: wrote results", c.args)
		}
	}
}
