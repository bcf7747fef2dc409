package nn

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/latentatlas/atlas/internal/atomicfile"
)

// Weights files are safetensors (https://github.com/huggingface/safetensors:
// an 8-byte little-endian header length, a JSON header, raw little-endian
// tensor data), so PyTorch users can open them with safetensors.torch.
// The header's __metadata__ holds the model Spec and a SHA-256 of the
// data, which Load verifies. The format is small enough that writing it
// here costs less than a dependency, and lets Load check every field.

const weightsFormat = "atlas-weights-1"

type tensorHeader struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// ErrWeights is wrapped by every error about an unreadable weights file.
var ErrWeights = errors.New("bad weights file")

// Save writes m's spec and parameters to path, atomically.
func (m *Model) Save(path string) error {
	spec, err := json.Marshal(m.Spec)
	if err != nil {
		return err
	}
	var data []byte
	header := map[string]any{}
	for _, p := range m.Params() {
		start := len(data)
		for _, v := range p.Value {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
		header[p.Name] = tensorHeader{DType: "F32", Shape: p.Shape, Offsets: [2]int{start, len(data)}}
	}
	sum := sha256.Sum256(data)
	header["__metadata__"] = map[string]string{
		"format": weightsFormat,
		"spec":   string(spec),
		"sha256": hex.EncodeToString(sum[:]),
	}
	hb, err := json.Marshal(header) // map keys are sorted: deterministic bytes
	if err != nil {
		return err
	}
	for len(hb)%8 != 0 { // the spec pads the header with spaces to 8 bytes
		hb = append(hb, ' ')
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(hb)))
		for _, part := range [][]byte{n[:], hb, data} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	})
}

// Load reads a model written by Save. Its errors say what is wrong: not a
// safetensors file, not an atlas model, a missing or misshapen tensor, or
// a checksum mismatch (a corrupt file).
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := decodeWeights(b)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrWeights, path, err)
	}
	return m, nil
}

func decodeWeights(b []byte) (*Model, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%d bytes is too short for a safetensors file", len(b))
	}
	hlen := binary.LittleEndian.Uint64(b)
	if hlen > uint64(len(b)-8) || hlen > 1<<24 {
		return nil, fmt.Errorf("header length %d does not fit in a %d-byte file: not a safetensors file, or truncated", hlen, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimRight(b[8:8+hlen], " "), &raw); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(raw["__metadata__"], &meta); err != nil || meta["format"] != weightsFormat {
		return nil, fmt.Errorf("no atlas model metadata (format %q): was this file written by atlas train?", meta["format"])
	}
	var spec Spec
	if err := json.Unmarshal([]byte(meta["spec"]), &spec); err != nil {
		return nil, fmt.Errorf("model spec in metadata is invalid: %v", err)
	}
	m, err := New(spec, 0)
	if err != nil {
		return nil, fmt.Errorf("model spec in metadata: %v", err)
	}
	data := b[8+hlen:]
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != meta["sha256"] {
		return nil, fmt.Errorf("checksum mismatch: the tensor data is corrupt or truncated")
	}
	for _, p := range m.Params() {
		rt, ok := raw[p.Name]
		if !ok {
			return nil, fmt.Errorf("tensor %q is missing", p.Name)
		}
		var th tensorHeader
		if err := json.Unmarshal(rt, &th); err != nil {
			return nil, fmt.Errorf("tensor %q: %v", p.Name, err)
		}
		if th.DType != "F32" || !slices.Equal(th.Shape, p.Shape) {
			return nil, fmt.Errorf("tensor %q is %s %v, the %s model needs F32 %v", p.Name, th.DType, th.Shape, spec.Arch, p.Shape)
		}
		lo, hi := th.Offsets[0], th.Offsets[1]
		if lo < 0 || hi > len(data) || hi-lo != 4*len(p.Value) {
			return nil, fmt.Errorf("tensor %q: data offsets %v do not fit the %d data bytes", p.Name, th.Offsets, len(data))
		}
		for i := range p.Value {
			p.Value[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[lo+4*i:]))
		}
	}
	return m, nil
}
