package nn_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/latentatlas/atlas/dataset"
	"github.com/latentatlas/atlas/nn"
)

// trainMNIST trains the paper's CNN for one epoch on n training images
// (all when n is 0) and returns its accuracy on the 10,000 test images.
func trainMNIST(t *testing.T, n int) float64 {
	d, err := dataset.Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	train := dataset.NewView(d.Train, nil, d.Mean, d.Std)
	if n > 0 {
		train = train.Subset(rand.New(rand.NewPCG(1, 1)).Perm(train.Len())[:n])
	}
	spec := nn.Spec{Arch: nn.CNN, InShape: []int{1, 28, 28}, Classes: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	m, err := nn.New(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := nn.DefaultTrain()
	cfg.Epochs, cfg.Seed = 1, 1
	if _, err := nn.Train(context.Background(), m, train, nil, cfg, nil); err != nil {
		t.Fatal(err)
	}
	_, acc := nn.Evaluate(m, dataset.NewView(d.Test, nil, d.Mean, d.Std), 500)
	return acc
}

// One epoch on a fifth of MNIST (12,000 images, about 10 s here). Bound:
// 93 %; seeds 1 and 2 gave 95.2 % and 94.7 % (atlas train --limit 12000).
func TestCNNOnMNISTSubset(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a CNN")
	}
	if acc := trainMNIST(t, 12000); acc < 0.93 {
		t.Errorf("test accuracy %.4f after one epoch on 12,000 images, want >= 0.93", acc)
	}
}

// The bound on the whole training set (about 45 s here, so not in
// CI): ATLAS_FULL_MNIST=1 go test -run FullEpoch ./nn/
func TestCNNOnMNISTFullEpoch(t *testing.T) {
	if os.Getenv("ATLAS_FULL_MNIST") == "" {
		t.Skip("set ATLAS_FULL_MNIST=1 to train on all 60,000 images")
	}
	if acc := trainMNIST(t, 0); acc < 0.97 {
		t.Errorf("test accuracy %.4f after one epoch, want >= 0.97", acc)
	}
}
