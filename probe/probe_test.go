package probe

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/latentatlas/atlas/npy"
)

type golden struct {
	TrainY, TestY             []int
	LogisticC                 float64 `json:"logistic_C"`
	LogisticPred              []int   `json:"logistic_pred"`
	LogisticCoef00            float64 `json:"logistic_coef_00"`
	LogisticIntercept0        float64 `json:"logistic_intercept_0"`
	KNNK                      int     `json:"knn_k"`
	KNNPred                   []int   `json:"knn_pred"`
	CentroidPred              []int   `json:"centroid_pred"`
	Clusters                  []int
	NMI, ARI                  float64
	Homogeneity, Completeness float64
	MutualInfo                float64 `json:"mutual_info"`
	Silhouette                float64 `json:"silhouette_true_labels"`
	KMeansInertia             float64 `json:"kmeans_inertia"`
	KMeansARI                 float64 `json:"kmeans_ari"`
}

// load reads the data and scikit-learn's answers written by
// testdata/golden_sklearn.py.
func load(t *testing.T) (*Features, *Features, golden) {
	t.Helper()
	var g golden
	b, _ := os.ReadFile("testdata/sklearn.json")
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	g.TrainY, g.TestY = nil, nil
	var raw map[string]json.RawMessage
	json.Unmarshal(b, &raw)
	json.Unmarshal(raw["train_y"], &g.TrainY)
	json.Unmarshal(raw["test_y"], &g.TestY)
	read := func(path string, labels []int) *Features {
		a, err := npy.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := a.Float32()
		return &Features{X: x, Dim: a.Shape[1], Labels: labels}
	}
	return read("testdata/train_x.npy", g.TrainY), read("testdata/test_x.npy", g.TestY), g
}

func TestAgainstScikitLearn(t *testing.T) {
	train, test, g := load(t)
	lin, err := Linear(train, test, 3, g.LogisticC)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lin.Predictions, g.LogisticPred) {
		t.Errorf("logistic predictions differ from sklearn:\n%v\n%v", lin.Predictions, g.LogisticPred)
	}
	d := train.Dim
	if math.Abs(lin.weights[0]-g.LogisticCoef00) > 1e-4 || math.Abs(lin.weights[3*d]-g.LogisticIntercept0) > 1e-4 {
		t.Errorf("coef %v intercept %v, sklearn %v %v", lin.weights[0], lin.weights[3*d], g.LogisticCoef00, g.LogisticIntercept0)
	}
	knn, err := KNN(train, test, 3, g.KNNK)
	if err != nil || !slices.Equal(knn.Predictions, g.KNNPred) {
		t.Errorf("kNN predictions differ from sklearn: %v (%v)", knn.Predictions, err)
	}
	nc, err := NearestCentroid(train, test, 3)
	if err != nil || !slices.Equal(nc.Predictions, g.CentroidPred) {
		t.Errorf("nearest-centroid predictions differ from sklearn: %v", nc.Predictions)
	}
	s := Score(g.TestY, g.Clusters)
	for name, pair := range map[string][2]float64{"nmi": {s.NMI, g.NMI}, "ari": {s.ARI, g.ARI}, "homogeneity": {s.Homogeneity, g.Homogeneity},
		"completeness": {s.Completeness, g.Completeness}, "mutual_info": {s.MI, g.MutualInfo}} {
		if math.Abs(pair[0]-pair[1]) > 1e-12 {
			t.Errorf("%s = %v, sklearn %v", name, pair[0], pair[1])
		}
	}
	sil, err := Silhouette(test, g.TestY, 0, 0)
	if err != nil || math.Abs(sil-g.Silhouette) > 1e-6 {
		t.Errorf("silhouette %v, sklearn %v (%v)", sil, g.Silhouette, err)
	}
}

func TestKMeansFindsBlobs(t *testing.T) {
	train, _, g := load(t)
	assign, inertia, err := KMeans(train, 3, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The same optimum as scikit-learn's KMeans (other seeds, same answer).
	if s := Score(train.Labels, assign); math.Abs(s.ARI-g.KMeansARI) > 1e-9 || math.Abs(inertia-g.KMeansInertia) > 1e-3 {
		t.Errorf("k-means: ARI %.6f inertia %.5f; sklearn ARI %.6f inertia %.5f", s.ARI, inertia, g.KMeansARI, g.KMeansInertia)
	}
	again, _, _ := KMeans(train, 3, 4, 1)
	if !slices.Equal(again, assign) {
		t.Error("seeded k-means is not deterministic")
	}
	if _, _, err := KMeans(train, 0, 1, 1); err == nil {
		t.Error("k = 0 accepted")
	}
}

func TestScoreEdgeCases(t *testing.T) {
	perfect := Score([]int{0, 0, 1, 1}, []int{5, 5, 3, 3})
	if perfect.NMI != 1 || perfect.ARI != 1 || perfect.Homogeneity != 1 || perfect.Completeness != 1 {
		t.Errorf("relabelled perfect clustering: %+v", perfect)
	}
	if a := Accuracy([]int{1}, []int{0}, map[int]bool{5: true}); !math.IsNaN(a) {
		t.Errorf("accuracy over an empty group = %v, want NaN", a)
	}
	c := Confusion([]int{0, 1, 1}, []int{0, 0, 1}, 2)
	if c[0][0] != 1 || c[0][1] != 1 || c[1][1] != 1 {
		t.Errorf("confusion %v", c)
	}
}

// blobs32 is n rows of 3 Gaussian classes in 32 dimensions.
func blobs32(n int, seed uint64) *Features {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := rand.New(rand.NewPCG(99, 1)) // the same centres for every call
	c := make([]float32, 3*32)
	for i := range c {
		c[i] = float32(centres.NormFloat64())
	}
	f := &Features{Dim: 32}
	for i := range n {
		l := i % 3
		f.Labels = append(f.Labels, l)
		for j := range 32 {
			f.X = append(f.X, c[l*32+j]+float32(rng.NormFloat64()))
		}
	}
	return f
}

func TestMLPProbe(t *testing.T) {
	// The paper's probe standardises each row, which suits wide embeddings
	// (on 4-dimensional data it would throw half of each row away).
	train, test := blobs32(600, 1), blobs32(300, 2)
	res, err := MLP(context.Background(), train, test, 3, Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lin, _ := Linear(train, test, 3, 1)
	if res.Accuracy < 0.95 || res.Accuracy < lin.Accuracy-0.03 || res.BestEpoch == 0 {
		t.Errorf("MLP probe accuracy %.3f (logistic regression %.3f), best epoch %d", res.Accuracy, lin.Accuracy, res.BestEpoch)
	}
	again, _ := MLP(context.Background(), train, test, 3, Default(), nil)
	if !slices.Equal(again.Predictions, res.Predictions) {
		t.Error("seeded probe is not deterministic")
	}
}
