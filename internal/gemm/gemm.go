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
	a, b         []float32 // packed blocks
	aEdge, bEdge []float32 // one packed panel, for edge tiles of unpacked operands
	tile         [mr * nr]float32
}

// When to pack. A packed panel is re-read once per tile it meets, so
// packing pays when an operand is re-used many times: A across the n/16
// panels of B, B across the m/6 panels of A. Thin products (a conv layer's
// 32 output channels, say) read their big operand in place; the kernel
// takes strides. Transposed operands and alpha != 1 are always packed.
const (
	packAMinN = 64
	packBMinM = 48
)

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
	packA := transA || alpha != 1 || n >= packAMinN
	packB := transB || m >= packBMinM
	buf := bufPool.Get().(*buffers)
	defer bufPool.Put(buf)
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			bv := view{data: b[pc*brs+jc*bcs:], rs: brs, cs: bcs, packed: packB}
			if packB {
				buf.b = grow(buf.b, (ncb+nr-1)/nr*nr*kcb)
				packBBlock(buf.b, bv.data, brs, bcs, kcb, ncb)
				bv.data = buf.b
			}
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				av := view{data: a[ic*ars+pc*acs:], rs: ars, cs: acs, packed: packA}
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
type view struct {
	data   []float32
	rs, cs int
	packed bool
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// packABlock copies an mcb x kcb block of op(A), scaled by alpha, into
// panels of mr rows: panel r holds, for each p, the mr values
// A[r*mr..r*mr+mr-1][p]. Rows past mcb are zero.
func packABlock(dst, a []float32, rs, cs, mcb, kcb int, alpha float32) {
	for r := 0; r*mr < mcb; r++ {
		packAPanel(dst[r*mr*kcb:(r+1)*mr*kcb], a[r*mr*rs:], rs, cs, min(mr, mcb-r*mr), kcb, alpha)
	}
}

func packAPanel(panel, a []float32, rs, cs, rows, kcb int, alpha float32) {
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
func packBBlock(dst, b []float32, rs, cs, kcb, ncb int) {
	for q := 0; q*nr < ncb; q++ {
		packBPanel(dst[q*nr*kcb:(q+1)*nr*kcb], b[q*nr*cs:], rs, cs, kcb, min(nr, ncb-q*nr))
	}
}

func packBPanel(panel, b []float32, rs, cs, kcb, cols int) {
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
func macroKernel(buf *buffers, av, bv view, mcb, ncb, kcb int, c []float32, ldc int) {
	for jr := 0; jr < ncb; jr += nr {
		cols := min(nr, ncb-jr)
		var bp []float32
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
			var ap []float32
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
			clear(buf.tile[:])
			kernel(kcb, ap, ars, aks, bp, bks, buf.tile[:], nr)
			for i := range rows {
				crow := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
				for j := range crow {
					crow[j] += buf.tile[i*nr+j]
				}
			}
		}
	}
}

// kernelGo is the portable micro-kernel, with kernel6x16's contract:
// C[6x16] += A * B, A's (i, p) at a[i*ars + p*aks], B's (p, j) at
// b[p*bks + j].
func kernelGo(k int, a []float32, ars, aks int, b []float32, bks int, c []float32, ldc int) {
	var acc [mr][nr]float32
	for p := range k {
		bp := b[p*bks : p*bks+nr]
		for i := range mr {
			av := a[i*ars+p*aks]
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
