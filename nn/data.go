package nn

// Data is what training and embedding read: samples with a per-sample
// input shape and a class index (0..classes-1, the model's output order).
type Data interface {
	Len() int
	// Fill writes the normalised inputs of the given samples, one after
	// another, into dst (len(rows) * prod(InShape) values).
	Fill(rows []int, dst []float32)
	// Class is the class index of sample i.
	Class(i int) int
}

// batch gathers rows into an input tensor and their class indices.
func batch(d Data, rows []int, inShape []int, x *Tensor, y []int) (*Tensor, []int) {
	per := prod(inShape)
	shape := append([]int{len(rows)}, inShape...)
	if x == nil || cap(x.Data) < len(rows)*per {
		x = &Tensor{Data: make([]float32, len(rows)*per)}
	}
	x.Shape = shape
	x.Data = x.Data[:len(rows)*per]
	d.Fill(rows, x.Data)
	y = y[:0]
	for _, r := range rows {
		y = append(y, d.Class(r))
	}
	return x, y
}

// Embed returns the embeddings (Len() x EmbedDim) of every sample, in
// order, computed in eval mode in batches of batchSize.
func (m *Model) Embed(d Data, batchSize int) []float32 {
	out, _ := m.run(d, batchSize, true)
	return out
}

// Predict returns the predicted class index of every sample.
func (m *Model) Predict(d Data, batchSize int) []int {
	_, pred := m.run(d, batchSize, false)
	return pred
}

func (m *Model) run(d Data, batchSize int, wantEmb bool) ([]float32, []int) {
	n := d.Len()
	var emb []float32
	if wantEmb {
		emb = make([]float32, 0, n*m.Spec.EmbedDim)
	}
	var pred []int
	var x *Tensor
	var y []int
	rows := make([]int, 0, batchSize)
	for lo := 0; lo < n; lo += batchSize {
		rows = rows[:0]
		for i := lo; i < min(n, lo+batchSize); i++ {
			rows = append(rows, i)
		}
		x, y = batch(d, rows, m.Spec.InShape, x, y)
		if wantEmb {
			emb = append(emb, m.Encoder.Forward(x, false).Data...)
			continue
		}
		_, logits := m.Forward(x, false)
		pred = append(pred, argmaxRows(logits)...)
	}
	return emb, pred
}

func argmaxRows(t *Tensor) []int {
	c := t.RowLen()
	out := make([]int, t.Rows())
	for i := range out {
		row := t.Data[i*c : (i+1)*c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out
}
