package nn

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/latentatlas/atlas/internal/gemm"
)

// Linear is y = x W^T + b, with W of shape (out, in) as in PyTorch.
type Linear struct {
	In, Out int
	W, B    *Param
	x       *Tensor
}

// NewLinear returns a Linear layer with zero weights; Init fills them.
func NewLinear(name string, in, out int) *Linear {
	return &Linear{In: in, Out: out, W: newParam(name+".weight", out, in), B: newParam(name+".bias", out)}
}

func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

func (l *Linear) OutShape(in []int) ([]int, error) {
	if prod(in) != l.In {
		return nil, shapeErr("linear", in, fmt.Sprintf("%d features", l.In))
	}
	return []int{l.Out}, nil
}

func (l *Linear) Forward(x *Tensor, train bool) *Tensor {
	n := x.Rows()
	y := NewTensor(n, l.Out)
	gemm.Sgemm(false, true, n, l.Out, l.In, 1, x.Data, l.In, l.W.Value, l.In, 0, y.Data, l.Out)
	for i := range n {
		row := y.Data[i*l.Out : (i+1)*l.Out]
		for j, b := range l.B.Value {
			row[j] += b
		}
	}
	if train {
		l.x = x
	}
	return y
}

func (l *Linear) Backward(dy *Tensor, needDX bool) *Tensor {
	n := dy.Rows()
	gemm.Sgemm(true, false, l.Out, l.In, n, 1, dy.Data, l.Out, l.x.Data, l.In, 1, l.W.Grad, l.In)
	for i := range n {
		for j, g := range dy.Data[i*l.Out : (i+1)*l.Out] {
			l.B.Grad[j] += g
		}
	}
	if !needDX {
		return nil
	}
	dx := &Tensor{Shape: l.x.Shape, Data: make([]float32, len(l.x.Data))}
	gemm.Sgemm(false, false, n, l.In, l.Out, 1, dy.Data, l.Out, l.W.Value, l.In, 0, dx.Data, l.In)
	return dx
}

// Conv2D is a 2-D convolution over NCHW input, computed per image as a
// GEMM of the weights (outC x inC*kh*kw) with the image's im2col matrix.
type Conv2D struct {
	InC, OutC, KH, KW, Stride, Pad int
	W, B                           *Param

	inShape      []int
	oh, ow       int
	cols         []float32   // per image: K x OH*OW, kept for backward
	partW, partB [][]float32 // per chunk: dW^T (K x outC) and db
}

// NewConv2D returns a convolution with square kernel k, zero weights.
func NewConv2D(name string, inC, outC, k, stride, pad int) *Conv2D {
	return &Conv2D{InC: inC, OutC: outC, KH: k, KW: k, Stride: stride, Pad: pad,
		W: newParam(name+".weight", outC, inC, k, k), B: newParam(name+".bias", outC)}
}

func (c *Conv2D) Params() []*Param { return []*Param{c.W, c.B} }

func (c *Conv2D) OutShape(in []int) ([]int, error) {
	if len(in) != 3 || in[0] != c.InC {
		return nil, shapeErr("conv2d", in, fmt.Sprintf("(%d, H, W)", c.InC))
	}
	oh := (in[1]+2*c.Pad-c.KH)/c.Stride + 1
	ow := (in[2]+2*c.Pad-c.KW)/c.Stride + 1
	if oh <= 0 || ow <= 0 {
		return nil, shapeErr("conv2d", in, "an image larger than the kernel")
	}
	return []int{c.OutC, oh, ow}, nil
}

// imageChunk is the number of images per parallel work unit. It is fixed,
// not derived from the number of CPUs, so gradient sums are reduced in the
// same order on every machine.
const imageChunk = 8

func (c *Conv2D) Forward(x *Tensor, train bool) *Tensor {
	n, h, w := x.Shape[0], x.Shape[2], x.Shape[3]
	os, _ := c.OutShape(x.Shape[1:])
	c.oh, c.ow = os[1], os[2]
	ohw := c.oh * c.ow
	k := c.InC * c.KH * c.KW
	y := NewTensor(n, c.OutC, c.oh, c.ow)
	if train {
		c.inShape = x.Shape
		c.cols = growF(c.cols, n*k*ohw)
	}
	inLen := c.InC * h * w
	forEachChunk(n, imageChunk, func(_, lo, hi int) {
		var scratch []float32
		if !train {
			scratch = make([]float32, k*ohw)
		}
		for i := lo; i < hi; i++ {
			col := scratch
			if train {
				col = c.cols[i*k*ohw : (i+1)*k*ohw]
			}
			c.im2col(x.Data[i*inLen:(i+1)*inLen], h, w, col)
			out := y.Data[i*c.OutC*ohw : (i+1)*c.OutC*ohw]
			gemm.Sgemm(false, false, c.OutC, ohw, k, 1, c.W.Value, k, col, ohw, 0, out, ohw)
			for o, b := range c.B.Value {
				row := out[o*ohw : (o+1)*ohw]
				for j := range row {
					row[j] += b
				}
			}
		}
	})
	return y
}

func (c *Conv2D) Backward(dy *Tensor, needDX bool) *Tensor {
	n, h, w := c.inShape[0], c.inShape[2], c.inShape[3]
	ohw := c.oh * c.ow
	k := c.InC * c.KH * c.KW
	chunks := (n + imageChunk - 1) / imageChunk
	for len(c.partW) < chunks {
		c.partW = append(c.partW, make([]float32, c.OutC*k))
		c.partB = append(c.partB, make([]float32, c.OutC))
	}
	var dx *Tensor
	if needDX {
		dx = NewTensor(c.inShape...)
	}
	inLen := c.InC * h * w
	forEachChunk(n, imageChunk, func(ci, lo, hi int) {
		pw, pb := c.partW[ci], c.partB[ci]
		clear(pw)
		clear(pb)
		var dcol []float32
		if needDX {
			dcol = make([]float32, k*ohw)
		}
		for i := lo; i < hi; i++ {
			col := c.cols[i*k*ohw : (i+1)*k*ohw]
			g := dy.Data[i*c.OutC*ohw : (i+1)*c.OutC*ohw]
			// dW^T (k x outC) += col * g^T: the large operand, col, is then
			// packed row by row instead of transposed (a strided copy).
			gemm.Sgemm(false, true, k, c.OutC, ohw, 1, col, ohw, g, ohw, 1, pw, c.OutC)
			for o := range c.OutC {
				var s float32
				for _, v := range g[o*ohw : (o+1)*ohw] {
					s += v
				}
				pb[o] += s
			}
			if needDX {
				gemm.Sgemm(true, false, k, ohw, c.OutC, 1, c.W.Value, k, g, ohw, 0, dcol, ohw)
				c.col2im(dcol, h, w, dx.Data[i*inLen:(i+1)*inLen])
			}
		}
	})
	for ci := range chunks {
		pw := c.partW[ci]
		for o := range c.OutC {
			grad := c.W.Grad[o*k : (o+1)*k]
			for j := range grad {
				grad[j] += pw[j*c.OutC+o]
			}
		}
		addTo(c.B.Grad, c.partB[ci])
	}
	return dx
}

// im2col writes the K x OH*OW patch matrix of one CHW image: row
// (ch*KH+ky)*KW+kx holds input pixel (ch, oy*S-P+ky, ox*S-P+kx) for every
// output position, zero where that falls in the padding.
func (c *Conv2D) im2col(img []float32, h, w int, col []float32) {
	ohw := c.oh * c.ow
	for ch := range c.InC {
		plane := img[ch*h*w : (ch+1)*h*w]
		for ky := range c.KH {
			for kx := range c.KW {
				row := col[((ch*c.KH+ky)*c.KW+kx)*ohw:][:ohw]
				for oy := range c.oh {
					dst := row[oy*c.ow : (oy+1)*c.ow]
					iy := oy*c.Stride - c.Pad + ky
					if iy < 0 || iy >= h {
						clear(dst)
						continue
					}
					src := plane[iy*w : (iy+1)*w]
					if c.Stride == 1 {
						// Valid ox: 0 <= ox - P + kx < w.
						lo := max(0, c.Pad-kx)
						hi := min(c.ow, w+c.Pad-kx)
						hi = max(hi, lo)
						for j := range dst[:lo] {
							dst[j] = 0
						}
						// Element loops, not copy: rows are 7 to 28 values,
						// too short for copy's call to pay off.
						in, out := src[lo-c.Pad+kx:hi-c.Pad+kx], dst[lo:hi]
						for j := range out {
							out[j] = in[j]
						}
						for j := range dst[hi:] {
							dst[hi+j] = 0
						}
						continue
					}
					for ox := range dst {
						ix := ox*c.Stride - c.Pad + kx
						if ix < 0 || ix >= w {
							dst[ox] = 0
						} else {
							dst[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

// col2im adds a patch-matrix gradient back onto the image gradient.
func (c *Conv2D) col2im(col []float32, h, w int, img []float32) {
	ohw := c.oh * c.ow
	for ch := range c.InC {
		plane := img[ch*h*w : (ch+1)*h*w]
		for ky := range c.KH {
			for kx := range c.KW {
				row := col[((ch*c.KH+ky)*c.KW+kx)*ohw:][:ohw]
				for oy := range c.oh {
					iy := oy*c.Stride - c.Pad + ky
					if iy < 0 || iy >= h {
						continue
					}
					src := row[oy*c.ow : (oy+1)*c.ow]
					dst := plane[iy*w : (iy+1)*w]
					if c.Stride == 1 {
						lo := max(0, c.Pad-kx)
						hi := min(c.ow, w+c.Pad-kx)
						if hi > lo {
							addTo(dst[lo-c.Pad+kx:hi-c.Pad+kx], src[lo:hi])
						}
						continue
					}
					for ox, g := range src {
						ix := ox*c.Stride - c.Pad + kx
						if ix >= 0 && ix < w {
							dst[ix] += g
						}
					}
				}
			}
		}
	}
}

// MaxPool2D takes the maximum over k x k windows with the given stride
// (no padding; output size rounds down, as in PyTorch).
type MaxPool2D struct {
	K, Stride int
	inShape   []int
	argmax    []int32
}

func NewMaxPool2D(k, stride int) *MaxPool2D { return &MaxPool2D{K: k, Stride: stride} }

func (m *MaxPool2D) Params() []*Param { return nil }

func (m *MaxPool2D) OutShape(in []int) ([]int, error) {
	if len(in) != 3 || in[1] < m.K || in[2] < m.K {
		return nil, shapeErr("maxpool2d", in, fmt.Sprintf("(C, H, W) with H, W >= %d", m.K))
	}
	return []int{in[0], (in[1]-m.K)/m.Stride + 1, (in[2]-m.K)/m.Stride + 1}, nil
}

func (m *MaxPool2D) Forward(x *Tensor, train bool) *Tensor {
	n, ch, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow := (h-m.K)/m.Stride+1, (w-m.K)/m.Stride+1
	y := NewTensor(n, ch, oh, ow)
	if train {
		m.inShape = x.Shape
		if cap(m.argmax) < len(y.Data) {
			m.argmax = make([]int32, len(y.Data))
		}
		m.argmax = m.argmax[:len(y.Data)]
	}
	if m.K == 2 && m.Stride == 2 {
		m.forward2x2(x.Data, y.Data, n*ch, h, w, oh, ow, train)
		return y
	}
	for p := range n * ch {
		plane := x.Data[p*h*w : (p+1)*h*w]
		for oy := range oh {
			for ox := range ow {
				best, at := float32(math.Inf(-1)), 0
				for ky := range m.K {
					r := (oy*m.Stride + ky) * w
					for kx := range m.K {
						if v := plane[r+ox*m.Stride+kx]; v > best {
							best, at = v, r+ox*m.Stride+kx
						}
					}
				}
				o := (p*oh+oy)*ow + ox
				y.Data[o] = best
				if train {
					m.argmax[o] = int32(p*h*w + at)
				}
			}
		}
	}
	return y
}

// forward2x2 is the common 2x2, stride 2 case, with the window's two rows
// read as slices. Ties go to the first maximum, as in the general case.
func (m *MaxPool2D) forward2x2(x, y []float32, planes, h, w, oh, ow int, train bool) {
	for p := range planes {
		base := p * h * w
		for oy := range oh {
			r0 := x[base+2*oy*w : base+2*oy*w+2*ow]
			r1 := x[base+(2*oy+1)*w : base+(2*oy+1)*w+2*ow]
			out := y[(p*oh+oy)*ow : (p*oh+oy+1)*ow]
			for ox := range out {
				best, at := r0[2*ox], 2*ox
				if v := r0[2*ox+1]; v > best {
					best, at = v, 2*ox+1
				}
				if v := r1[2*ox]; v > best {
					best, at = v, w+2*ox
				}
				if v := r1[2*ox+1]; v > best {
					best, at = v, w+2*ox+1
				}
				out[ox] = best
				if train {
					m.argmax[(p*oh+oy)*ow+ox] = int32(base + 2*oy*w + at)
				}
			}
		}
	}
}

func (m *MaxPool2D) Backward(dy *Tensor, needDX bool) *Tensor {
	dx := NewTensor(m.inShape...)
	for o, g := range dy.Data {
		dx.Data[m.argmax[o]] += g
	}
	return dx
}

// SiLU is x * sigmoid(x) (the paper's CNN activation).
type SiLU struct{ x, s []float32 }

func (a *SiLU) Params() []*Param                 { return nil }
func (a *SiLU) OutShape(in []int) ([]int, error) { return in, nil }

func (a *SiLU) Forward(x *Tensor, train bool) *Tensor {
	y := &Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	// y is first used as scratch for sigmoid(x) when not training.
	s := y.Data
	if train {
		a.x = x.Data
		a.s = growF(a.s, len(x.Data))
		s = a.s
	}
	sigmoidSlice(s, x.Data)
	for i, v := range x.Data {
		y.Data[i] = v * s[i]
	}
	return y
}

// sigmoidSlice sets dst[i] = 1 / (1 + exp(-src[i])), vectorised.
func sigmoidSlice(dst, src []float32) {
	for i, v := range src {
		dst[i] = -v
	}
	expSlice(dst, dst)
	for i, e := range dst {
		dst[i] = 1 / (1 + e)
	}
}

func (a *SiLU) Backward(dy *Tensor, needDX bool) *Tensor {
	dx := &Tensor{Shape: dy.Shape, Data: make([]float32, len(dy.Data))}
	for i, g := range dy.Data {
		s := a.s[i]
		dx.Data[i] = g * s * (1 + a.x[i]*(1-s))
	}
	return dx
}

// ReLU is max(x, 0).
type ReLU struct{ x []float32 }

func (a *ReLU) Params() []*Param                 { return nil }
func (a *ReLU) OutShape(in []int) ([]int, error) { return in, nil }

func (a *ReLU) Forward(x *Tensor, train bool) *Tensor {
	y := &Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	for i, v := range x.Data {
		y.Data[i] = max(v, 0)
	}
	if train {
		a.x = x.Data
	}
	return y
}

func (a *ReLU) Backward(dy *Tensor, needDX bool) *Tensor {
	dx := &Tensor{Shape: dy.Shape, Data: make([]float32, len(dy.Data))}
	for i, g := range dy.Data {
		if a.x[i] > 0 {
			dx.Data[i] = g
		}
	}
	return dx
}

// Sigmoid is 1 / (1 + exp(-x)) (between the paper CNN's embedding and
// its classification head).
type Sigmoid struct{ y []float32 }

func (a *Sigmoid) Params() []*Param                 { return nil }
func (a *Sigmoid) OutShape(in []int) ([]int, error) { return in, nil }

func (a *Sigmoid) Forward(x *Tensor, train bool) *Tensor {
	y := &Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	sigmoidSlice(y.Data, x.Data)
	if train {
		a.y = y.Data
	}
	return y
}

func (a *Sigmoid) Backward(dy *Tensor, needDX bool) *Tensor {
	dx := &Tensor{Shape: dy.Shape, Data: make([]float32, len(dy.Data))}
	for i, g := range dy.Data {
		dx.Data[i] = g * a.y[i] * (1 - a.y[i])
	}
	return dx
}

// Flatten reshapes (N, ...) to (N, prod(...)).
type Flatten struct{ inShape []int }

func (f *Flatten) Params() []*Param                 { return nil }
func (f *Flatten) OutShape(in []int) ([]int, error) { return []int{prod(in)}, nil }

func (f *Flatten) Forward(x *Tensor, train bool) *Tensor {
	if train {
		f.inShape = x.Shape
	}
	return &Tensor{Shape: []int{x.Shape[0], x.RowLen()}, Data: x.Data}
}

func (f *Flatten) Backward(dy *Tensor, needDX bool) *Tensor {
	return &Tensor{Shape: f.inShape, Data: dy.Data}
}

func prod(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}

func growF(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forEachChunk calls fn(chunk, lo, hi) for [0, n) cut into pieces of size
// chunk, on up to GOMAXPROCS goroutines. Which goroutine runs a chunk does
// not affect results: callers keep per-chunk partial sums and reduce them
// in chunk order.
func forEachChunk(n, chunk int, fn func(ci, lo, hi int)) {
	chunks := (n + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for ci := range chunks {
			fn(ci, ci*chunk, min(n, (ci+1)*chunk))
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for ci := range chunks {
		next <- ci
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for ci := range next {
				fn(ci, ci*chunk, min(n, (ci+1)*chunk))
			}
		})
	}
	wg.Wait()
}
