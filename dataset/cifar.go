package dataset

import (
	"fmt"
	"os"
	"path/filepath"
)

// loadCIFAR reads the binary versions of CIFAR-10 (data_batch_1..5.bin and
// test_batch.bin: records of 1 label byte + 3072 pixel bytes) or CIFAR-100
// (train.bin and test.bin: coarse label, fine label, 3072 pixels). The
// fine labels are used for CIFAR-100, as in the paper.
func loadCIFAR(dir string, hundred bool) (*Dataset, error) {
	trainFiles := []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	testFiles := []string{"test_batch.bin"}
	header := 1
	if hundred {
		trainFiles, testFiles, header = []string{"train.bin"}, []string{"test.bin"}, 2
	}
	read := func(files []string) (*Images, error) {
		const size = 3 * 32 * 32
		rec := header + size
		im := &Images{C: 3, H: 32, W: 32}
		for _, name := range files {
			path := filepath.Join(dir, name)
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			if len(b) == 0 || len(b)%rec != 0 {
				return nil, fmt.Errorf("%s: %d bytes is not a whole number of %d-byte records: truncated or not a CIFAR binary file", path, len(b), rec)
			}
			for off := 0; off < len(b); off += rec {
				label := int(b[off+header-1])
				if !hundred && label > 9 {
					return nil, fmt.Errorf("%s: record %d has label %d, CIFAR-10 labels are 0..9", path, off/rec, label)
				}
				if hundred && label > 99 {
					return nil, fmt.Errorf("%s: record %d has fine label %d, CIFAR-100 labels are 0..99", path, off/rec, label)
				}
				im.Labels = append(im.Labels, label)
				im.Pixels = append(im.Pixels, b[off+header:off+rec]...)
			}
		}
		im.IDs = make([]int64, len(im.Labels))
		return im, nil
	}
	train, err := read(trainFiles)
	if err != nil {
		return nil, err
	}
	test, err := read(testFiles)
	if err != nil {
		return nil, err
	}
	return &Dataset{Train: train, Test: test}, nil
}
