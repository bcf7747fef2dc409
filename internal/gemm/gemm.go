// Package gemm is atlas's one entry point for dense matrix products: the
// relative projection, the training engine and the probes go through
// Sgemm (float32), linear CKA through Dgemm (float64).
//
// It is a small BLIS-style GEMM (Goto and van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", ACM TOMS 2008; Van Zee and van
// de Geijn, "BLIS", ACM TOMS 2015): operands are packed into cache-sized
// panels and a register-blocked micro-kernel (6x16 floats, 6x8 doubles:
// 12 YMM accumulators either way) does the arithmetic. On
// amd64 with AVX2 and FMA the micro-kernel is hand-written assembly; else a
// pure-Go kernel runs. It is written here because gonum's sgemm has no
// AVX/FMA kernel and reaches about a tenth of this machine's peak
// (dependencies.md), which would make training in Go several times slower
// than PyTorch; cgo OpenBLAS would make every build depend on a C library.
// One generic driver serves both precisions.
package gemm

import "sync"

// Micro-tile and cache-block sizes. A tile is mr rows by nr(T) columns:
// 6 x 16 floats or 6 x 8 doubles, 12 of the 16 YMM registers. KC x NR of B
// (16 KiB) stays in L1 and MC x KC of A (72 or 144 KiB) in L2.
const (
	mr = 6
	kc = 256
	mc = 72
	nc = 4080
)

// Float is the element types the driver serves.
type Float interface{ float32 | float64 }

// nrOf is the tile width for T: two YMM registers of it.
func nrOf[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 16
	}
	return 8
}

var bufPools = map[int]*sync.Pool{
	16: {New: func() any { return new(buffers[float32]) }},
	8:  {New: func() any { return new(buffers[float64]) }},
}

type buffers[T Float] struct {
	a, b         []T // packed blocks
	aEdge, bEdge []T // one packed panel, for edge tiles of unpacked operands
	tile         [mr * 16]T
}

// When to pack. A packed panel is re-read once per tile it meets, so
// packing pays when an operand is re-used many times: A across the n/16
// panels of B, B across the m/6 panels of A. Thin products (a conv layer's
// 32 output channels, say) read their big operand in place; the kernel
// takes strides. Transposed operands and alpha != 1 are always packed.
const (
	packAMinN = 256
	packBMinM = 48
)

// Sgemm computes C = alpha * op(A) * op(B) + beta * C for row-major
// float32 matrices, where op(A) is m x k and op(B) is k x n. transA and
// transB say whether A and B are stored transposed (A as k x m, B as
// n x k); lda, ldb and ldc are their row strides. With beta = 0, C need
// not be initialised (NaN in C does not propagate).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
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
	packA := transA || alpha != 1 || n >= packAMinN
	packB := transB || m >= packBMinM
	nr := nrOf[T]()
	pool := bufPools[nr]
	buf := pool.Get().(*buffers[T])
	defer pool.Put(buf)
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			bv := view[T]{data: b[pc*brs+jc*bcs:], rs: brs, cs: bcs, packed: packB}
			if packB {
				buf.b = grow(buf.b, (ncb+nr-1)/nr*nr*kcb)
				packBBlock(buf.b, bv.data, brs, bcs, kcb, ncb)
				bv.data = buf.b
			}
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				av := view[T]{data: a[ic*ars+pc*acs:], rs: ars, cs: acs, packed: packA}
				if packA {
					buf.a = grow(buf.a, (mcb+mr-1)/mr*mr*kcb)
					packABlock(buf.a, av.data, ars, acs, mcb, kcb, alpha)
					av.data = buf.a
				}
				macroKernel(buf, av, bv, mcb, ncb, kcb, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// view is a block of an operand, packed (panels) or in place (strides).
type view[T Float] struct {
	data   []T
	rs, cs int
	packed bool
}

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// packABlock copies an mcb x kcb block of op(A), scaled by alpha, into
// panels of mr rows: panel r holds, for each p, the mr values
// A[r*mr..r*mr+mr-1][p]. Rows past mcb are zero.
func packABlock[T Float](dst, a []T, rs, cs, mcb, kcb int, alpha T) {
	for r := 0; r*mr < mcb; r++ {
		packAPanel(dst[r*mr*kcb:(r+1)*mr*kcb], a[r*mr*rs:], rs, cs, min(mr, mcb-r*mr), kcb, alpha)
	}
}

func packAPanel[T Float](panel, a []T, rs, cs, rows, kcb int, alpha T) {
	if rows < mr {
		clear(panel)
	}
	for i := range rows {
		src := a[i*rs:]
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

// packBBlock copies a kcb x ncb block of op(B) into panels of nr columns:
// panel q holds, for each p, the nr values B[p][q*nr..q*nr+nr-1]. Columns
// past ncb are zero.
func packBBlock[T Float](dst, b []T, rs, cs, kcb, ncb int) {
	nr := nrOf[T]()
	for q := 0; q*nr < ncb; q++ {
		packBPanel(dst[q*nr*kcb:(q+1)*nr*kcb], b[q*nr*cs:], rs, cs, kcb, min(nr, ncb-q*nr))
	}
}

func packBPanel[T Float](panel, b []T, rs, cs, kcb, cols int) {
	nr := nrOf[T]()
	if cs == 1 {
		for p := range kcb {
			copy(panel[p*nr:p*nr+cols], b[p*rs:p*rs+cols])
			if cols < nr {
				clear(panel[p*nr+cols : p*nr+nr])
			}
		}
		return
	}
	if cols < nr {
		clear(panel)
	}
	for j := range cols {
		src := b[j*cs:]
		for p := range kcb {
			panel[p*nr+j] = src[p*rs]
		}
	}
}

// macroKernel multiplies the blocks into C (mcb x ncb at c), tile by tile.
// Edge tiles of in-place operands are packed first, so the kernel never
// reads past the operand; edge tiles of C are computed aside.
func macroKernel[T Float](buf *buffers[T], av, bv view[T], mcb, ncb, kcb int, c []T, ldc int) {
	nr := nrOf[T]()
	for jr := 0; jr < ncb; jr += nr {
		cols := min(nr, ncb-jr)
		var bp []T
		bks := nr
		switch {
		case bv.packed:
			bp = bv.data[(jr/nr)*nr*kcb:]
		case cols == nr:
			bp, bks = bv.data[jr:], bv.rs
		default:
			buf.bEdge = grow(buf.bEdge, nr*kcb)
			packBPanel(buf.bEdge, bv.data[jr:], bv.rs, 1, kcb, cols)
			bp = buf.bEdge
		}
		for ir := 0; ir < mcb; ir += mr {
			rows := min(mr, mcb-ir)
			var ap []T
			ars, aks := 1, mr
			switch {
			case av.packed:
				ap = av.data[(ir/mr)*mr*kcb:]
			case rows == mr:
				ap, ars, aks = av.data[ir*av.rs:], av.rs, 1
			default:
				buf.aEdge = grow(buf.aEdge, mr*kcb)
				packAPanel(buf.aEdge, av.data[ir*av.rs:], av.rs, 1, rows, kcb, 1)
				ap = buf.aEdge
			}
			if rows == mr && cols == nr {
				kernel(kcb, ap, ars, aks, bp, bks, c[ir*ldc+jr:], ldc)
				continue
			}
			tile := buf.tile[:mr*nr]
			clear(tile)
			kernel(kcb, ap, ars, aks, bp, bks, tile, nr)
			for i := range rows {
				crow := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
				for j := range crow {
					crow[j] += tile[i*nr+j]
				}
			}
		}
	}
}

// kernelGo is the portable micro-kernel, with the assembly kernels'
// contract: C[6 x nr] += A * B, A's (i, p) at a[i*ars + p*aks], B's (p, j)
// at b[p*bks + j].
func kernelGo[T Float](k int, a []T, ars, aks int, b []T, bks int, c []T, ldc int) {
	nr := nrOf[T]()
	var acc [mr][16]T
	for p := range k {
		bp := b[p*bks : p*bks+nr]
		for i := range mr {
			av := a[i*ars+p*aks]
			row := acc[i][:nr]
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
