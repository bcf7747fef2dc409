package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/experiment"
	"github.com/latentatlas/atlas/partition"
)

// fake builds results for one setting with one seed, as Run would.
func fake() *experiment.Results {
	sum := map[string]experiment.Stat{}
	set := func(path string, v float64) { sum[path] = experiment.Stat{Mean: v, N: 1} }
	set("end_to_end_acc", 0.98)
	for path, v := range map[string]float64{
		"reference.classification.original_abs": 0.90,
		"routing.oracle.classification.merged":  0.95,
		"routing.oracle.classification.jumble":  0.94,
		"routing.all.classification.merged":     0.85,
		"routing.all.classification.jumble":     0.86,
	} {
		set(path+".total_acc", v)
		set(path+".total_acc_ci95.lo", v-0.004)
		set(path+".total_acc_ci95.hi", v+0.004)
	}
	set("routing.oracle.cka.cka_orig_aggr_rel_rel", 0.9)
	set("routing.oracle.cka_ci95.cka_orig_aggr_rel_rel.lo", 0.89)
	set("routing.oracle.cka_ci95.cka_orig_aggr_rel_rel.hi", 0.91)
	set("routing.oracle.separability.merged", 3)
	set("reference.separability.original_abs", 2)
	cfg := experiment.Default()
	cfg.Settings = []partition.Setting{partition.Disjoint}
	return &experiment.Results{
		Version: "test",
		Config:  cfg,
		Runs:    []*experiment.RunResult{{Setting: partition.Disjoint, Seed: 1, Tasks: []experiment.TaskInfo{{Index: 1, Classes: []int{0, 1}}}}},
		Summary: map[string]map[string]experiment.Stat{"disjoint": sum},
		Spaces: map[string]map[string][]experiment.Point{"disjoint": {
			"merged": {{X: 0, Y: 1, Label: 0}, {X: 1, Y: 0, Label: 1}},
		}},
	}
}

func TestMarkdownAndFindings(t *testing.T) {
	md := Markdown(fake())
	for _, want := range []string{
		"## disjoint",
		"| **atlas (merged), oracle routing** | 95.00 [94.60, 95.40] |",
		"| atlas vs original_rel (paper: total) | 0.9000 [0.8900, 0.9100] |",
		// 95 vs 94 with intervals of +-0.4: clearly higher; 85 vs 86: lower.
		"oracle routing: atlas probe accuracy vs jumble: higher (+1.00 points)",
		"label-free routing: atlas probe accuracy vs jumble: lower (-1.00 points)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q\n%s", want, md)
		}
	}
	// With several seeds, cells are mean +- std and no interval.
	r := fake()
	s := r.Summary["disjoint"]["routing.oracle.classification.merged.total_acc"]
	s.N, s.Std = 3, 0.01
	r.Summary["disjoint"]["routing.oracle.classification.merged.total_acc"] = s
	if md := Markdown(r); !strings.Contains(md, "95.00 ± 1.00 |") {
		t.Errorf("multi-seed cell missing:\n%s", md)
	}
}

func TestPlotsAndHTML(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "plots"), 0o755)
	res := fake()
	plots, err := WritePlots(res, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(plots) != 4 { // one PCA (only merged has points), accuracy, CKA, separability
		t.Fatalf("%d plots", len(plots))
	}
	for _, p := range plots {
		for _, ext := range []string{".svg", ".png"} {
			if fi, err := os.Stat(filepath.Join(dir, "plots", p.Name+ext)); err != nil || fi.Size() == 0 {
				t.Errorf("%s%s missing or empty", p.Name, ext)
			}
		}
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, res, plots); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if regexp.MustCompile(`(src|href)="https?:`).MatchString(html) {
		t.Error("index.html loads remote assets")
	}
	if strings.Count(html, `<img src="plots/`) != 4 || !strings.Contains(html, "<b>atlas (merged), oracle routing</b>") {
		t.Errorf("index.html does not show the plots and tables:\n%s", html)
	}
}
