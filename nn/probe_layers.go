package nn

import "math"

// RowNorm standardises each row over its features: (x - mean) /
// sqrt(var + eps) with the biased variance and eps 1e-5, no learned
// parameters. This is what the paper's probe gets from PyTorch 1.13's
// InstanceNorm1d on 2-D input (paper-spec 5.2 and 7.7): LayerNorm without
// affine parameters, not batch norm.
type RowNorm struct {
	xhat   []float32
	invStd []float32
	d      int
}

const rowNormEps = 1e-5

func (r *RowNorm) Params() []*Param                 { return nil }
func (r *RowNorm) OutShape(in []int) ([]int, error) { return in, nil }

func (r *RowNorm) Forward(x *Tensor, train bool) *Tensor {
	n, d := x.Rows(), x.RowLen()
	y := &Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	if train {
		r.d = d
		r.xhat = y.Data
		r.invStd = growF(r.invStd, n)
	}
	for i := range n {
		row := x.Data[i*d : (i+1)*d]
		var mean float64
		for _, v := range row {
			mean += float64(v)
		}
		mean /= float64(d)
		var variance float64
		for _, v := range row {
			dv := float64(v) - mean
			variance += dv * dv
		}
		inv := 1 / math.Sqrt(variance/float64(d)+rowNormEps)
		out := y.Data[i*d : (i+1)*d]
		for j, v := range row {
			out[j] = float32((float64(v) - mean) * inv)
		}
		if train {
			r.invStd[i] = float32(inv)
		}
	}
	return y
}

// Backward: dx = inv/d * (d*g - sum(g) - xhat*sum(g*xhat)), per row.
func (r *RowNorm) Backward(dy *Tensor, needDX bool) *Tensor {
	if !needDX {
		return nil
	}
	n, d := dy.Rows(), r.d
	dx := &Tensor{Shape: dy.Shape, Data: make([]float32, len(dy.Data))}
	for i := range n {
		g := dy.Data[i*d : (i+1)*d]
		xh := r.xhat[i*d : (i+1)*d]
		var sg, sgx float64
		for j, v := range g {
			sg += float64(v)
			sgx += float64(v) * float64(xh[j])
		}
		inv := float64(r.invStd[i]) / float64(d)
		out := dx.Data[i*d : (i+1)*d]
		for j, v := range g {
			out[j] = float32(inv * (float64(d)*float64(v) - sg - float64(xh[j])*sgx))
		}
	}
	return dx
}

// TaskEmbed reads rows [x (Dim values), one-hot task (Tasks values)] and
// outputs [x, E[task]]: a learned Width-dimensional embedding of the task,
// the paper's task_embed_abs baseline (paper-spec 1.5).
type TaskEmbed struct {
	Dim, Tasks, Width int
	E                 *Param // Tasks x Width
	task              []int
}

// NewTaskEmbed returns a task embedding initialised N(0, 1), as
// torch.nn.Embedding is.
func NewTaskEmbed(dim, tasks, width int) *TaskEmbed {
	return &TaskEmbed{Dim: dim, Tasks: tasks, Width: width, E: newParam("task_embed.weight", tasks, width)}
}

func (t *TaskEmbed) Params() []*Param { return []*Param{t.E} }

func (t *TaskEmbed) OutShape(in []int) ([]int, error) {
	if prod(in) != t.Dim+t.Tasks {
		return nil, shapeErr("task embedding", in, "features plus a one-hot task")
	}
	return []int{t.Dim + t.Width}, nil
}

func (t *TaskEmbed) Forward(x *Tensor, train bool) *Tensor {
	n, in := x.Rows(), t.Dim+t.Tasks
	out := t.Dim + t.Width
	y := NewTensor(n, out)
	if train {
		t.task = make([]int, n)
	}
	for i := range n {
		row := x.Data[i*in : (i+1)*in]
		copy(y.Data[i*out:], row[:t.Dim])
		task := 0
		for k, v := range row[t.Dim:] {
			if v > row[t.Dim+task] {
				task = k
			}
		}
		copy(y.Data[i*out+t.Dim:(i+1)*out], t.E.Value[task*t.Width:(task+1)*t.Width])
		if train {
			t.task[i] = task
		}
	}
	return y
}

func (t *TaskEmbed) Backward(dy *Tensor, needDX bool) *Tensor {
	out := t.Dim + t.Width
	for i, task := range t.task {
		addTo(t.E.Grad[task*t.Width:(task+1)*t.Width], dy.Data[i*out+t.Dim:(i+1)*out])
	}
	if !needDX {
		return nil
	}
	in := t.Dim + t.Tasks
	dx := NewTensor(dy.Rows(), in)
	for i := range t.task {
		copy(dx.Data[i*in:i*in+t.Dim], dy.Data[i*out:i*out+t.Dim])
	}
	return dx
}
