package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMNIST(t *testing.T) {
	d, err := Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.Test.Len() != 10000 || d.Classes != 10 || d.Train.H != 28 || d.Train.C != 1 {
		t.Fatalf("mnist: %d train, %d test, %d classes, %dx%dx%d", d.Train.Len(), d.Test.Len(), d.Classes, d.Train.C, d.Train.H, d.Train.W)
	}
	if d.Test.IDs[0] != 60000 || d.Test.IDs[9999] != 69999 || d.Train.IDs[59999] != 59999 {
		t.Error("ids are not train 0..59999, test 60000..69999")
	}
	// Known facts about MNIST: the first training label is 5, the first
	// test label is 7, and the pixel mean/std are 0.1307/0.3081.
	if d.Train.Labels[0] != 5 || d.Test.Labels[0] != 7 {
		t.Errorf("first labels %d, %d; want 5, 7", d.Train.Labels[0], d.Test.Labels[0])
	}
	if math.Abs(float64(d.Mean[0])-0.1307) > 1e-4 || math.Abs(float64(d.Std[0])-0.3081) > 1e-4 {
		t.Errorf("mean %v std %v", d.Mean, d.Std)
	}
	v := NewView(d.Test, []int{7, 3}, d.Mean, d.Std)
	if v.Class(0) != 1 || v.Label(0) != 7 || v.ID(0) != 60000 { // classes sorted: 3 -> 0, 7 -> 1
		t.Errorf("view: class %d label %d id %d", v.Class(0), v.Label(0), v.ID(0))
	}
	x := make([]float32, 784)
	v.Fill([]int{0}, x)
	if math.Abs(float64(x[0])+0.1307/0.3081) > 1e-3 { // a black corner pixel
		t.Errorf("normalised black pixel %v", x[0])
	}
}

// idxFile encodes an idx file of bytes with the given dims.
func idxFile(dims []int, data []byte, gz bool) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(0x0800|len(dims)))
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	b = append(b, data...)
	if !gz {
		return b
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestIdxDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) { os.WriteFile(filepath.Join(dir, name), b, 0o644) }
	write("train-images-idx3-ubyte.gz", idxFile([]int{3, 2, 2}, make([]byte, 12), true))
	write("train-labels-idx1-ubyte", idxFile([]int{3}, []byte{0, 1, 2}, false)) // plain, not gzipped
	write("t10k-images-idx3-ubyte.gz", idxFile([]int{1, 2, 2}, []byte{0, 255, 0, 255}, true))
	write("t10k-labels-idx1-ubyte.gz", idxFile([]int{1}, []byte{4}, true))
	d, err := Load("idx:" + dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 3 || d.Test.Len() != 1 || d.Classes != 5 || d.Test.IDs[0] != 3 {
		t.Errorf("idx: %+v", d)
	}
	// Bad files.
	write("t10k-labels-idx1-ubyte.gz", idxFile([]int{2}, []byte{4, 4}, true))
	if _, err := Load("idx:" + dir); err == nil || !strings.Contains(err.Error(), "1 images but") {
		t.Errorf("count mismatch: %v", err)
	}
	write("t10k-labels-idx1-ubyte.gz", idxFile([]int{5}, []byte{4}, true))
	if _, err := Load("idx:" + dir); err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz: header says [5] = 5 bytes of data, file has 1") {
		t.Errorf("truncated: %v", err)
	}
	write("t10k-labels-idx1-ubyte.gz", []byte{0x1f, 0x8b, 1, 2, 3})
	if _, err := Load("idx:" + dir); err == nil || !strings.Contains(err.Error(), "bad gzip") {
		t.Errorf("corrupt gzip: %v", err)
	}
	write("t10k-labels-idx1-ubyte.gz", idxFile([]int{1, 1}, []byte{4}, true))
	if _, err := Load("idx:" + dir); err == nil || !strings.Contains(err.Error(), "magic number") {
		t.Errorf("wrong rank: %v", err)
	}
	os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if _, err := Load("idx:" + dir); err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCIFAR(t *testing.T) {
	for _, hundred := range []bool{false, true} {
		dir := t.TempDir()
		header := 1
		trainFiles := []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
		test := "test_batch.bin"
		if hundred {
			header, trainFiles, test = 2, []string{"train.bin"}, "test.bin"
		}
		rec := func(label byte, fill byte) []byte {
			r := make([]byte, header+3072)
			r[header-1] = label
			for i := header; i < len(r); i++ {
				r[i] = fill
			}
			return r
		}
		for i, f := range trainFiles {
			os.WriteFile(filepath.Join(dir, f), append(rec(byte(i), 10), rec(9, 20)...), 0o644)
		}
		os.WriteFile(filepath.Join(dir, test), rec(3, 30), 0o644)
		name := "cifar10:"
		if hundred {
			name = "cifar100:"
		}
		d, err := Load(name + dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Train.Len() != 2*len(trainFiles) || d.Test.Len() != 1 || d.Train.C != 3 || d.Test.Labels[0] != 3 || d.Test.Pixels[0] != 30 {
			t.Errorf("%s: %d train, %d test", name, d.Train.Len(), d.Test.Len())
		}
		os.WriteFile(filepath.Join(dir, test), rec(3, 30)[:100], 0o644)
		if _, err := Load(name + dir); err == nil || !strings.Contains(err.Error(), "not a whole number of") {
			t.Errorf("%s truncated: %v", name, err)
		}
		bad := byte(10)
		if hundred {
			bad = 100
		}
		os.WriteFile(filepath.Join(dir, test), rec(bad, 30), 0o644)
		if _, err := Load(name + dir); err == nil || !strings.Contains(err.Error(), "labels are 0..") {
			t.Errorf("%s bad label: %v", name, err)
		}
	}
	if _, err := Load("cifar10:" + t.TempDir()); err == nil {
		t.Error("empty folder accepted")
	}
	if _, err := Load("idx:"); err == nil || !strings.Contains(err.Error(), "needs a folder") {
		t.Errorf("idx without a folder: %v", err)
	}
	if _, err := Load("imagenet"); err == nil {
		t.Error("unknown dataset accepted")
	}
}

// FuzzParseIdx: no input makes the idx parser panic or return data that
// disagrees with its dimensions.
func FuzzParseIdx(f *testing.F) {
	f.Add(idxFile([]int{2, 2, 2}, make([]byte, 8), false), 3)
	f.Add(idxFile([]int{3}, []byte{1, 2, 3}, true), 1)
	f.Fuzz(func(t *testing.T, b []byte, rank int) {
		if rank < 1 || rank > 4 {
			return
		}
		dims, data, err := parseIdx(b, rank)
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if len(data) != n {
			t.Fatalf("dims %v but %d bytes", dims, len(data))
		}
	})
}
