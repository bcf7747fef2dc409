// Package chartio reads and writes charts: the file contract of design.md
// that users produce from Python (np.savez or np.save) and atlas writes.
//
// A chart is an .npz archive or a folder of .npy files holding
//
//	embeddings  n x d  float32 or float64   required
//	ids         n      integer              required, unique
//	labels      n      integer              optional
//	anchors     k x d  float32 or float64   optional, with anchor_ids
//	anchor_ids  k      integer              optional
//	coverage    n      integer              optional (merged atlases)
//
// When anchor_ids is given without anchors, the anchors are the rows of
// embeddings with those ids. In a merged atlas, anchor_ids names the anchors
// its coordinates refer to. Arrays with other names are ignored.
//
// Every error names the file and the array; Write replaces its target only
// once the whole file is written.
package chartio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/latentatlas/atlas/internal/atomicfile"
	"github.com/latentatlas/atlas/npy"
	"github.com/latentatlas/atlas/space"
)

// Chart is the content of a chart file.
type Chart struct {
	// Space holds embeddings, ids and labels. Its Name is the file path.
	Space *space.Space
	// AnchorIDs lists the anchor ids in coordinate order; nil when absent.
	AnchorIDs []int64
	// Anchors holds explicit anchor embeddings (ids AnchorIDs); nil when
	// the anchors are rows of Space.
	Anchors *space.Space
	// Coverage counts, per row, the charts that embedded the sample; nil
	// unless the file is a merged atlas.
	Coverage []int
}

// Array names of the contract.
const (
	ArrEmbeddings = "embeddings"
	ArrIDs        = "ids"
	ArrLabels     = "labels"
	ArrAnchors    = "anchors"
	ArrAnchorIDs  = "anchor_ids"
	ArrCoverage   = "coverage"
)

// ErrChart is wrapped by every error about a chart's content.
var ErrChart = errors.New("invalid chart")

// Read reads the chart at path: an .npz file or a folder of .npy files.
func Read(path string) (*Chart, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var arrays map[string]*npy.Array
	if fi.IsDir() {
		arrays, err = readDir(path)
	} else {
		var b []byte
		if b, err = os.ReadFile(path); err != nil {
			return nil, err
		}
		arrays, err = DecodeNPZ(b)
		if err != nil {
			err = fmt.Errorf("chart %s: %w", path, err)
		}
	}
	if err != nil {
		return nil, err
	}
	return FromArrays(path, arrays)
}

func readDir(dir string) (map[string]*npy.Array, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	arrays := map[string]*npy.Array{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".npy")
		if !ok || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		a, err := npy.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("chart %s: array %q: %w", dir, name, err)
		}
		arrays[name] = a
	}
	return arrays, nil
}

// DecodeNPZ decodes every .npy member of an .npz archive (stored or
// deflated, as np.savez and np.savez_compressed write them).
func DecodeNPZ(b []byte) (map[string]*npy.Array, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a valid .npz (zip) file: %w", err)
	}
	arrays := map[string]*npy.Array{}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			continue
		}
		if _, dup := arrays[name]; dup {
			return nil, fmt.Errorf("array %q appears twice", name)
		}
		// Bound what a corrupt size field can make us allocate.
		if f.UncompressedSize64 > 1<<36 {
			return nil, fmt.Errorf("array %q: implausible size %d", name, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("array %q: corrupt archive member: %w", name, err)
		}
		a, err := npy.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		arrays[name] = a
	}
	return arrays, nil
}

// FromArrays validates decoded arrays against the contract and builds a
// chart. path is used in error messages and as the space's name.
func FromArrays(path string, arrays map[string]*npy.Array) (*Chart, error) {
	fail := func(array, format string, args ...any) error {
		return fmt.Errorf("%w %s: array %q: %s", ErrChart, path, array, fmt.Sprintf(format, args...))
	}
	emb, ok := arrays[ArrEmbeddings]
	if !ok {
		return nil, fmt.Errorf("%w %s: no %q array (found: %s)", ErrChart, path, ArrEmbeddings, strings.Join(names(arrays), ", "))
	}
	if len(emb.Shape) != 2 {
		return nil, fail(ArrEmbeddings, "want 2 dimensions (n x d), got shape %v", emb.Shape)
	}
	n, d := emb.Shape[0], emb.Shape[1]
	if d == 0 {
		return nil, fail(ArrEmbeddings, "has 0 columns")
	}
	data, err := emb.Float32()
	if err != nil {
		return nil, fail(ArrEmbeddings, "%v", err)
	}
	idsArr, ok := arrays[ArrIDs]
	if !ok {
		return nil, fmt.Errorf("%w %s: no %q array: every chart needs sample ids", ErrChart, path, ArrIDs)
	}
	ids, err := vector(idsArr, n)
	if err != nil {
		return nil, fail(ArrIDs, "%v", err)
	}
	var labels []int
	if la, ok := arrays[ArrLabels]; ok {
		l64, err := vector(la, n)
		if err != nil {
			return nil, fail(ArrLabels, "%v", err)
		}
		labels = make([]int, n)
		for i, l := range l64 {
			if l < 0 || l > 1<<30 {
				return nil, fail(ArrLabels, "label %d of id %d (row %d) is out of range", l, ids[i], i)
			}
			labels[i] = int(l)
		}
	}
	sp := &space.Space{Name: path, IDs: ids, Labels: labels, Dim: d, Data: data}
	if err := sp.Validate(); err != nil {
		arr := ArrEmbeddings
		if errors.Is(err, space.ErrDuplicateID) {
			arr = ArrIDs
		}
		return nil, fail(arr, "%v", strings.TrimPrefix(err.Error(), path+": "))
	}
	c := &Chart{Space: sp}
	if ca, ok := arrays[ArrCoverage]; ok {
		cov, err := vector(ca, n)
		if err != nil {
			return nil, fail(ArrCoverage, "%v", err)
		}
		c.Coverage = make([]int, n)
		for i, v := range cov {
			if v < 0 {
				return nil, fail(ArrCoverage, "negative coverage %d for id %d", v, ids[i])
			}
			c.Coverage[i] = int(v)
		}
	}
	aidArr, haveIDs := arrays[ArrAnchorIDs]
	anc, haveAnchors := arrays[ArrAnchors]
	if haveAnchors && !haveIDs {
		return nil, fail(ArrAnchors, "present without %q: anchors need their ids", ArrAnchorIDs)
	}
	if !haveIDs {
		return c, nil
	}
	if len(aidArr.Shape) != 1 {
		return nil, fail(ArrAnchorIDs, "want 1 dimension, got shape %v", aidArr.Shape)
	}
	aids, err := vector(aidArr, aidArr.Shape[0])
	if err != nil {
		return nil, fail(ArrAnchorIDs, "%v", err)
	}
	c.AnchorIDs = aids
	if _, err := checkIDList(ArrAnchorIDs, aids); err != nil {
		return nil, fail(ArrAnchorIDs, "%v", strings.TrimPrefix(err.Error(), ArrAnchorIDs+": "))
	}
	if !haveAnchors {
		// The anchors are rows of embeddings; whether they are all there is
		// checked when they are used (atlas.ChartAnchors), because a merged
		// atlas records its anchor_ids without holding those rows.
		return c, nil
	}
	if len(anc.Shape) != 2 || anc.Shape[0] != len(aids) || anc.Shape[1] != d {
		return nil, fail(ArrAnchors, "shape %v does not match %d anchor ids x %d embedding columns", anc.Shape, len(aids), d)
	}
	adata, err := anc.Float32()
	if err != nil {
		return nil, fail(ArrAnchors, "%v", err)
	}
	as := &space.Space{Name: path + " anchors", IDs: aids, Dim: d, Data: adata}
	if err := as.Validate(); err != nil {
		return nil, fail(ArrAnchors, "%v", strings.TrimPrefix(err.Error(), as.Name+": "))
	}
	c.Anchors = as
	return c, nil
}

// vector checks that a is 1-D with n integer elements.
func vector(a *npy.Array, n int) ([]int64, error) {
	if len(a.Shape) != 1 || a.Shape[0] != n {
		return nil, fmt.Errorf("want shape (%d,), got %v", n, a.Shape)
	}
	if !a.DType.IsInteger() && !a.DType.IsFloat() {
		return nil, fmt.Errorf("dtype %s is not an integer type", a.DType)
	}
	return a.Int64()
}

func names(arrays map[string]*npy.Array) []string {
	out := make([]string, 0, len(arrays))
	for k := range arrays {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"nothing"}
	}
	return out
}

// AnchorSpace returns the chart's anchor embeddings in AnchorIDs order,
// from the explicit anchors array or from the chart's rows.
func (c *Chart) AnchorSpace() (*space.Space, error) {
	if c.AnchorIDs == nil {
		return nil, fmt.Errorf("%s has no anchor ids", c.Space.Name)
	}
	if c.Anchors != nil {
		return c.Anchors, nil
	}
	return c.Space.Subset(c.AnchorIDs)
}

// Write writes c to path: an .npz archive when path ends in .npz, otherwise
// a folder of .npy files. Arrays are stored uncompressed (np.load reads
// them without a copy), ids and integer arrays as int64, floats as float32.
func Write(path string, c *Chart) error {
	arrays := []NamedArray{
		{ArrEmbeddings, func(w io.Writer) error {
			return npy.WriteFloat32(w, []int{c.Space.N(), c.Space.Dim}, c.Space.Data)
		}},
		{ArrIDs, func(w io.Writer) error { return npy.WriteInt64(w, []int{c.Space.N()}, c.Space.IDs) }},
	}
	if c.Space.Labels != nil {
		arrays = append(arrays, intArray(ArrLabels, c.Space.Labels))
	}
	if c.Coverage != nil {
		arrays = append(arrays, intArray(ArrCoverage, c.Coverage))
	}
	if c.AnchorIDs != nil {
		aids := c.AnchorIDs
		arrays = append(arrays, NamedArray{ArrAnchorIDs, func(w io.Writer) error { return npy.WriteInt64(w, []int{len(aids)}, aids) }})
	}
	if c.Anchors != nil {
		a := c.Anchors
		arrays = append(arrays, NamedArray{ArrAnchors, func(w io.Writer) error { return npy.WriteFloat32(w, []int{a.N(), a.Dim}, a.Data) }})
	}
	return WriteArrays(path, arrays)
}

// NamedArray is one array to write: its name in the archive and a function
// that encodes it as .npy.
type NamedArray struct {
	Name  string
	Write func(w io.Writer) error
}

func intArray(name string, v []int) NamedArray {
	v64 := make([]int64, len(v))
	for i, x := range v {
		v64[i] = int64(x)
	}
	return NamedArray{name, func(w io.Writer) error { return npy.WriteInt64(w, []int{len(v64)}, v64) }}
}

// Int64Array is a 1-D int64 array to write with WriteArrays.
func Int64Array(name string, v []int64) NamedArray {
	return NamedArray{name, func(w io.Writer) error { return npy.WriteInt64(w, []int{len(v)}, v) }}
}

// IntArray is a 1-D int array (written as int64) for WriteArrays.
func IntArray(name string, v []int) NamedArray { return intArray(name, v) }

// Float32Matrix is an n x d float32 array to write with WriteArrays.
func Float32Matrix(name string, n, d int, data []float32) NamedArray {
	return NamedArray{name, func(w io.Writer) error { return npy.WriteFloat32(w, []int{n, d}, data) }}
}

// WriteArrays writes arrays, in order, to an .npz archive (path ends in
// .npz) or a folder of .npy files, atomically.
func WriteArrays(path string, arrays []NamedArray) error {
	seen := map[string]bool{}
	for _, a := range arrays {
		if seen[a.Name] {
			return fmt.Errorf("chartio: array %q given twice", a.Name)
		}
		seen[a.Name] = true
	}
	if strings.HasSuffix(path, ".npz") {
		return atomicfile.Write(path, func(w io.Writer) error {
			zw := zip.NewWriter(w)
			for _, a := range arrays {
				// A fixed modification time keeps the bytes deterministic.
				f, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
				if err != nil {
					return err
				}
				if err := a.Write(f); err != nil {
					return fmt.Errorf("array %q: %w", a.Name, err)
				}
			}
			return zw.Close()
		})
	}
	return atomicfile.WriteDir(path, func(dir string) error {
		for _, a := range arrays {
			err := atomicfile.Write(filepath.Join(dir, a.Name+".npy"), a.Write)
			if err != nil {
				return fmt.Errorf("array %q: %w", a.Name, err)
			}
		}
		return nil
	})
}

// ReadIDs reads a list of ids from a text file (integers separated by
// white space or commas; lines starting with # are comments) or from a 1-D
// integer .npy file.
func ReadIDs(path string) ([]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("\x93NUMPY")) {
		a, err := npy.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(a.Shape) != 1 {
			return nil, fmt.Errorf("%s: want a 1-D array of ids, got shape %v", path, a.Shape)
		}
		ids, err := a.Int64()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return checkIDList(path, ids)
	}
	var ids []int64
	for ln, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			var id int64
			if _, err := fmt.Sscan(f, &id); err != nil || fmt.Sprint(id) != strings.TrimPrefix(f, "+") {
				return nil, fmt.Errorf("%s: line %d: %q is not an integer id", path, ln+1, f)
			}
			ids = append(ids, id)
		}
	}
	return checkIDList(path, ids)
}

func checkIDList(path string, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no ids", path)
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return nil, fmt.Errorf("%s: id %d is listed twice", path, s[i])
		}
	}
	return ids, nil
}
