package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/latentatlas/atlas/experiment"
)

// palette is a colour-blind-friendly set (Okabe and Ito) extended to 10.
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255}, {86, 180, 233, 255},
	{213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255}, {153, 153, 153, 255}, {117, 112, 179, 255},
}

// Plot is one figure written as SVG and PNG.
type Plot struct {
	Name    string // file name without extension, under plots/
	Caption string
}

// WritePlots draws every figure under dir/plots and returns them.
func WritePlots(res *experiment.Results, dir string) ([]Plot, error) {
	var out []Plot
	for _, sec := range Sections(res) {
		setting := sec.Setting
		sum := res.Summary[setting]
		pts := res.Spaces[setting]
		for _, space := range []string{"original_rel", "merged"} {
			if len(pts[space]) == 0 {
				continue
			}
			title := map[string]string{"original_rel": "end-to-end model (relative)", "merged": "atlas (merged, oracle routing)"}[space]
			p := Plot{Name: fmt.Sprintf("pca-%s-%s", setting, space), Caption: fmt.Sprintf("%s: PCA of the %s test space, coloured by class", setting, title)}
			if err := save(scatter(pts[space], setting+": "+title), dir, p.Name, 5, 5); err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		var names []string
		var vals []float64
		var errs [][2]float64
		for _, row := range spaceRows {
			if s, ok := sum[row.path+".total_acc"]; ok {
				names = append(names, shortName(row.path))
				vals = append(vals, 100*s.Mean)
				errs = append(errs, uncertainty(sum, row.path+".total_acc", 100))
			}
		}
		p := Plot{Name: "accuracy-" + setting, Caption: setting + ": probe accuracy (%) per space; whiskers: 95% bootstrap interval (one seed) or ± std over seeds"}
		if err := save(bars(names, vals, errs, setting+": probe accuracy (%)"), dir, p.Name, 9, 4); err != nil {
			return nil, err
		}
		out = append(out, p)
		names, vals, errs = nil, nil, nil
		for _, routing := range []string{"oracle", "all"} {
			for _, row := range ckaRows {
				path := "routing." + routing + ".cka." + row.key
				if s, ok := sum[path]; ok {
					names = append(names, ckaShort[row.key]+"\n"+map[string]string{"oracle": "oracle", "all": "label-free"}[routing])
					vals = append(vals, s.Mean)
					errs = append(errs, uncertainty(sum, path, 1))
				}
			}
		}
		p = Plot{Name: "cka-" + setting, Caption: setting + ": linear CKA per pair and routing (atlas-rel: atlas vs original_rel; atlas-abs: vs original_abs; naive-abs: naive mean vs original_abs; shared / non-shared: atlas-rel on those classes)"}
		if err := save(bars(names, vals, errs, setting+": linear CKA"), dir, p.Name, 9, 4); err != nil {
			return nil, err
		}
		out = append(out, p)
		names, vals, errs = nil, nil, nil
		for _, row := range sepRows {
			if s, ok := sum[row.path]; ok {
				names = append(names, shortName(row.path))
				vals = append(vals, s.Mean)
			}
		}
		p = Plot{Name: "separability-" + setting, Caption: setting + ": separability per space"}
		if err := save(bars(names, vals, nil, setting+": separability"), dir, p.Name, 9, 4); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// shortName turns a metric path into a bar label: the space, and the
// routing when it has one ("routing.all.classification.merged" ->
// "merged\nlabel-free").
func shortName(path string) string {
	parts := strings.Split(path, ".")
	space := parts[len(parts)-1]
	if short, ok := map[string]string{"task_onehot_abs": "task\none-hot", "task_embed_abs": "task\nembedding"}[space]; ok {
		return short
	}
	if parts[0] == "routing" {
		return space + "\n" + map[string]string{"oracle": "oracle", "all": "label-free"}[parts[1]]
	}
	return space
}

func scatter(pts []experiment.Point, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "PC 1"
	p.Y.Label.Text = "PC 2"
	byLabel := map[int]plotter.XYs{}
	maxLabel := 0
	for _, pt := range pts {
		byLabel[pt.Label] = append(byLabel[pt.Label], plotter.XY{X: pt.X, Y: pt.Y})
		maxLabel = max(maxLabel, pt.Label)
	}
	for l := 0; l <= maxLabel; l++ {
		xy, ok := byLabel[l]
		if !ok {
			continue
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			continue
		}
		s.GlyphStyle.Color = palette[l%len(palette)]
		s.GlyphStyle.Radius = vg.Points(1.5)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(s)
		p.Legend.Add(fmt.Sprint(l), s)
	}
	p.Legend.Top = true
	return p
}

// ckaShort are bar labels for the CKA pairs (ckaRows has the full names).
var ckaShort = map[string]string{
	"cka_orig_aggr_rel_rel": "atlas-rel", "cka_shared": "shared", "cka_non_shared": "non-shared",
	"cka_orig_aggr_abs_rel": "atlas-abs", "cka_naive_mean_abs": "naive-abs",
}

// uncertainty returns how far below and above the mean a whisker goes:
// the bootstrap interval with one seed, the std with several, none when
// neither is known. scale converts to the plotted unit.
func uncertainty(sum map[string]experiment.Stat, path string, scale float64) [2]float64 {
	s := sum[path]
	if s.N > 1 {
		return [2]float64{s.Std * scale, s.Std * scale}
	}
	ci := strings.TrimSuffix(path, ".total_acc") + ".total_acc_ci95"
	if strings.Contains(path, ".cka.") {
		ci = strings.Replace(path, ".cka.", ".cka_ci95.", 1)
	}
	lo, okLo := sum[ci+".lo"]
	hi, okHi := sum[ci+".hi"]
	if !okLo || !okHi {
		return [2]float64{}
	}
	return [2]float64{(s.Mean - lo.Mean) * scale, (hi.Mean - s.Mean) * scale}
}

// errorBars adapts values and whiskers to plotter.YErrorBars.
type errorBars struct {
	vals []float64
	errs [][2]float64
}

func (e errorBars) Len() int                    { return len(e.vals) }
func (e errorBars) XY(i int) (float64, float64) { return float64(i), e.vals[i] }
func (e errorBars) YError(i int) (float64, float64) {
	return e.errs[i][0], e.errs[i][1]
}

// bars draws one bar per value, with whiskers when errs is given; bars of
// the atlas ("merged") stand out. The value axis starts below the
// smallest bar rather than at 0, so that differences of a point show;
// its tick labels say where it starts.
func bars(names []string, vals []float64, errs [][2]float64, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	for i, v := range vals {
		b, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(18))
		if err != nil {
			continue
		}
		b.XMin = float64(i)
		b.Color = palette[8]
		if strings.HasPrefix(names[i], "merged") || strings.HasPrefix(names[i], "atlas") {
			b.Color = palette[0]
		}
		b.LineStyle.Width = 0
		p.Add(b)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range vals {
		var e [2]float64
		if errs != nil {
			e = errs[i]
		}
		lo, hi = math.Min(lo, v-e[0]), math.Max(hi, v+e[1])
	}
	if errs != nil {
		if eb, err := plotter.NewYErrorBars(errorBars{vals, errs}); err == nil {
			eb.CapWidth = vg.Points(8)
			p.Add(eb)
		}
	}
	p.NominalX(names...)
	if len(vals) > 0 {
		span := math.Max(hi-lo, 1e-9)
		p.Y.Min = math.Max(0, lo-0.5*span)
		p.Y.Max = hi + 0.1*span
	}
	return p
}

func save(p *plot.Plot, dir, name string, w, h float64) error {
	for _, ext := range []string{".svg", ".png"} {
		if err := p.Save(vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch, filepath.Join(dir, "plots", name+ext)); err != nil {
			return err
		}
	}
	return nil
}
