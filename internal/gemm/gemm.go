// Package gemm is atlas's one entry point for dense float32 matrix
// products: the relative projection, the training engine and the probes
// all go through Sgemm.
//
// It is a small BLIS-style GEMM (Goto and van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", ACM TOMS 2008; Van Zee and van
// de Geijn, "BLIS", ACM TOMS 2015): operands are packed into cache-sized
// panels and a 6x16 register-blocked micro-kernel does the arithmetic. On
// amd64 with AVX2 and FMA the micro-kernel is hand-written assembly; else a
// pure-Go kernel runs. It is written here because gonum's sgemm has no
// AVX/FMA kernel and reaches about a tenth of this machine's peak
// (dependencies.md), which would make training in Go several times slower
// than PyTorch; cgo OpenBLAS would make every build depend on a C library.
package gemm

import "sync"

// Micro-tile and cache-block sizes. MR x NR = 6 x 16 uses 12 of the 16 YMM
// registers for accumulators. KC x NR floats of B (16 KiB) stay in L1 and
// MC x KC of A (72 KiB) in L2.
const (
	mr = 6
	nr = 16
	kc = 256
	mc = 72
	nc = 4080
)

var bufPool = sync.Pool{New: func() any { return new(buffers) }}

type buffers struct {
	a, b []float32
	tile [mr * nr]float32
}

// Sgemm computes C = alpha * op(A) * op(B) + beta * C for row-major
// matrices, where op(A) is m x k and op(B) is k x n. transA and transB say
// whether A and B are stored transposed (A as k x m, B as n x k); lda, ldb
// and ldc are their row strides. With beta = 0, C need not be initialised
// (NaN in C does not propagate).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m <= 0 || n <= 0 {
		return
	}
	if beta != 1 {
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else {
				for j := range row {
					row[j] *= beta
				}
			}
		}
	}
	if alpha == 0 || k <= 0 {
		return
	}
	// Element (i, p) of op(A) is a[i*ars + p*acs]; (p, j) of op(B) is
	// b[p*brs + j*bcs].
	ars, acs := lda, 1
	if transA {
		ars, acs = 1, lda
	}
	brs, bcs := ldb, 1
	if transB {
		brs, bcs = 1, ldb
	}
	buf := bufPool.Get().(*buffers)
	defer bufPool.Put(buf)
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		npanels := (ncb + nr - 1) / nr
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			buf.b = grow(buf.b, npanels*nr*kcb)
			packB(buf.b, b[pc*brs+jc*bcs:], brs, bcs, kcb, ncb)
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				mpanels := (mcb + mr - 1) / mr
				buf.a = grow(buf.a, mpanels*mr*kcb)
				packA(buf.a, a[ic*ars+pc*acs:], ars, acs, mcb, kcb, alpha)
				macroKernel(buf, mcb, ncb, kcb, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// packA copies an mcb x kcb block of op(A), scaled by alpha, into panels of
// mr rows: panel r holds, for each p, the mr values A[r*mr..r*mr+mr-1][p].
// Rows past mcb are zero.
func packA(dst, a []float32, rs, cs, mcb, kcb int, alpha float32) {
	for r := 0; r*mr < mcb; r++ {
		panel := dst[r*mr*kcb : (r+1)*mr*kcb]
		rows := min(mr, mcb-r*mr)
		if rows < mr {
			clear(panel)
		}
		for i := range rows {
			src := a[(r*mr+i)*rs:]
			if cs == 1 {
				for p, v := range src[:kcb] {
					panel[p*mr+i] = alpha * v
				}
			} else {
				for p := range kcb {
					panel[p*mr+i] = alpha * src[p*cs]
				}
			}
		}
	}
}

// packB copies a kcb x ncb block of op(B) into panels of nr columns: panel
// q holds, for each p, the nr values B[p][q*nr..q*nr+nr-1]. Columns past
// ncb are zero.
func packB(dst, b []float32, rs, cs, kcb, ncb int) {
	for q := 0; q*nr < ncb; q++ {
		panel := dst[q*nr*kcb : (q+1)*nr*kcb]
		cols := min(nr, ncb-q*nr)
		if cs == 1 {
			for p := range kcb {
				src := b[p*rs+q*nr:]
				copy(panel[p*nr:p*nr+cols], src[:cols])
				if cols < nr {
					clear(panel[p*nr+cols : p*nr+nr])
				}
			}
			continue
		}
		if cols < nr {
			clear(panel)
		}
		for j := range cols {
			src := b[(q*nr+j)*cs:]
			for p := range kcb {
				panel[p*nr+j] = src[p*rs]
			}
		}
	}
}

// macroKernel multiplies the packed blocks into C (mcb x ncb at c).
func macroKernel(buf *buffers, mcb, ncb, kcb int, c []float32, ldc int) {
	for jr := 0; jr < ncb; jr += nr {
		bp := buf.b[(jr/nr)*nr*kcb:]
		cols := min(nr, ncb-jr)
		for ir := 0; ir < mcb; ir += mr {
			ap := buf.a[(ir/mr)*mr*kcb:]
			rows := min(mr, mcb-ir)
			if rows == mr && cols == nr {
				kernel(kcb, ap, bp, c[ir*ldc+jr:], ldc)
				continue
			}
			// Edge tile: compute a full tile aside, add the valid part.
			clear(buf.tile[:])
			kernel(kcb, ap, bp, buf.tile[:], nr)
			for i := range rows {
				crow := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
				for j := range crow {
					crow[j] += buf.tile[i*nr+j]
				}
			}
		}
	}
}

// kernelGo is the portable micro-kernel: C[6x16] += Apanel * Bpanel.
func kernelGo(k int, a, b, c []float32, ldc int) {
	var acc [mr][nr]float32
	for p := range k {
		bp := b[p*nr : p*nr+nr]
		ap := a[p*mr : p*mr+mr]
		for i, av := range ap {
			row := &acc[i]
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for i := range mr {
		crow := c[i*ldc : i*ldc+nr]
		for j := range crow {
			crow[j] += acc[i][j]
		}
	}
}
