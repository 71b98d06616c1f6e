package report

// pageHTML is the report's page. Every section opens with a sentence or two
// for a reader who knows the biology but not the method.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
p.explain { color: #444; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
table.kv td { text-align: left; }
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0; } figcaption { font-size: .9rem; color: #555; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>

<h2>Dataset</h2>
<p class="explain">What the file holds: how many cells and genes survived filtering, which layers of counts and moments are stored, and the settings the velocities were estimated with.</p>
<table class="kv">
{{if .Source}}<tr><th>File</th><td>{{.Source}}</td></tr>{{end}}
<tr><th>Cells</th><td>{{.Summary.Cells}}</td></tr>
<tr><th>Genes</th><td>{{.Summary.Genes}}</td></tr>
<tr><th>Layers</th><td>{{range $i, $l := .Summary.Layers}}{{if $i}}, {{end}}{{$l}}{{end}}</td></tr>
{{if .Summary.Mode}}<tr><th>Model</th><td>{{.Summary.Mode}}</td></tr>{{end}}
{{if ge .Summary.VelocityGenes 0}}<tr><th>Velocity genes</th><td>{{.Summary.VelocityGenes}}</td></tr>{{end}}
{{range .Summary.Params}}<tr><th>velocity_params {{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}
</table>

<h2>Filtering and quality control</h2>
<p class="explain">Counts per cell before normalisation (total, spliced and unspliced) and the number of genes kept. Very low unspliced counts make velocities noisy; a cluster of cells with far fewer counts than the rest often marks damaged cells.</p>
{{if .Summary.QC}}<table>
<tr><th>Per-cell count</th><th>Median</th><th>Min</th><th>Max</th></tr>
{{range .Summary.QC}}<tr><td>{{.Key}}</td><td>{{num .Median}}</td><td>{{num .Min}}</td><td>{{num .Max}}</td></tr>
{{end}}</table>{{else}}<p>The file records no per-cell counts (obs initial_size, n_counts).</p>{{end}}
<table>
<tr><th>Genes kept</th><td>{{.Summary.Genes}}</td></tr>
{{if ge .Summary.HighlyVariable 0}}<tr><th>Highly variable genes</th><td>{{.Summary.HighlyVariable}}</td></tr>{{end}}
</table>

<h2>Velocity stream</h2>
<p class="explain">Each dot is a cell placed on the embedding{{if .ColorKey}} and coloured by {{.ColorKey}}{{end}}; the lines follow the velocities projected onto it and the arrows show where cells are heading. Thick lines mark fast, consistent change. Arrows only summarise the high-dimensional velocities: check that they agree with known biology before trusting a direction.</p>
<figure>{{.Stream.Img}}</figure>

{{if .Genes}}<h2>Phase portraits</h2>
<p class="explain">For one gene, each dot is a cell: spliced (mature) abundance on the x axis, unspliced (newly made) on the y axis. The line is the fitted steady state u = γ·s (plus an offset when one was fitted); cells above it are inducing the gene (positive velocity), cells below are repressing it. The fit uses only the cells at the extremes of the portrait, highlighted in the plot.</p>
<figure>{{.Phase.Img}}</figure>

<h2>Fitted genes</h2>
<p class="explain">γ is the steady-state ratio of unspliced to spliced abundance (degradation relative to splicing); r² says how well the line fits the extreme cells. The {{if .CILevel}}{{.CILevel}} {{end}}interval comes from least-squares theory on the fitted extreme cells and assumes the cells are independent. Neighbour smoothing (the Ms and Mu moments) makes neighbouring cells correlated, so the interval is optimistic: read it as a lower bound on the uncertainty of γ, not as a guarantee, and it says nothing about whether the steady-state model fits the gene at all.</p>
<table>
<tr><th>Gene</th><th>γ</th><th>SE</th><th>CI low</th><th>CI high</th><th>r²</th><th>Velocity gene</th></tr>
{{range .Genes}}<tr><td>{{.Gene}}</td><td>{{num .Gamma}}</td><td>{{num .SE}}</td><td>{{num .CILow}}</td><td>{{num .CIHigh}}</td><td>{{num .R2}}</td><td>{{if .VelocityGene}}yes{{else}}no{{end}}</td></tr>
{{end}}</table>{{end}}

{{if .Scatters}}<h2>Confidence and pseudotime</h2>
<p class="explain">velocity_confidence is how well a cell's velocity agrees with its neighbours' (near 1: coherent flow; low: noisy or conflicting velocities). velocity_pseudotime orders cells along the flow from the inferred starting cells (0) to the end points (1); it is only as reliable as the stream above.</p>
{{range .Scatters}}<figure>{{.Img}}<figcaption>{{.Caption}} on the embedding</figcaption></figure>
{{end}}{{end}}

{{with .Scores}}<h2>Direction scores</h2>
<p class="explain">CBDir (cross-boundary direction correctness) measures, for each expected transition A → B, whether cells of A at the border with B point towards B: +1 straight towards B, 0 sideways, −1 away. ICCoh (in-cluster coherence) is the mean cosine between the velocities of neighbouring cells in the same cluster: near 1 means a consistent flow within the cluster.</p>
<table>
<tr><th>Transition</th><th>CBDir</th></tr>
{{range .Edges}}<tr><td>{{.From}} → {{.To}}</td><td>{{num .CBDir}}</td></tr>
{{end}}<tr><th>Mean</th><th>{{num .CBDirMean}}</th></tr>
</table>
<table>
<tr><th>Cluster</th><th>ICCoh</th></tr>
{{range .Clusters}}<tr><td>{{.Cluster}}</td><td>{{num .ICCoh}}</td></tr>
{{end}}<tr><th>Mean</th><th>{{num .ICCohMean}}</th></tr>
</table>{{end}}
</body>
</html>
`
