package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRoundTripFloat32(t *testing.T) {
	data := []float32{1, -2.5, float32(math.Pi), 0, 1e-30, 7}
	var buf bytes.Buffer
	if err := WriteFloat32(&buf, []int{2, 3}, data); err != nil {
		t.Fatal(err)
	}
	if hlen := int(binary.LittleEndian.Uint16(buf.Bytes()[8:10])); (10+hlen)%64 != 0 {
		t.Errorf("header of %d bytes is not padded to a multiple of 64", 10+hlen)
	}
	a, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Shape, []int{2, 3}) || a.DType.String() != "<f4" || a.Fortran {
		t.Fatalf("header = %v %v %v", a.Shape, a.DType, a.Fortran)
	}
	got, err := a.Float32()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, data) {
		t.Errorf("got %v, want %v", got, data)
	}
	if _, err := a.Int64(); err == nil {
		t.Error("Int64 of non-integral floats should fail")
	}
}

func TestRoundTripInt64OneDim(t *testing.T) {
	data := []int64{-1, 0, 1 << 40, math.MaxInt64}
	var buf bytes.Buffer
	if err := WriteInt64(&buf, []int{4}, data); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "'shape': (4,)") {
		t.Errorf("1-D shape must be written as a Python 1-tuple: %q", buf.String()[:80])
	}
	a, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Int64()
	if err != nil || !slices.Equal(got, data) {
		t.Errorf("got %v, %v; want %v", got, err, data)
	}
	if _, err := a.Float32(); err == nil {
		t.Error("Float32 of an integer array should fail")
	}
}

// encode builds a .npy file by hand, for dtypes atlas never writes.
func encode(descr string, fortran bool, shape string, raw []byte) []byte {
	order := "False"
	if fortran {
		order = "True"
	}
	h := "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	b = append(b, h...)
	return append(b, raw...)
}

func TestIntegerDTypes(t *testing.T) {
	cases := []struct {
		descr string
		raw   []byte
		want  []int64
	}{
		{"|i1", []byte{0xff, 0x05}, []int64{-1, 5}},
		{"|u1", []byte{0xff, 0x05}, []int64{255, 5}},
		{"<i2", []byte{0xfe, 0xff, 0x00, 0x01}, []int64{-2, 256}},
		{">i2", []byte{0xff, 0xfe, 0x01, 0x00}, []int64{-2, 256}},
		{"<u2", []byte{0xff, 0xff, 0x00, 0x01}, []int64{65535, 256}},
		{"<i4", binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, uint32(0xfffffff9)), 70000), []int64{-7, 70000}},
		{">u4", binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 4000000000), 3), []int64{4000000000, 3}},
		{">i8", binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, uint64(1)<<62), 9), []int64{1 << 62, 9}},
		{"|b1", []byte{1, 0}, []int64{1, 0}},
	}
	for _, c := range cases {
		a, err := Decode(encode(c.descr, false, "(2,)", c.raw))
		if err != nil {
			t.Errorf("%s: %v", c.descr, err)
			continue
		}
		got, err := a.Int64()
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, %v; want %v", c.descr, got, err, c.want)
		}
	}
	a, _ := Decode(encode("<u8", false, "(1,)", binary.LittleEndian.AppendUint64(nil, math.MaxUint64)))
	if _, err := a.Int64(); err == nil {
		t.Error("uint64 above MaxInt64 should fail")
	}
}

func TestFortranOrderAndBigEndianFloat64(t *testing.T) {
	// The 2 x 3 matrix [[1 2 3] [4 5 6]] in Fortran order is 1 4 2 5 3 6.
	var raw []byte
	for _, v := range []float64{1, 4, 2, 5, 3, 6} {
		raw = binary.BigEndian.AppendUint64(raw, math.Float64bits(v))
	}
	a, err := Decode(encode(">f8", true, "(2, 3)", raw))
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Float32()
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWholeFloatsAsInts(t *testing.T) {
	var raw []byte
	for _, v := range []float64{3, -4} {
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
	}
	a, _ := Decode(encode("<f8", false, "(2,)", raw))
	got, err := a.Int64()
	if err != nil || !slices.Equal(got, []int64{3, -4}) {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestBadInput(t *testing.T) {
	good := encode("<f4", false, "(2, 2)", make([]byte, 16))
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":          {nil, "magic"},
		"not npy":        {[]byte("PK\x03\x04 this is a zip"), "magic"},
		"truncated data": {good[:len(good)-3], "truncated data: shape [2 2] of <f4 needs 16 bytes, 13 present"},
		"truncated head": {good[:20], "truncated header"},
		"version 9":      {append([]byte("\x93NUMPY\x09\x00"), good[8:]...), "unsupported format version 9"},
		"complex":        {encode("<c8", false, "(1,)", make([]byte, 8)), "unsupported dtype"},
		"object":         {encode("|O", false, "(1,)", make([]byte, 8)), "unsupported dtype"},
		"string":         {encode("<U3", false, "(1,)", make([]byte, 12)), "unsupported dtype"},
		"float16":        {encode("<f2", false, "(1,)", make([]byte, 2)), "unsupported dtype"},
		"bad shape":      {encode("<f4", false, "(2, x)", make([]byte, 16)), "bad dimension"},
		"negative shape": {encode("<f4", false, "(-2,)", make([]byte, 16)), "bad dimension"},
		"huge shape":     {encode("<f4", false, "(100000, 100000)", make([]byte, 16)), "too large"},
		"no dict":        {encode("<f4", false, "(2,)", nil)[:12], "truncated header"},
	}
	for name, c := range cases {
		_, err := Decode(c.b)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", name, err, c.want)
		}
	}
}

func TestWriteShapeMismatch(t *testing.T) {
	if err := WriteFloat32(&bytes.Buffer{}, []int{2, 2}, make([]float32, 3)); err == nil {
		t.Error("shape [2 2] with 3 values should fail")
	}
}

// FuzzDecode checks that no input makes the decoder panic or return an
// array whose accessors index out of range.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	WriteFloat32(&buf, []int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	f.Add(buf.Bytes())
	buf.Reset()
	WriteInt64(&buf, []int{3}, []int64{1, 2, 3})
	f.Add(buf.Bytes())
	f.Add(encode(">f8", true, "(2, 3)", make([]byte, 48)))
	f.Add(encode("<i2", false, "(2, 1, 2)", make([]byte, 8)))
	f.Add([]byte("\x93NUMPY\x02\x00\x10\x00\x00\x00{'descr': '<f4'}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if a.Len() != n {
			t.Fatalf("Len %d != product of shape %v", a.Len(), a.Shape)
		}
		if v, err := a.Float32(); err == nil && len(v) != n {
			t.Fatalf("Float32 returned %d values for shape %v", len(v), a.Shape)
		}
		if v, err := a.Int64(); err == nil && len(v) != n {
			t.Fatalf("Int64 returned %d values for shape %v", len(v), a.Shape)
		}
	})
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.npy")
	var buf bytes.Buffer
	WriteInt64(&buf, []int{2}, []int64{4, 5})
	os.WriteFile(path, buf.Bytes(), 0o644)
	a, err := ReadFile(path)
	if v, _ := a.Int64(); err != nil || !slices.Equal(v, []int64{4, 5}) {
		t.Errorf("got %v, %v", v, err)
	}
	os.WriteFile(path, []byte("junk"), 0o644)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("bad file: %v", err)
	}
}
