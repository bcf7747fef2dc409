package nn

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func tinySpec(arch Arch) Spec {
	return Spec{Arch: arch, InShape: []int{1, 28, 28}, Classes: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		Mean: []float32{0}, Std: []float32{1}, Dataset: "random"}
}

func trainTiny(t *testing.T, arch Arch, seed uint64) *Model {
	t.Helper()
	m, err := New(tinySpec(arch), seed)
	if err != nil {
		t.Fatal(err)
	}
	d := newRandData(250)
	cfg := TrainConfig{Epochs: 2, BatchSize: 50, LR: 1e-3, ClipNorm: 10, Seed: seed}
	if _, err := Train(context.Background(), m, d, nil, cfg, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSameSeedSameWeights(t *testing.T) {
	for _, arch := range Archs {
		a, b := trainTiny(t, arch, 3), trainTiny(t, arch, 3)
		for i, p := range a.Params() {
			if !slices.Equal(p.Value, b.Params()[i].Value) {
				t.Fatalf("%s: %s differs between two runs with one seed", arch, p.Name)
			}
		}
		c := trainTiny(t, arch, 4)
		if slices.Equal(a.Params()[0].Value, c.Params()[0].Value) {
			t.Errorf("%s: different seeds gave the same weights", arch)
		}
	}
}

func TestTrainingLearns(t *testing.T) {
	// A learnable toy problem: the class is which quarter of the image is
	// bright. The MLP and the CNN must both get nearly all of it.
	for _, arch := range Archs {
		m, _ := New(Spec{Arch: arch, InShape: []int{1, 8, 8}, Classes: []int{0, 1, 2, 3}}, 1)
		d := quarters(400)
		cfg := TrainConfig{Epochs: 30, BatchSize: 32, LR: 1e-2, ClipNorm: 10, Patience: 3, Seed: 1}
		hist, err := Train(context.Background(), m, d, quarters(100), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, acc := Evaluate(m, quarters(200), 64); acc < 0.95 {
			t.Errorf("%s: accuracy %.2f on a trivial problem (history %+v)", arch, acc, hist.Epochs)
		}
		if hist.BestEpoch == 0 {
			t.Errorf("%s: no best epoch recorded", arch)
		}
	}
}

type quarterData struct{ n int }

func quarters(n int) quarterData { return quarterData{n} }
func (q quarterData) Len() int   { return q.n }
func (q quarterData) Class(i int) int {
	return i % 4
}
func (q quarterData) Fill(rows []int, dst []float32) {
	for k, r := range rows {
		img := dst[k*64 : (k+1)*64]
		c := r % 4
		for y := range 8 {
			for x := range 8 {
				v := float32((r*7+y*3+x*5)%11) / 11 // deterministic texture
				if (y/4)*2+x/4 == c {
					v += 2
				}
				img[y*8+x] = v
			}
		}
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	m, _ := New(Spec{Arch: MLP, InShape: []int{1, 8, 8}, Classes: []int{0, 1, 2, 3}}, 1)
	// Validation labels disagree with training labels, so validation loss
	// rises once the model learns: training must stop and keep epoch 1.
	val := shifted{quarters(100)}
	cfg := TrainConfig{Epochs: 50, BatchSize: 32, LR: 1e-2, Patience: 2, Seed: 1}
	hist, err := Train(context.Background(), m, quarters(400), val, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hist.Stopped || len(hist.Epochs) != hist.BestEpoch+2 {
		t.Fatalf("stopped %v after %d epochs, best %d", hist.Stopped, len(hist.Epochs), hist.BestEpoch)
	}
	loss, _ := Evaluate(m, val, 64)
	if best := hist.Epochs[hist.BestEpoch-1].ValLoss; loss != best {
		t.Errorf("restored weights give val loss %v, best epoch had %v", loss, best)
	}
}

type shifted struct{ quarterData }

func (s shifted) Class(i int) int { return (i + 1) % 4 }

func TestTrainCancel(t *testing.T) {
	m, _ := New(tinySpec(MLP), 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Train(ctx, m, newRandData(100), nil, TrainConfig{Epochs: 1, BatchSize: 10, LR: 1e-3}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	m := trainTiny(t, CNN, 1)
	path := filepath.Join(dir, "w.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Arch != CNN || !slices.Equal(got.Spec.Classes, m.Spec.Classes) {
		t.Errorf("spec %+v", got.Spec)
	}
	for i, p := range m.Params() {
		if !slices.Equal(p.Value, got.Params()[i].Value) {
			t.Fatalf("%s changed in the round trip", p.Name)
		}
	}
	d := newRandData(20)
	if !slices.Equal(m.Embed(d, 7), got.Embed(d, 7)) {
		t.Error("loaded model embeds differently")
	}
	// Saving twice gives the same bytes.
	path2 := filepath.Join(dir, "w2.safetensors")
	got.Save(path2)
	b1, _ := os.ReadFile(path)
	b2, _ := os.ReadFile(path2)
	if !slices.Equal(b1, b2) {
		t.Error("save is not deterministic")
	}

	bad := func(name string, b []byte, want string) {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		_, err := Load(p)
		if err == nil || !errors.Is(err, ErrWeights) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	bad("short", b1[:5], "too short")
	bad("truncated", b1[:len(b1)-10], "checksum mismatch")
	flipped := slices.Clone(b1)
	flipped[len(flipped)-3] ^= 0xff
	bad("flipped", flipped, "checksum mismatch")
	bad("header", append([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, b1[8:]...), "header length")
	bad("json", append([]byte{4, 0, 0, 0, 0, 0, 0, 0}, []byte("{bad")...), "not valid JSON")
	bad("foreign", append([]byte{2, 0, 0, 0, 0, 0, 0, 0}, []byte("{}")...), "no atlas model metadata")
	// A tensor the architecture does not expect.
	hl := int(b1[0]) | int(b1[1])<<8 | int(b1[2])<<16
	header := strings.Replace(string(b1[8:8+hl]), `"conv1.weight"`, `"convX.weight"`, 1)
	bad("renamed", append(append(b1[:8:8], header...), b1[8+hl:]...), `tensor "conv1.weight" is missing`)
}

// FuzzDecodeWeights: no file makes the weights reader panic, and what it
// accepts is a usable model.
func FuzzDecodeWeights(f *testing.F) {
	m, _ := New(Spec{Arch: MLP, InShape: []int{1, 2, 2}, Classes: []int{0, 1}, EmbedDim: 3}, 1)
	path := filepath.Join(f.TempDir(), "w.safetensors")
	if err := m.Save(path); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	f.Add(b)
	f.Add(b[:40])
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 0, '{', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeWeights(b)
		if err != nil {
			return
		}
		if len(m.Params()) == 0 || m.Spec.EmbedDim <= 0 {
			t.Fatalf("accepted a model with no parameters: %+v", m.Spec)
		}
	})
}
