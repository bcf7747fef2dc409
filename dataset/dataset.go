// Package dataset provides labelled image sets for training the paper's
// encoders: MNIST embedded in the binary, idx files (MNIST, Fashion-MNIST,
// KMNIST) from a folder, and CIFAR-10/100 binary files from a folder.
//
// Every sample has a stable id: training images are 0..N_train-1 in file
// order and test images follow (N_train..N_train+N_test-1), as in the
// paper's code (paper-spec 1.1). For MNIST, test ids are 60000..69999.
package dataset

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Images is a set of images of one shape, pixels as bytes (CHW per image).
type Images struct {
	C, H, W int
	Pixels  []uint8
	Labels  []int
	IDs     []int64
}

// Len is the number of images.
func (im *Images) Len() int { return len(im.Labels) }

// Size is the number of bytes per image.
func (im *Images) Size() int { return im.C * im.H * im.W }

// Dataset is a train and a test split.
type Dataset struct {
	Name    string
	Classes int // labels are 0..Classes-1
	Train   *Images
	Test    *Images
	// Mean and Std are per-channel statistics of the training pixels
	// (scaled to [0, 1]), used to normalise inputs.
	Mean, Std []float32
}

// Load opens a dataset by name: "mnist" (embedded), "idx:DIR",
// "cifar10:DIR" or "cifar100:DIR".
func Load(spec string) (*Dataset, error) {
	kind, dir, _ := strings.Cut(spec, ":")
	if kind != "mnist" && dir == "" && (kind == "idx" || kind == "cifar10" || kind == "cifar100") {
		return nil, fmt.Errorf("dataset %q needs a folder: %s:DIR", spec, kind)
	}
	var d *Dataset
	var err error
	switch kind {
	case "mnist":
		d, err = loadMNIST()
	case "idx":
		d, err = loadIdxDir(dir)
	case "cifar10":
		d, err = loadCIFAR(dir, false)
	case "cifar100":
		d, err = loadCIFAR(dir, true)
	default:
		return nil, fmt.Errorf("unknown dataset %q: want mnist, idx:DIR, cifar10:DIR or cifar100:DIR", spec)
	}
	if err != nil {
		return nil, err
	}
	d.Name = spec
	d.finish()
	return d, nil
}

// finish assigns ids, counts classes and computes normalisation stats.
func (d *Dataset) finish() {
	for i := range d.Train.IDs {
		d.Train.IDs[i] = int64(i)
	}
	for i := range d.Test.IDs {
		d.Test.IDs[i] = int64(d.Train.Len() + i)
	}
	for _, l := range slices.Concat(d.Train.Labels, d.Test.Labels) {
		d.Classes = max(d.Classes, l+1)
	}
	c, hw := d.Train.C, d.Train.H*d.Train.W
	sum, sq := make([]float64, c), make([]float64, c)
	for i := range d.Train.Len() {
		img := d.Train.Pixels[i*c*hw : (i+1)*c*hw]
		for ch := range c {
			for _, p := range img[ch*hw : (ch+1)*hw] {
				v := float64(p) / 255
				sum[ch] += v
				sq[ch] += v * v
			}
		}
	}
	n := float64(d.Train.Len() * hw)
	d.Mean, d.Std = make([]float32, c), make([]float32, c)
	for ch := range c {
		mean := sum[ch] / n
		d.Mean[ch] = float32(mean)
		d.Std[ch] = float32(math.Sqrt(math.Max(sq[ch]/n-mean*mean, 1e-12)))
	}
}

func newImages(n, c, h, w int) *Images {
	return &Images{C: c, H: h, W: w, Pixels: make([]uint8, n*c*h*w), Labels: make([]int, n), IDs: make([]int64, n)}
}

// View is a selection of images as nn.Data: normalised float inputs and
// class indices in the order of Classes.
type View struct {
	Images    *Images
	Rows      []int // rows of Images, in order
	Mean, Std []float32
	classIdx  map[int]int
}

// NewView selects the images of im whose label is in classes (all images
// when classes is nil) and maps labels to class indices: the position of
// the label in classes (sorted ascending), or the label itself when
// classes is nil.
func NewView(im *Images, classes []int, mean, std []float32) *View {
	v := &View{Images: im, Mean: mean, Std: std, classIdx: classIndex(classes)}
	for i, l := range im.Labels {
		if v.classIdx == nil {
			v.Rows = append(v.Rows, i)
		} else if _, ok := v.classIdx[l]; ok {
			v.Rows = append(v.Rows, i)
		}
	}
	return v
}

// NewViewRows is NewView over the given rows of im, in that order. The
// caller makes sure their labels are in classes.
func NewViewRows(im *Images, rows []int, classes []int, mean, std []float32) *View {
	return &View{Images: im, Rows: rows, Mean: mean, Std: std, classIdx: classIndex(classes)}
}

// classIndex maps each class to its position in ascending order; nil
// classes give a nil map (labels are their own indices).
func classIndex(classes []int) map[int]int {
	if classes == nil {
		return nil
	}
	sorted := slices.Clone(classes)
	slices.Sort(sorted)
	idx := make(map[int]int, len(sorted))
	for i, c := range sorted {
		idx[c] = i
	}
	return idx
}

// Subset returns a view of some of v's samples (positions in v).
func (v *View) Subset(pos []int) *View {
	out := *v
	out.Rows = make([]int, len(pos))
	for i, p := range pos {
		out.Rows[i] = v.Rows[p]
	}
	return &out
}

func (v *View) Len() int { return len(v.Rows) }

func (v *View) Class(i int) int {
	l := v.Images.Labels[v.Rows[i]]
	if v.classIdx == nil {
		return l
	}
	return v.classIdx[l]
}

// ID is the sample id of view position i.
func (v *View) ID(i int) int64 { return v.Images.IDs[v.Rows[i]] }

// Label is the global label of view position i.
func (v *View) Label(i int) int { return v.Images.Labels[v.Rows[i]] }

// Fill writes normalised pixels ((p/255 - mean) / std per channel).
func (v *View) Fill(rows []int, dst []float32) {
	im := v.Images
	size, hw := im.Size(), im.H*im.W
	for k, r := range rows {
		src := im.Pixels[v.Rows[r]*size : (v.Rows[r]+1)*size]
		out := dst[k*size : (k+1)*size]
		for ch := range im.C {
			scale, shift := 1/(255*v.Std[ch]), v.Mean[ch]/v.Std[ch]
			for j, p := range src[ch*hw : (ch+1)*hw] {
				out[ch*hw+j] = float32(p)*scale - shift
			}
		}
	}
}
