package report

import (
	"html/template"
	"io"
	"strings"

	"github.com/latentatlas/atlas/experiment"
)

var page = template.Must(template.New("index").Funcs(template.FuncMap{
	"md": func(s string) template.HTML { // the only Markdown used in cells: **bold**
		s = template.HTMLEscapeString(s)
		for strings.Contains(s, "**") {
			s = strings.Replace(s, "**", "<b>", 1)
			s = strings.Replace(s, "**", "</b>", 1)
		}
		return template.HTML(s)
	},
	"hasPrefix": strings.HasPrefix,
	// hasSetting says whether a plot belongs to a setting's section.
	"hasSetting": func(name, setting string) bool {
		return strings.HasSuffix(name, "-"+setting) || strings.Contains(name, "-"+setting+"-")
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>atlas experiment: {{.Res.Config.Dataset}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure.half { width: 47%; }
figcaption { font-size: 0.9em; color: #555; }
img { max-width: 100%; }
.facts li, .findings li { margin: 0.2em 0; }
</style></head><body>
<h1>atlas experiment: {{.Res.Config.Dataset}}</h1>
<p>Encoder {{.Res.Config.Model}}, {{.Res.Config.Epochs}} epoch(s), seeds {{.Res.Config.Seeds}}, atlas {{.Res.Version}}.
Routing: <i>oracle</i> sends each sample to the task models whose classes hold its label (the paper's);
<i>label-free</i> sends every sample to every task model and averages all of them.
Full numbers: <a href="results.json">results.json</a>; summary: <a href="summary.md">summary.md</a>.</p>
{{range .Sections}}{{$s := .Setting}}
<h2>{{.Setting}}</h2>
<ul class="facts">{{range .Facts}}<li>{{.}}</li>{{end}}</ul>
{{range .Tables}}<h3>{{.Title}}</h3>
<table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{md .}}</td>{{end}}</tr>
{{end}}</table>{{end}}
<h3>Findings</h3><ul class="findings">{{range .Findings}}<li>{{.}}</li>{{end}}</ul>
{{range $.Plots}}{{if hasSetting .Name $s}}<figure{{if hasPrefix .Name "pca-"}} class="half"{{end}}><img src="plots/{{.Name}}.svg" alt="{{.Caption}}"><figcaption>{{.Caption}}</figcaption></figure>{{end}}{{end}}
{{end}}
</body></html>
`))

// WriteHTML renders index.html.
func WriteHTML(w io.Writer, res *experiment.Results, plots []Plot) error {
	return page.Execute(w, map[string]any{"Res": res, "Sections": Sections(res), "Plots": plots})
}
