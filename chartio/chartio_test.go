package chartio

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentatlas/atlas/npy"
	"github.com/latentatlas/atlas/space"
)

// The files in testdata were written by numpy 1.24 with make_charts.py;
// they hold the matrix below with ids 10..13 and labels 0,1,1,2.
var wantEmb = []float32{1, 2, 3, 4, 5.5, 6, -1, 0.5, 2, 0, 1, 0}

func TestReadNumpyFiles(t *testing.T) {
	for _, name := range []string{"c_f32.npz", "be_f64_fortran.npz", "folder"} {
		c, err := Read(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := c.Space
		if s.N() != 4 || s.Dim != 3 || !slices.Equal(s.Data, wantEmb) {
			t.Errorf("%s: got %d x %d %v", name, s.N(), s.Dim, s.Data)
		}
		if !slices.Equal(s.IDs, []int64{10, 11, 12, 13}) {
			t.Errorf("%s: ids %v", name, s.IDs)
		}
		if name != "folder" && !slices.Equal(s.Labels, []int{0, 1, 1, 2}) {
			t.Errorf("%s: labels %v", name, s.Labels)
		}
	}
	c, err := Read("testdata/folder")
	if err != nil {
		t.Fatal(err)
	}
	if c.Space.Labels != nil {
		t.Error("folder has no labels.npy, yet labels were read")
	}
	a, err := c.AnchorSpace()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.IDs, []int64{100, 101}) || !slices.Equal(a.Data, []float32{1, 0, 0, 0, 1, 0}) {
		t.Errorf("anchors %v %v", a.IDs, a.Data)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := &space.Space{IDs: []int64{5, 3, 9}, Labels: []int{1, 0, 1}, Dim: 2, Data: []float32{1, 2, 3, 4, 5, 6}}
	in := &Chart{Space: s, AnchorIDs: []int64{3, 9}, Coverage: []int{2, 1, 1}}
	for _, name := range []string{"a.npz", "a_folder"} {
		path := filepath.Join(dir, name)
		if err := Write(path, in); err != nil {
			t.Fatal(err)
		}
		out, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.Space.IDs, s.IDs) || !slices.Equal(out.Space.Labels, s.Labels) ||
			!slices.Equal(out.Space.Data, s.Data) || !slices.Equal(out.AnchorIDs, in.AnchorIDs) ||
			!slices.Equal(out.Coverage, in.Coverage) {
			t.Errorf("%s: round trip changed the chart: %+v", name, out)
		}
		a, err := out.AnchorSpace()
		if err != nil || !slices.Equal(a.Data, []float32{3, 4, 5, 6}) {
			t.Errorf("%s: anchors from rows: %v %v", name, a, err)
		}
	}
	// Writing is deterministic: the same chart gives the same bytes.
	p1, p2 := filepath.Join(dir, "x.npz"), filepath.Join(dir, "y.npz")
	Write(p1, in)
	Write(p2, in)
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) {
		t.Error("two writes of one chart differ")
	}
}

// npzBytes builds an .npz in memory from raw .npy members.
func npzBytes(members map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		w, _ := zw.Create(k + ".npy")
		w.Write(members[k])
	}
	zw.Close()
	return buf.Bytes()
}

func f32(shape []int, v []float32) []byte {
	var b bytes.Buffer
	if err := npy.WriteFloat32(&b, shape, v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func i64(v ...int64) []byte {
	var b bytes.Buffer
	npy.WriteInt64(&b, []int{len(v)}, v)
	return b.Bytes()
}

func TestBadCharts(t *testing.T) {
	emb := f32([]int{2, 2}, []float32{1, 2, 3, 4})
	nan := f32([]int{2, 2}, []float32{1, float32(math.NaN()), 3, 4})
	inf := f32([]int{2, 2}, []float32{1, 2, float32(math.Inf(1)), 4})
	ids := i64(7, 8)
	cases := map[string]struct {
		members map[string][]byte
		want    string
	}{
		"no embeddings":      {map[string][]byte{"ids": ids}, `no "embeddings" array (found: ids)`},
		"no ids":             {map[string][]byte{"embeddings": emb}, `no "ids" array`},
		"1-D embeddings":     {map[string][]byte{"embeddings": f32([]int{4}, []float32{1, 2, 3, 4}), "ids": ids}, `array "embeddings": want 2 dimensions`},
		"int embeddings":     {map[string][]byte{"embeddings": i64(1, 2), "ids": ids}, `array "embeddings"`},
		"ids too short":      {map[string][]byte{"embeddings": emb, "ids": i64(7)}, `array "ids": want shape (2,), got [1]`},
		"float ids":          {map[string][]byte{"embeddings": emb, "ids": f32([]int{2}, []float32{1.5, 2})}, `array "ids": dtype <f4: element 0 = 1.5 is not a whole number`},
		"duplicate ids":      {map[string][]byte{"embeddings": emb, "ids": i64(7, 7)}, `array "ids": duplicate id 7 at rows 0 and 1`},
		"NaN":                {map[string][]byte{"embeddings": nan, "ids": ids}, `array "embeddings": non-finite value: id 7 (row 0, column 1) is NaN`},
		"Inf":                {map[string][]byte{"embeddings": inf, "ids": ids}, `id 8 (row 1, column 0) is +Inf`},
		"labels length":      {map[string][]byte{"embeddings": emb, "ids": ids, "labels": i64(1, 2, 3)}, `array "labels": want shape (2,)`},
		"negative label":     {map[string][]byte{"embeddings": emb, "ids": ids, "labels": i64(1, -2)}, `array "labels": label -2 of id 8 (row 1) is out of range`},
		"anchors no ids":     {map[string][]byte{"embeddings": emb, "ids": ids, "anchors": emb}, `array "anchors": present without "anchor_ids"`},
		"anchors shape":      {map[string][]byte{"embeddings": emb, "ids": ids, "anchors": f32([]int{1, 2}, []float32{1, 1}), "anchor_ids": i64(1, 2)}, `array "anchors": shape [1 2] does not match 2 anchor ids x 2 embedding columns`},
		"anchor ids repeat":  {map[string][]byte{"embeddings": emb, "ids": ids, "anchor_ids": i64(7, 7)}, `array "anchor_ids": id 7 is listed twice`},
		"anchors NaN":        {map[string][]byte{"embeddings": emb, "ids": ids, "anchors": nan, "anchor_ids": i64(1, 2)}, `array "anchors": non-finite value`},
		"coverage negative":  {map[string][]byte{"embeddings": emb, "ids": ids, "coverage": i64(1, -1)}, `array "coverage": negative coverage -1 for id 8`},
		"truncated member":   {map[string][]byte{"embeddings": emb[:len(emb)-2], "ids": ids}, `array "embeddings": not a valid .npy array: truncated data`},
		"embeddings not npy": {map[string][]byte{"embeddings": []byte("hello"), "ids": ids}, `array "embeddings": not a valid .npy array`},
	}
	dir := t.TempDir()
	for name, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".npz")
		os.WriteFile(path, npzBytes(c.members), 0o644)
		_, err := Read(path)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q\n  should name %s and say %q", name, err, path, c.want)
		}
	}
}

func TestCorruptArchives(t *testing.T) {
	dir := t.TempDir()
	good := npzBytes(map[string][]byte{"embeddings": f32([]int{1, 1}, []float32{1}), "ids": i64(1)})
	cases := map[string][]byte{
		"empty":     nil,
		"text":      []byte("id,x\n1,2\n"),
		"truncated": good[:len(good)/2],
	}
	for name, b := range cases {
		path := filepath.Join(dir, name+".npz")
		os.WriteFile(path, b, 0o644)
		_, err := Read(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v should name the file", name, err)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.npz")); err == nil {
		t.Error("a missing file should fail")
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.npz")
	err := WriteArrays(path, []NamedArray{
		Int64Array("ids", []int64{1}),
		{Name: "broken", Write: func(w io.Writer) error { return io.ErrUnexpectedEOF }},
	})
	if err == nil {
		t.Fatal("expected the failing array's error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("failed write left %v behind", entries)
	}
}

func TestReadIDs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	ids, err := ReadIDs(write("a.txt", "# anchors\n3\n1, 2\n\n10 11\n"))
	if err != nil || !slices.Equal(ids, []int64{3, 1, 2, 10, 11}) {
		t.Errorf("got %v, %v", ids, err)
	}
	npyPath := filepath.Join(dir, "ids.npy")
	os.WriteFile(npyPath, i64(4, 5), 0o644)
	if ids, err := ReadIDs(npyPath); err != nil || !slices.Equal(ids, []int64{4, 5}) {
		t.Errorf("npy ids: %v, %v", ids, err)
	}
	bad := map[string]string{
		"word.txt":  "1\ntwo\n",
		"float.txt": "1.5\n",
		"dup.txt":   "1\n2\n1\n",
		"empty.txt": "# nothing\n",
	}
	for name, content := range bad {
		if _, err := ReadIDs(write(name, content)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v should name the file", name, err)
		}
	}
}

// FuzzReadNPZ checks that no archive makes the chart reader panic, and
// that whatever it accepts is a valid space.
func FuzzReadNPZ(f *testing.F) {
	for _, name := range []string{"c_f32.npz", "be_f64_fortran.npz"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(npzBytes(map[string][]byte{"embeddings": f32([]int{2, 1}, []float32{1, 2}), "ids": i64(1, 2), "anchor_ids": i64(2)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		arrays, err := DecodeNPZ(b)
		if err != nil {
			return
		}
		c, err := FromArrays("fuzz.npz", arrays)
		if err != nil {
			return
		}
		if err := c.Space.Validate(); err != nil {
			t.Fatalf("accepted an invalid space: %v", err)
		}
	})
}

// TestNumpyReadsWhatAtlasWrites runs numpy on a chart atlas wrote, where
// numpy is installed (apt-get install python3-numpy); CI skips it.
func TestNumpyReadsWhatAtlasWrites(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skip("numpy is not installed")
	}
	dir := t.TempDir()
	s := &space.Space{IDs: []int64{7, -3, 1 << 40}, Labels: []int{2, 0, 1}, Dim: 2, Data: []float32{1.5, -2, 0, 3.25, 1e-8, 7}}
	for _, name := range []string{"c.npz", "folder"} {
		path := filepath.Join(dir, name)
		if err := Write(path, &Chart{Space: s, AnchorIDs: []int64{7}, Coverage: []int{1, 2, 3}}); err != nil {
			t.Fatal(err)
		}
		script := `
import sys, os, numpy as np
p = sys.argv[1]
z = np.load(p) if p.endswith(".npz") else {k[:-4]: np.load(os.path.join(p, k)) for k in os.listdir(p)}
e = z["embeddings"]
assert e.dtype == np.float32 and e.shape == (3, 2), (e.dtype, e.shape)
assert e.tolist() == [[1.5, -2.0], [0.0, 3.25], [np.float32(1e-8), 7.0]], e.tolist()
assert z["ids"].tolist() == [7, -3, 1 << 40] and z["ids"].dtype == np.int64
assert z["labels"].tolist() == [2, 0, 1] and z["coverage"].tolist() == [1, 2, 3]
assert z["anchor_ids"].tolist() == [7]
`
		out, err := exec.Command(python, "-c", script, path).CombinedOutput()
		if err != nil {
			t.Errorf("%s: numpy could not read it: %v\n%s", name, err, out)
		}
	}
}

// FuzzReadIDs: the id-list parser never panics and never returns
// duplicates or an empty list.
func FuzzReadIDs(f *testing.F) {
	f.Add([]byte("# anchors\n3\n1, 2\n\n10 11\n"))
	f.Add([]byte("1\n1\n"))
	f.Add(i64(4, 5))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "ids")
		os.WriteFile(path, b, 0o644)
		ids, err := ReadIDs(path)
		if err != nil {
			return
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("duplicate id %d accepted", id)
			}
			seen[id] = true
		}
		if len(ids) == 0 {
			t.Fatal("empty list accepted")
		}
	})
}
