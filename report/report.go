// Package report turns experiment results into what people read: a
// Markdown summary, plots (gonum/plot, SVG and PNG) and an index.html that
// shows both and reads offline (no scripts, no remote assets).
package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/latentatlas/atlas/experiment"
)

// spaceRows are the probe rows of the classification table: the metric
// path prefix and what to call it.
var spaceRows = []struct{ path, name string }{
	{"reference.classification.original_abs", "end-to-end (original_abs)"},
	{"reference.classification.original_rel", "end-to-end relative (original_rel)"},
	{"routing.oracle.classification.merged", "**atlas (merged), oracle routing**"},
	{"routing.oracle.classification.jumble", "jumble, oracle routing"},
	{"routing.oracle.classification.naive_mean", "naive mean, oracle routing"},
	{"routing.all.classification.merged", "**atlas (merged), label-free routing**"},
	{"routing.all.classification.jumble", "jumble, label-free routing"},
	{"routing.all.classification.naive_mean", "naive mean, label-free routing"},
	{"reference.classification.task_onehot_abs", "end-to-end + true task one-hot"},
	{"reference.classification.task_embed_abs", "end-to-end + learned task embedding"},
}

var ckaRows = []struct{ key, name string }{
	{"cka_orig_aggr_rel_rel", "atlas vs original_rel (paper: total)"},
	{"cka_shared", "same, shared classes"},
	{"cka_non_shared", "same, non-shared classes"},
	{"cka_orig_aggr_abs_rel", "atlas vs original_abs"},
	{"cka_naive_mean_abs", "naive mean vs original_abs"},
}

var sepRows = []struct{ path, name string }{
	{"routing.oracle.separability.merged", "atlas (merged), oracle"},
	{"routing.oracle.separability.naive", "naive (jumble), oracle"},
	{"routing.oracle.separability.naive_mean", "naive mean, oracle"},
	{"routing.all.separability.merged", "atlas (merged), label-free"},
	{"routing.all.separability.naive", "naive (jumble), label-free"},
	{"reference.separability.original_abs", "end-to-end (original_abs)"},
	{"reference.separability.original_rel", "end-to-end relative (original_rel)"},
}

// cell formats a metric as mean, with +- std over seeds when there are
// several; "" when absent.
func cell(sum map[string]experiment.Stat, path string, percent bool) string {
	s, ok := sum[path]
	if !ok || math.IsNaN(s.Mean) {
		return ""
	}
	scale, format := 1.0, "%.4f"
	if percent {
		scale, format = 100, "%.2f"
	}
	out := fmt.Sprintf(format, s.Mean*scale)
	if s.N > 1 {
		return out + fmt.Sprintf(" ± "+format, s.Std*scale)
	}
	// One seed: show the bootstrap interval when there is one.
	ciPrefix := strings.TrimSuffix(path, ".total_acc") + ".total_acc_ci95"
	if strings.Contains(path, ".cka.") {
		ciPrefix = strings.Replace(path, ".cka.", ".cka_ci95.", 1)
	}
	if lo, ok := sum[ciPrefix+".lo"]; ok {
		hi := sum[ciPrefix+".hi"]
		out += fmt.Sprintf(" ["+format+", "+format+"]", lo.Mean*scale, hi.Mean*scale)
	}
	return out
}

// Table is a titled grid, rendered as Markdown or HTML.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
}

// Section is one setting's tables and findings.
type Section struct {
	Setting  string
	Facts    []string
	Tables   []Table
	Findings []string
}

// Sections builds the per-setting tables and findings.
func Sections(res *experiment.Results) []Section {
	var out []Section
	for _, setting := range res.Config.Settings {
		sum := res.Summary[string(setting)]
		var first *experiment.RunResult
		for _, r := range res.Runs {
			if r.Setting == setting {
				first = r
				break
			}
		}
		if first == nil {
			continue
		}
		sec := Section{Setting: string(setting)}
		var tasks []string
		for _, t := range first.Tasks {
			tasks = append(tasks, fmt.Sprintf("task %d: classes %s", t.Index, ints(t.Classes)))
		}
		sec.Facts = append(sec.Facts,
			fmt.Sprintf("%d task models (%s)", len(first.Tasks), strings.Join(tasks, "; ")),
			fmt.Sprintf("end-to-end model's own test accuracy: %s %%", cell(sum, "end_to_end_acc", true)),
			fmt.Sprintf("%d anchors; probes train on %d training samples and test on %d test samples", first.Anchors, first.ProbeTrainSamples, first.TestSamples),
			fmt.Sprintf("separability averages class pairs involving classes %s", ints(first.SeparabilityClasses)),
		)
		if len(first.SharedClasses) > 0 {
			sec.Facts = append(sec.Facts, fmt.Sprintf("shared classes %s", ints(first.SharedClasses)))
		}
		cls := Table{Title: "Probe accuracy (%, test split; MLP probe trained on training-split embeddings)", Header: []string{"space", "total", "shared classes", "non-shared classes"}}
		for _, row := range spaceRows {
			total := cell(sum, row.path+".total_acc", true)
			if total == "" {
				continue
			}
			cls.Rows = append(cls.Rows, []string{row.name, total, cell(sum, row.path+".shared_class_acc", true), cell(sum, row.path+".non_shared_class_acc", true)})
		}
		sec.Tables = append(sec.Tables, cls)
		cka := Table{Title: "Linear CKA (test split)", Header: []string{"pair", "oracle routing", "label-free routing"}}
		for _, row := range ckaRows {
			o, a := cell(sum, "routing.oracle.cka."+row.key, false), cell(sum, "routing.all.cka."+row.key, false)
			if o != "" {
				cka.Rows = append(cka.Rows, []string{row.name, o, a})
			}
		}
		cka.Rows = append(cka.Rows, []string{"original_rel vs original_abs", cell(sum, "reference.cka.cka_orig_orig_rel_abs", false), ""})
		sec.Tables = append(sec.Tables, cka)
		sep := Table{Title: "Separability (test split; larger is better separated)", Header: []string{"space", "separability"}}
		for _, row := range sepRows {
			if v := cell(sum, row.path, false); v != "" {
				sep.Rows = append(sep.Rows, []string{row.name, v})
			}
		}
		sec.Tables = append(sec.Tables, sep)
		if len(first.PaperSplit) > 0 {
			ps := Table{Title: "Paper's Exp 1 protocol: probe on a 70/15/15 split of test embeddings (oracle; jumble copies leak)", Header: []string{"space", "total", "shared", "non-shared"}}
			for _, name := range []string{"original_abs", "original_rel", "merged", "jumble"} {
				p := "paper_split_classification." + name
				ps.Rows = append(ps.Rows, []string{name, cell(sum, p+".total_acc", true), cell(sum, p+".shared_class_acc", true), cell(sum, p+".non_shared_class_acc", true)})
			}
			sec.Tables = append(sec.Tables, ps)
		}
		sec.Findings = findings(sum)
		out = append(out, sec)
	}
	return out
}

// findings states the paper's claims as checks on these numbers. A
// difference counts only when the two 95% intervals do not overlap (one
// seed) or, with several seeds, when it exceeds both standard deviations.
func findings(sum map[string]experiment.Stat) []string {
	get := func(p string) float64 {
		if s, ok := sum[p]; ok {
			return s.Mean
		}
		return math.NaN()
	}
	// compare says how accuracy path a stands against path b.
	compare := func(a, b string) string {
		va, vb := get(a+".total_acc"), get(b+".total_acc")
		diff := 100 * (va - vb)
		sa, sb := sum[a+".total_acc"], sum[b+".total_acc"]
		var clear bool
		if sa.N > 1 {
			clear = math.Abs(va-vb) > math.Max(sa.Std, sb.Std)
		} else {
			loA, hiA := get(a+".total_acc_ci95.lo"), get(a+".total_acc_ci95.hi")
			loB, hiB := get(b+".total_acc_ci95.lo"), get(b+".total_acc_ci95.hi")
			clear = hiA < loB || hiB < loA
		}
		verdict := "within the uncertainty"
		if clear && diff > 0 {
			verdict = "higher"
		} else if clear {
			verdict = "lower"
		}
		return fmt.Sprintf("%s (%+.2f points)", verdict, diff)
	}
	var out []string
	for _, routing := range []string{"oracle", "all"} {
		name := map[string]string{"oracle": "oracle routing", "all": "label-free routing"}[routing]
		r := "routing." + routing
		sm, sn, so := get(r+".separability.merged"), get(r+".separability.naive"), get("reference.separability.original_abs")
		out = append(out, fmt.Sprintf("%s: atlas probe accuracy vs jumble: %s; vs end-to-end: %s; separability atlas %.3f, naive %.3f, end-to-end %.3f; CKA with original_rel %.3f",
			name, compare(r+".classification.merged", r+".classification.jumble"),
			compare(r+".classification.merged", "reference.classification.original_abs"),
			sm, sn, so, get(r+".cka.cka_orig_aggr_rel_rel")))
	}
	return out
}

func ints(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// Markdown renders the summary.
func Markdown(res *experiment.Results) string {
	var b strings.Builder
	c := res.Config
	fmt.Fprintf(&b, "# atlas experiment: %s\n\n", c.Dataset)
	fmt.Fprintf(&b, "Encoder %s, %d epoch(s), seeds %v, settings %v. atlas %s. Numbers are mean ± std over seeds when there are several; with one seed, brackets hold a 95%% bootstrap interval (probe accuracy: resampled test predictions; CKA: 40 resampled blocks of test samples).\n",
		c.Model, c.Epochs, c.Seeds, c.Settings, res.Version)
	fmt.Fprintf(&b, "Routing: *oracle* sends each sample to the task models whose classes hold its label (the paper's); *label-free* sends every sample to every task model and averages all of them.\n")
	for _, sec := range Sections(res) {
		fmt.Fprintf(&b, "\n## %s\n\n", sec.Setting)
		for _, f := range sec.Facts {
			fmt.Fprintf(&b, "- %s\n", f)
		}
		for _, t := range sec.Tables {
			fmt.Fprintf(&b, "\n%s\n\n| %s |\n|%s\n", t.Title, strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
			for _, r := range t.Rows {
				fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
			}
		}
		b.WriteString("\nFindings:\n\n")
		for _, f := range sec.Findings {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	return b.String()
}
