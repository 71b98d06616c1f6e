package plot

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/array"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EmbeddingOptions style the figures drawn over a 2-D embedding (Scatter,
// Stream and Grid). The zero value is a 6 × 5 inch figure at 150 dpi titled
// by the colouring's key.
type EmbeddingOptions struct {
	Size Size
	// Title heads the figure; "" means the colouring's key.
	Title string
	// Basis names the embedding ("umap" or "X_umap") for the axis labels
	// UMAP1 and UMAP2; "" leaves the axes unlabelled.
	Basis string
	// PointScale multiplies the area of the cell markers, whose default
	// follows scVelo (mean of 120000/cells and 20 points²); 0 means 1.
	PointScale float64
	// Alpha is the cells' opacity; 0 means the figure's default (1 for
	// Scatter, 0.3 for Stream and 0.2 for Grid, as scVelo).
	Alpha float64
}

func (o EmbeddingOptions) alpha(def float64) float64 {
	if o.Alpha == 0 {
		return def
	}
	return math.Max(0, math.Min(1, o.Alpha))
}

func (o EmbeddingOptions) pointScale() float64 {
	if o.PointScale == 0 {
		return 1
	}
	return o.PointScale
}

// Scatter draws the cells at emb (n × 2) coloured by col, with a legend or
// colour bar outside the axes.
func Scatter(emb *array.Dense, col Coloring, opts EmbeddingOptions) (*Image, error) {
	p, err := embeddingPlot(emb, col, opts, 1, 1)
	if err != nil {
		return nil, err
	}
	return embeddingImage(p, col, opts), nil
}

// embeddingPlot builds the axes and cell layer shared by the embedding
// figures; alpha and sizeScale are the figure's defaults.
func embeddingPlot(emb *array.Dense, col Coloring, opts EmbeddingOptions, alpha, sizeScale float64) (*plot.Plot, error) {
	if emb.Cols != 2 {
		panic(fmt.Sprintf("plot: embedding has %d columns, want 2", emb.Cols))
	}
	if err := col.check(emb.Rows); err != nil {
		return nil, err
	}
	title := opts.Title
	if title == "" {
		title = col.Key
	}
	p := newPlot(title)
	hideTicks(&p.X)
	hideTicks(&p.Y)
	if opts.Basis != "" {
		name := basisLabel(opts.Basis)
		p.X.Label.Text, p.Y.Label.Text = name+"1", name+"2"
	}
	x, y := emb.Col(nil, 0), emb.Col(nil, 1)
	xs, ys := make([]float64, len(x)), make([]float64, len(y))
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range x {
		xs[i], ys[i] = float64(x[i]), float64(y[i])
		if finite(xs[i]) && finite(ys[i]) {
			xlo, xhi = math.Min(xlo, xs[i]), math.Max(xhi, xs[i])
			ylo, yhi = math.Min(ylo, ys[i]), math.Max(yhi, ys[i])
		}
	}
	if xlo > xhi {
		return nil, fmt.Errorf("plot: no cell has a finite position")
	}
	colors, order := cellColors(col, emb.Rows, opts.alpha(alpha))
	order = finiteOnly(order, xs, ys)
	p.Add(cells{x: xs, y: ys, order: order, colors: colors,
		radius: markerRadius(emb.Rows, sizeScale*opts.pointScale())}, frame{})
	setRange(&p.X, xlo, xhi)
	setRange(&p.Y, ylo, yhi)
	return p, nil
}

func embeddingImage(p *plot.Plot, col Coloring, opts EmbeddingOptions) *Image {
	s := sideFor(col, p.Title.Text)
	return newImage(opts.Size, 6*vg.Inch, 5*vg.Inch, func(c draw.Canvas) { layout(c, p, s) })
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// finiteOnly drops cells without a finite position from a drawing order.
func finiteOnly(order []int, x, y []float64) []int {
	out := order[:0]
	for _, i := range order {
		if finite(x[i]) && finite(y[i]) {
			out = append(out, i)
		}
	}
	return out
}
