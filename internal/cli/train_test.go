package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/chartio"
)

func TestTrainEmbed(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "w.safetensors")
	out := mustRun(t, "train", "--dataset", "mnist", "--classes", "3,1", "--model", "mlp", "--epochs", "1", "--limit", "400", "--seed", "2", "-o", w)
	if !strings.Contains(out, "test accuracy") || !strings.Contains(out, "epoch 1:") {
		t.Errorf("train printed %q", out)
	}
	chart := filepath.Join(dir, "c.npz")
	mustRun(t, "embed", "--weights", w, "--split", "test", "--classes", "1", "-o", chart)
	c, err := chartio.Read(chart)
	if err != nil {
		t.Fatal(err)
	}
	// MNIST's test set has 1,135 images of the digit 1; ids start at 60000.
	if c.Space.N() != 1135 || c.Space.Dim != 128 || c.Space.IDs[0] < 60000 || c.Space.LabelSet()[0] != 1 {
		t.Errorf("chart: %d x %d, first id %d, labels %v", c.Space.N(), c.Space.Dim, c.Space.IDs[0], c.Space.LabelSet())
	}
	// The same seed gives the same weights, byte for byte.
	w2 := filepath.Join(dir, "w2.safetensors")
	mustRun(t, "train", "--dataset", "mnist", "--classes", "1,3", "--model", "mlp", "--epochs", "1", "--limit", "400", "--seed", "2", "-o", w2)
	if string(mustRead(t, w)) != string(mustRead(t, w2)) {
		t.Error("same seed and flags gave different weights files")
	}

	notWeights := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(notWeights, []byte("hello world, not weights"), 0o644)
	cases := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"unknown dataset", []string{"train", "--dataset", "imagenet", "-o", "OUT"}, `unknown dataset "imagenet"`, 1},
		{"missing folder", []string{"train", "--dataset", "idx:" + filepath.Join(dir, "nope"), "-o", "OUT"}, "nope", 1},
		{"bad class", []string{"train", "--classes", "3,12", "-o", "OUT"}, "--classes: 12 is not a class of mnist (0..9)", 2},
		{"repeated class", []string{"train", "--classes", "3,3", "-o", "OUT"}, "--classes: 3 is listed twice", 2},
		{"one class", []string{"train", "--classes", "3", "--limit", "50", "-o", "OUT"}, "at least 2 classes", 1},
		{"bad model", []string{"train", "--model", "resnet", "-o", "OUT"}, `--model: "resnet"`, 2},
		{"no output", []string{"train"}, "-o WEIGHTS is required", 2},
		{"bad weights", []string{"embed", "--weights", notWeights, "-o", "OUT"}, "bad weights file", 1},
		{"missing weights", []string{"embed", "--weights", filepath.Join(dir, "none"), "-o", "OUT"}, "no such file", 1},
		{"bad split", []string{"embed", "--weights", w, "--split", "val", "-o", "OUT"}, `--split: "val"`, 2},
	}
	for _, c := range cases {
		outPath := filepath.Join(dir, "out_"+strings.ReplaceAll(c.name, " ", "_"))
		code, _, errs := run(t, slicesReplace(c.args, "OUT", outPath)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q)", c.name, code, c.code, errs, c.want)
		}
		if _, err := os.Stat(outPath); err == nil {
			t.Errorf("%s: left %s behind", c.name, outPath)
		}
	}
}
