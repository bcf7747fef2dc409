// Package npy reads and writes NumPy's .npy array format (format versions
// 1.0, 2.0 and 3.0), as specified in numpy/lib/format.py.
//
// It is written by hand rather than taken from codeberg.org/sbinet/npyio
// because atlas needs three things that library does not give together:
// errors that name what is wrong with a header or how many bytes are
// missing, strict bounds so a corrupt header cannot make it allocate more
// than the file holds (it is fuzzed), and bulk encoding: npyio writes one
// value per call, about 3.5 s per 30 MB here (dependencies.md).
//
// Reading accepts float32/float64 and every integer dtype, either byte
// order, C or Fortran order; the accessors return C-order data converted to
// float32 or int64. Writing produces little-endian C-order arrays.
package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

var magic = []byte("\x93NUMPY")

// DType is an array's element type, from the header's descr string.
type DType struct {
	Kind      byte // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
	Size      int  // bytes per element
	BigEndian bool
}

func (t DType) String() string {
	order := "<"
	if t.BigEndian {
		order = ">"
	}
	if t.Size == 1 {
		order = "|"
	}
	return fmt.Sprintf("%s%c%d", order, t.Kind, t.Size)
}

// IsFloat reports whether the type is float32 or float64.
func (t DType) IsFloat() bool { return t.Kind == 'f' }

// IsInteger reports whether the type is a signed or unsigned integer.
func (t DType) IsInteger() bool { return t.Kind == 'i' || t.Kind == 'u' }

// Array is a decoded .npy array: its header and raw element bytes.
type Array struct {
	DType   DType
	Shape   []int
	Fortran bool
	raw     []byte
}

// Len is the number of elements (the product of the shape).
func (a *Array) Len() int { return len(a.raw) / a.DType.Size }

// ErrFormat is wrapped by every error about a malformed file.
var ErrFormat = errors.New("not a valid .npy array")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Read decodes one .npy array from r. It reads r to its end.
func Read(r io.Reader) (*Array, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// ReadFile decodes the .npy file at path; errors name the path.
func ReadFile(path string) (*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Decode decodes one .npy array held in b. The returned array keeps a
// reference to b.
func Decode(b []byte) (*Array, error) {
	if len(b) < len(magic)+4 || !bytes.Equal(b[:len(magic)], magic) {
		return nil, formatErr("missing the \\x93NUMPY magic string")
	}
	major := b[6]
	var hlen, off int
	switch major {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, formatErr("truncated header")
		}
		h := binary.LittleEndian.Uint32(b[8:12])
		if h > 1<<24 {
			return nil, formatErr("header length %d is implausible", h)
		}
		hlen, off = int(h), 12
	default:
		return nil, formatErr("unsupported format version %d.%d", major, b[7])
	}
	if len(b) < off+hlen {
		return nil, formatErr("truncated header: %d bytes declared, %d present", hlen, len(b)-off)
	}
	a, err := parseHeader(string(b[off : off+hlen]))
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range a.Shape {
		if d != 0 && n > math.MaxInt32/d {
			return nil, formatErr("shape %v is too large", a.Shape)
		}
		n *= d
	}
	need := n * a.DType.Size
	data := b[off+hlen:]
	if len(data) < need {
		return nil, formatErr("truncated data: shape %v of %s needs %d bytes, %d present", a.Shape, a.DType, need, len(data))
	}
	a.raw = data[:need]
	return a, nil
}

// parseHeader reads the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
func parseHeader(h string) (*Array, error) {
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "{") || !strings.HasSuffix(h, "}") {
		return nil, formatErr("header is not a dict: %.60q", h)
	}
	body := h[1 : len(h)-1]
	a := &Array{}
	var haveDescr, haveOrder, haveShape bool
	for len(strings.TrimSpace(body)) > 0 {
		body = strings.TrimSpace(body)
		key, rest, err := pyString(body)
		if err != nil {
			return nil, formatErr("header key: %v", err)
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, ":") {
			return nil, formatErr("header: missing ':' after %q", key)
		}
		rest = strings.TrimSpace(rest[1:])
		switch key {
		case "descr":
			var s string
			s, rest, err = pyString(rest)
			if err != nil {
				return nil, formatErr("descr: %v", err)
			}
			if a.DType, err = parseDescr(s); err != nil {
				return nil, err
			}
			haveDescr = true
		case "fortran_order":
			switch {
			case strings.HasPrefix(rest, "True"):
				a.Fortran, rest = true, rest[4:]
			case strings.HasPrefix(rest, "False"):
				a.Fortran, rest = false, rest[5:]
			default:
				return nil, formatErr("fortran_order is neither True nor False")
			}
			haveOrder = true
		case "shape":
			if a.Shape, rest, err = pyTuple(rest); err != nil {
				return nil, formatErr("shape: %v", err)
			}
			haveShape = true
		default:
			return nil, formatErr("unknown header key %q", key)
		}
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, ",") {
			rest = rest[1:]
		} else if strings.TrimSpace(rest) != "" {
			return nil, formatErr("header: expected ',' near %.20q", rest)
		}
		body = rest
	}
	if !haveDescr || !haveOrder || !haveShape {
		return nil, formatErr("header lacks one of descr, fortran_order, shape")
	}
	return a, nil
}

func pyString(s string) (val, rest string, err error) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", s, fmt.Errorf("expected a quoted string near %.20q", s)
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return "", s, fmt.Errorf("unterminated string")
	}
	return s[1 : 1+end], s[2+end:], nil
}

func pyTuple(s string) (dims []int, rest string, err error) {
	if !strings.HasPrefix(s, "(") {
		return nil, s, fmt.Errorf("expected a tuple")
	}
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return nil, s, fmt.Errorf("unterminated tuple")
	}
	dims = []int{}
	for _, f := range strings.Split(s[1:end], ",") {
		f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "L"))
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 {
			return nil, s, fmt.Errorf("bad dimension %q", f)
		}
		dims = append(dims, d)
	}
	return dims, s[end+1:], nil
}

func parseDescr(s string) (DType, error) {
	if len(s) < 3 {
		return DType{}, formatErr("unsupported dtype %q", s)
	}
	var t DType
	switch s[0] {
	case '<', '|', '=':
	case '>':
		t.BigEndian = true
	default:
		return DType{}, formatErr("unsupported dtype %q (byte order)", s)
	}
	t.Kind = s[1]
	size, err := strconv.Atoi(s[2:])
	if err != nil {
		return DType{}, formatErr("unsupported dtype %q", s)
	}
	t.Size = size
	ok := false
	switch t.Kind {
	case 'f':
		ok = size == 4 || size == 8
	case 'i', 'u':
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		ok = size == 1
	}
	if !ok {
		return DType{}, formatErr("unsupported dtype %q: want float32, float64 or an integer type", s)
	}
	return t, nil
}

func (a *Array) order() binary.ByteOrder {
	if a.DType.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// cIndex maps C-order position i to the element's position in raw.
// It returns nil when raw is already in C order.
func (a *Array) cIndex() func(i int) int {
	if !a.Fortran || len(a.Shape) < 2 {
		return nil
	}
	shape := a.Shape
	return func(i int) int {
		// Decompose the C-order index into coordinates (last fastest), then
		// recompose in Fortran order (first fastest).
		pos, stride := 0, 1
		coords := make([]int, len(shape))
		for d := len(shape) - 1; d >= 0; d-- {
			coords[d] = i % shape[d]
			i /= shape[d]
		}
		for d := range shape {
			pos += coords[d] * stride
			stride *= shape[d]
		}
		return pos
	}
}

// Float32 returns the elements in C order as float32. float64 values are
// rounded; integers are not accepted (an embedding stored as integers is
// almost certainly the wrong array).
func (a *Array) Float32() ([]float32, error) {
	if !a.DType.IsFloat() {
		return nil, fmt.Errorf("dtype %s is not float32 or float64", a.DType)
	}
	n := a.Len()
	out := make([]float32, n)
	bo, sz, idx := a.order(), a.DType.Size, a.cIndex()
	for i := range out {
		p := i
		if idx != nil {
			p = idx(i)
		}
		if sz == 4 {
			out[i] = math.Float32frombits(bo.Uint32(a.raw[p*4:]))
		} else {
			out[i] = float32(math.Float64frombits(bo.Uint64(a.raw[p*8:])))
		}
	}
	return out, nil
}

// Int64 returns the elements in C order as int64. Integers of any size and
// signedness are accepted; uint64 values above MaxInt64 are an error.
// Floats are accepted only when every value is a whole number, because
// some tools save ids through a float array.
func (a *Array) Int64() ([]int64, error) {
	n := a.Len()
	out := make([]int64, n)
	bo, sz, idx := a.order(), a.DType.Size, a.cIndex()
	for i := range out {
		p := i
		if idx != nil {
			p = idx(i)
		}
		q := a.raw[p*sz:]
		switch a.DType.Kind {
		case 'i':
			switch sz {
			case 1:
				out[i] = int64(int8(q[0]))
			case 2:
				out[i] = int64(int16(bo.Uint16(q)))
			case 4:
				out[i] = int64(int32(bo.Uint32(q)))
			case 8:
				out[i] = int64(bo.Uint64(q))
			}
		case 'u', 'b':
			var u uint64
			switch sz {
			case 1:
				u = uint64(q[0])
			case 2:
				u = uint64(bo.Uint16(q))
			case 4:
				u = uint64(bo.Uint32(q))
			case 8:
				u = bo.Uint64(q)
			}
			if u > math.MaxInt64 {
				return nil, fmt.Errorf("element %d = %d does not fit in int64", i, u)
			}
			out[i] = int64(u)
		case 'f':
			var v float64
			if sz == 4 {
				v = float64(math.Float32frombits(bo.Uint32(q)))
			} else {
				v = math.Float64frombits(bo.Uint64(q))
			}
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, fmt.Errorf("dtype %s: element %d = %v is not a whole number", a.DType, i, v)
			}
			out[i] = int64(v)
		}
	}
	return out, nil
}

// header builds a version 1.0 header padded to a multiple of 64 bytes.
func header(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	total := len(magic) + 4 + len(dict) + 1
	pad := (64 - total%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	b := make([]byte, 0, len(magic)+4+len(dict))
	b = append(b, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	return append(b, dict...)
}

func checkShape(shape []int, n int) error {
	p := 1
	for _, d := range shape {
		p *= d
	}
	if p != n {
		return fmt.Errorf("npy: shape %v holds %d elements, data has %d", shape, p, n)
	}
	return nil
}

// WriteFloat32 writes data as a little-endian C-order float32 array.
func WriteFloat32(w io.Writer, shape []int, data []float32) error {
	if err := checkShape(shape, len(data)); err != nil {
		return err
	}
	buf := header("<f4", shape)
	buf = append(buf, make([]byte, 4*len(data))...)
	body := buf[len(buf)-4*len(data):]
	for i, v := range data {
		binary.LittleEndian.PutUint32(body[4*i:], math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// WriteInt64 writes data as a little-endian C-order int64 array.
func WriteInt64(w io.Writer, shape []int, data []int64) error {
	if err := checkShape(shape, len(data)); err != nil {
		return err
	}
	buf := header("<i8", shape)
	buf = append(buf, make([]byte, 8*len(data))...)
	body := buf[len(buf)-8*len(data):]
	for i, v := range data {
		binary.LittleEndian.PutUint64(body[8*i:], uint64(v))
	}
	_, err := w.Write(buf)
	return err
}
