package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/chartio"
	"github.com/latentatlas/atlas/space"
)

// run executes the command line in-process and returns its exit code,
// stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("atlas %v: exit %d: %s", args, code, errs)
	}
	return out
}

func synthDir(t *testing.T, args ...string) string {
	dir := filepath.Join(t.TempDir(), "demo")
	mustRun(t, append([]string{"synth", "-o", dir, "--samples", "600"}, args...)...)
	return dir
}

func TestSynthMergeCompare(t *testing.T) {
	dir := synthDir(t)
	out := filepath.Join(t.TempDir(), "atlas.npz")
	mustRun(t, "merge", filepath.Join(dir, "chart_1.npz"), filepath.Join(dir, "chart_2.npz"), filepath.Join(dir, "chart_3.npz"), "-o", out)
	c, err := chartio.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Space.N() != 600 || c.Space.Dim != 64 || len(c.AnchorIDs) != 64 || c.Coverage == nil || c.Space.Labels == nil {
		t.Fatalf("atlas: n %d dim %d anchors %d", c.Space.N(), c.Space.Dim, len(c.AnchorIDs))
	}
	js := mustRun(t, "compare", out, filepath.Join(dir, "reference.npz"), "--json")
	var res map[string]any
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatalf("compare --json printed %q: %v", js, err)
	}
	if res["n"].(float64) != 600 || res["linear_cka"].(float64) < 0.8 {
		t.Errorf("compare: %v", res)
	}
	sep := res["separability"].(map[string]any)
	if sep["x"].(float64) <= 0 || sep["y"].(float64) <= 0 {
		t.Errorf("separability: %v", sep)
	}
	js = mustRun(t, "compare", out, filepath.Join(dir, "reference.npz"), "--json", "--labels", "2,5,6", "--separability-classes", "5")
	json.Unmarshal([]byte(js), &res)
	if n := res["n"].(float64); n != 180 { // 600 samples, labels i % 10
		t.Errorf("--labels 2,5,6 kept %v samples, want 180", n)
	}
	if p := res["separability"].(map[string]any)["pairs"].(float64); p != 2 {
		t.Errorf("pairs involving class 5 among {2,5,6}: %v, want 2", p)
	}
	// Deterministic: the same inputs and flags give the same bytes.
	out2 := filepath.Join(t.TempDir(), "atlas.npz")
	mustRun(t, "merge", filepath.Join(dir, "chart_3.npz"), filepath.Join(dir, "chart_1.npz"), filepath.Join(dir, "chart_2.npz"), "-o", out2)
	b1, _ := os.ReadFile(out)
	b2, _ := os.ReadFile(out2)
	if !bytes.Equal(b1, b2) {
		t.Error("merging the same charts in another order changed the output bytes")
	}
}

func TestMergeOptions(t *testing.T) {
	dir := synthDir(t, "--setting", "shared-classes", "--charts", "2")
	charts := []string{filepath.Join(dir, "chart_1.npz"), filepath.Join(dir, "chart_2.npz")}
	tmp := t.TempDir()
	ids := filepath.Join(tmp, "anchors.txt")
	os.WriteFile(ids, []byte("600\n601\n602\n"), 0o644)
	for _, flags := range [][]string{
		{"--anchor-ids", ids},
		{"--projection", "angular", "--pre", "center"},
		{"--projection", "euclidean"},
		{"--projection", "l1", "--pre", "standardize"},
		{"--aggregate", "single"},
	} {
		out := filepath.Join(tmp, "a.npz")
		mustRun(t, append(append([]string{"merge"}, charts...), append(flags, "-o", out)...)...)
		c, err := chartio.Read(out)
		if err != nil {
			t.Fatalf("%v: %v", flags, err)
		}
		if flags[0] == "--anchor-ids" && c.Space.Dim != 3 {
			t.Errorf("--anchor-ids with 3 ids gave %d columns", c.Space.Dim)
		}
	}
	// --anchors chooses among ids both charts embed: in shared-classes the
	// charts share no samples, so this must fail clearly.
	code, _, errs := run(t, append(append([]string{"merge"}, charts...), "--anchors", "5", "-o", filepath.Join(tmp, "x.npz"))...)
	if code == 0 || !strings.Contains(errs, "only 0 candidate ids are embedded by every chart") {
		t.Errorf("--anchors on disjoint charts: exit %d, %s", code, errs)
	}
	// The jumble stacks absolute rows.
	j := filepath.Join(tmp, "jumble.npz")
	mustRun(t, append(append([]string{"merge"}, charts...), "--aggregate", "jumble", "-o", j)...)
	arrays, err := chartio.DecodeNPZ(mustRead(t, j))
	if err != nil || arrays["source"] == nil || arrays["embeddings"].Shape[1] != 32 {
		t.Errorf("jumble arrays: %v %v", arrays, err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every bad input: a non-zero exit, a message naming the problem, and no
// output file.
func TestBadInputs(t *testing.T) {
	dir := synthDir(t)
	tmp := t.TempDir()
	c1 := filepath.Join(dir, "chart_1.npz")
	c2 := filepath.Join(dir, "chart_2.npz")
	write := func(name string, s *space.Space, anchors []int64) string {
		p := filepath.Join(tmp, name)
		if err := chartio.Write(p, &chartio.Chart{Space: s, AnchorIDs: anchors}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zeroRow := write("zero.npz", &space.Space{IDs: []int64{1, 2, 3}, Dim: 2, Data: []float32{1, 0, 0, 0, 0, 1}}, []int64{1, 3})
	otherAnchors := write("other.npz", &space.Space{IDs: []int64{1, 2, 3}, Dim: 2, Data: []float32{1, 0, 1, 1, 0, 1}}, []int64{1, 2})
	noAnchors := write("noanchors.npz", &space.Space{IDs: []int64{1, 2, 3}, Dim: 2, Data: []float32{1, 0, 1, 1, 0, 1}}, nil)
	missingAnchor := write("missing.npz", &space.Space{IDs: []int64{1, 2}, Dim: 2, Data: []float32{1, 0, 1, 1}}, []int64{1, 3})
	corrupt := filepath.Join(tmp, "corrupt.npz")
	os.WriteFile(corrupt, []byte("not a zip"), 0o644)
	truncated := filepath.Join(tmp, "truncated.npz")
	b := mustRead(t, c1)
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	badIDs := filepath.Join(tmp, "ids.txt")
	os.WriteFile(badIDs, []byte("1\nx\n"), 0o644)
	labelled := write("labelled.npz", &space.Space{IDs: []int64{1, 2, 3}, Labels: []int{9, 9, 9}, Dim: 2, Data: []float32{1, 0, 1, 1, 0, 1}}, nil)
	small := write("small.npz", &space.Space{IDs: []int64{1, 2, 3}, Labels: []int{0, 1, 1}, Dim: 2, Data: []float32{1, 0, 1, 1, 0, 1}}, nil)

	cases := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"no output flag", []string{"merge", c1}, "-o OUT is required", 2},
		{"no charts", []string{"merge", "-o", "OUT"}, "requires at least 1 arg", 2},
		{"missing file", []string{"merge", filepath.Join(tmp, "nope.npz"), "-o", "OUT"}, "nope.npz: no such file", 1},
		{"corrupt file", []string{"merge", corrupt, "-o", "OUT"}, "corrupt.npz: not a valid .npz", 1},
		{"truncated file", []string{"merge", truncated, "-o", "OUT"}, "truncated.npz", 1},
		{"zero-norm row", []string{"merge", zeroRow, "-o", "OUT"}, "zero.npz: 1 sample rows have zero norm", 1},
		{"anchors disagree", []string{"merge", zeroRow, otherAnchors, "-o", "OUT"}, "charts disagree on anchor_ids", 1},
		{"no anchors", []string{"merge", noAnchors, "-o", "OUT"}, "no anchors", 1},
		{"anchor not embedded", []string{"merge", missingAnchor, "-o", "OUT"}, "missing.npz did not embed 1 of the 2 anchors", 1},
		{"bad anchor file", []string{"merge", c1, "--anchor-ids", badIDs, "-o", "OUT"}, `ids.txt: line 2: "x" is not an integer id`, 1},
		{"bad projection", []string{"merge", c1, "--projection", "dot", "-o", "OUT"}, `--projection: "dot" is not one of`, 2},
		{"bad strategy", []string{"merge", c1, "--anchors", "3", "--anchor-strategy", "kmeans", "-o", "OUT"}, "--anchor-strategy", 2},
		{"two anchor sources", []string{"merge", c1, "--anchors", "3", "--anchor-ids", badIDs, "-o", "OUT"}, "not both", 2},
		{"too many anchors", []string{"merge", c1, c2, "--anchors", "100000", "-o", "OUT"}, "asked for 100000 anchors", 1},
		{"different dims", []string{"merge", c1, noAnchors, "--aggregate", "jumble", "-o", "OUT"}, "charts need one dimension", 1},
		{"compare mismatch", []string{"compare", c1, c2}, "ids differ", 1},
		{"compare labels disagree", []string{"compare", labelled, small}, "disagree on the labels of 3 ids", 1},
		{"compare bad labels", []string{"compare", c1, c1, "--labels", "a"}, `--labels: "a" is not an integer`, 2},
		{"compare absent labels", []string{"compare", c1, c1, "--labels", "99"}, "no sample has these labels", 1},
		{"compare one arg", []string{"compare", c1}, "accepts 2 arg", 2},
		{"synth bad setting", []string{"synth", "-o", "OUT", "--setting", "weird"}, "--setting", 2},
		{"synth bad split", []string{"synth", "-o", "OUT", "--classes", "10", "--shared", "3", "--charts", "4"}, "divisible", 2},
		{"unknown command", []string{"frobnicate"}, "unknown command", 2},
	}
	for _, c := range cases {
		out := filepath.Join(tmp, "out_"+strings.ReplaceAll(c.name, " ", "_")+".npz")
		args := slicesReplace(c.args, "OUT", out)
		code, _, errs := run(t, args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q)", c.name, code, c.code, errs, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: left an output file behind", c.name)
		}
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func slicesReplace(args []string, old, new string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == old {
			a = new
		}
		out[i] = a
	}
	return out
}

func TestCompareMetricsAndEval(t *testing.T) {
	dir := synthDir(t)
	out := filepath.Join(t.TempDir(), "atlas.npz")
	mustRun(t, "merge", filepath.Join(dir, "chart_1.npz"), filepath.Join(dir, "chart_2.npz"), filepath.Join(dir, "chart_3.npz"), "-o", out)
	ref := filepath.Join(dir, "reference.npz")
	js := mustRun(t, "compare", out, ref, "--metric", "all", "--permutations", "9", "--bootstrap", "9", "--json")
	var res struct {
		LinearCKA float64 `json:"linear_cka"`
		Measures  map[string]struct {
			Value               float64
			LargerIsMoreSimilar bool `json:"larger_is_more_similar"`
			Range               [2]*float64
			Invariances         []string
			PValue              *float64 `json:"p_value"`
			CI95                *struct{ Lo, Hi float64 }
			Note                string
		}
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Measures) != 9 {
		t.Fatalf("%d measures", len(res.Measures))
	}
	lin := res.Measures["linear_cka"]
	if lin.Value != res.LinearCKA || !lin.LargerIsMoreSimilar || lin.PValue == nil || *lin.PValue != 0.1 || lin.CI95 == nil {
		t.Errorf("linear_cka entry %+v", lin)
	}
	if p := res.Measures["procrustes"]; p.LargerIsMoreSimilar || p.Range[1] == nil || *p.Range[1] != 2 {
		t.Errorf("procrustes must read as a distance in [0, 2]: %+v", p)
	}
	if d := res.Measures["debiased_cka"]; d.Range[0] != nil {
		t.Errorf("debiased_cka has no lower bound, got %v", *d.Range[0])
	}
	if k := res.Measures["mutual_knn"]; k.CI95 != nil || k.Note == "" {
		t.Errorf("mutual_knn must refuse the bootstrap with a note: %+v", k)
	}

	js = mustRun(t, "eval", out, "--clusters", "10", "--bootstrap", "50", "--json")
	var ev struct {
		TrainRows int `json:"train_rows"`
		Probes    map[string]struct {
			Accuracy float64
			CI95     *struct{ Lo, Hi float64 }
		}
		Clustering *struct{ NMI, ARI float64 }
	}
	json.Unmarshal([]byte(js), &ev)
	if len(ev.Probes) != 4 || ev.Clustering == nil || ev.Clustering.NMI < 0.5 {
		t.Errorf("eval: %s", js)
	}
	for name, p := range ev.Probes {
		if p.Accuracy < 0.9 || p.CI95 == nil {
			t.Errorf("%s probe on well-separated synthetic classes: %+v", name, p)
		}
	}

	bad := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"compare", out, ref, "--metric", "cka"}, `unknown measure "cka"`, 2},
		{[]string{"compare", out, ref, "--k", "0"}, "--k must be positive", 2},
		{[]string{"eval"}, "give one SPACE, or --train and --test", 2},
		{[]string{"eval", out, "--probe", "svm"}, `--probe: "svm"`, 2},
		{[]string{"eval", filepath.Join(dir, "chart_1.npz"), "--test-fraction", "1.5"}, "--test-fraction", 2},
		{[]string{"eval", "--train", out, "--test", ref}, "has 64 columns but", 1},
	}
	for _, c := range bad {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q (want %d, %q)", c.args, code, errs, c.code, c.want)
		}
	}
	noLabels := filepath.Join(t.TempDir(), "nolabels.npz")
	chartio.Write(noLabels, &chartio.Chart{Space: &space.Space{IDs: []int64{1, 2, 3, 4, 5}, Dim: 1, Data: []float32{1, 2, 3, 4, 5}}})
	if code, _, errs := run(t, "eval", noLabels); code != 1 || !strings.Contains(errs, "no labels array") {
		t.Errorf("eval without labels: %d %q", code, errs)
	}
}
