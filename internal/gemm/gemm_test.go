package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// naive is the textbook triple loop in float64, the reference.
func naive[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) []T {
	out := make([]T, len(c))
	copy(out, c)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			prev := float64(beta) * float64(c[i*ldc+j])
			if beta == 0 {
				prev = 0
			}
			out[i*ldc+j] = T(float64(alpha)*s + prev)
		}
	}
	return out
}

func randSlice(rng *rand.Rand, n int) []float32 { return randT[float32](rng, n) }

func randT[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(rng.NormFloat64())
	}
	return s
}

func TestSgemmMatchesNaive(t *testing.T) { checkAgainstNaive[float32](t, Sgemm, 1e-4) }
func TestDgemmMatchesNaive(t *testing.T) { checkAgainstNaive[float64](t, Dgemm, 1e-12) }

type gemmFunc[T Float] func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

func checkAgainstNaive[T Float](t *testing.T, gemmT gemmFunc[T], tol float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 15, 300}, {73, 33, 257}, {100, 128, 50}, {13, 4100, 9}, {150, 40, 600}}
	for _, useAsm := range []bool{true, false} {
		if useAsm && !hasAVX2 {
			continue
		}
		saved := hasAVX2
		hasAVX2 = useAsm
		for _, sz := range sizes {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					for _, ab := range [][2]T{{1, 0}, {0.5, 1}, {-2, 0.25}} {
						lda, ldb, ldc := k+3, n+1, n+2
						if tA {
							lda = m + 2
						}
						if tB {
							ldb = k + 5
						}
						rowsA, rowsB := m, k
						if tA {
							rowsA = k
						}
						if tB {
							rowsB = n
						}
						a := randT[T](rng, rowsA*lda)
						b := randT[T](rng, rowsB*ldb)
						c := randT[T](rng, m*ldc)
						want := naive(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc)
						gemmT(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc)
						for i := range m {
							for j := range n {
								g, w := c[i*ldc+j], want[i*ldc+j]
								if math.Abs(float64(g-w)) > tol*math.Sqrt(float64(k))*(1+math.Abs(float64(w))) {
									t.Fatalf("asm=%v %dx%dx%d tA=%v tB=%v alpha,beta=%v: C[%d,%d] = %v, want %v", useAsm, m, n, k, tA, tB, ab, i, j, g, w)
								}
							}
							// Padding between rows is never touched.
							for j := n; j < ldc && i < m-1; j++ {
								if c[i*ldc+j] != want[i*ldc+j] {
									t.Fatalf("padding C[%d,%d] changed", i, j)
								}
							}
						}
					}
				}
			}
		}
		hasAVX2 = saved
	}
}

func TestBetaZeroIgnoresNaN(t *testing.T) {
	c := []float32{float32(math.NaN()), float32(math.NaN())}
	Sgemm(false, false, 1, 2, 1, 1, []float32{2}, 1, []float32{3, 4}, 2, 0, c, 2)
	if c[0] != 6 || c[1] != 8 {
		t.Errorf("got %v", c)
	}
}

func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][3]int{{32, 196, 400}, {100, 128, 1568}, {512, 512, 512}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, bb, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
		flops := 2 * float64(m*n*k)
		b.Run(fmt.Sprintf("atlas/%dx%dx%d", m, n, k), func(b *testing.B) {
			for b.Loop() {
				Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		ad, bd, cd := randT[float64](rng, m*k), randT[float64](rng, k*n), make([]float64, m*n)
		b.Run(fmt.Sprintf("atlas-f64/%dx%dx%d", m, n, k), func(b *testing.B) {
			for b.Loop() {
				Dgemm(false, false, m, n, k, 1, ad, k, bd, n, 0, cd, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("gonum/%dx%dx%d", m, n, k), func(b *testing.B) {
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
					blas32.General{Rows: k, Cols: n, Stride: n, Data: bb}, 0, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
