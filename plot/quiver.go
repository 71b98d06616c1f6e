package plot

import (
	"image/color"
	"math"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/grid"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Grid draws scVelo's velocity_embedding_grid: the cells at emb (n × 2),
// faint and enlarged, coloured by col, under one arrow per shown point of a
// grid-mode result (grid.VelocityOnGrid on the same embedding). As scVelo's
// quiver with scale_units='xy', an arrow spans its (autoscaled) vector in
// data units.
func Grid(emb *array.Dense, col Coloring, res *grid.Result, opts EmbeddingOptions) (*Image, error) {
	// scVelo's grid plot: alpha 0.2, markers four times the default area.
	p, err := embeddingPlot(emb, col, opts, 0.2, 4)
	if err != nil {
		return nil, err
	}
	p.Add(quiver{res: res, color: darkGrey})
	return embeddingImage(p, col, opts), nil
}

// Arrow geometry in points.
const (
	quiverShaft    = 0.8
	quiverHead     = 4.5
	quiverHeadHalf = 2.4
)

type quiver struct {
	res   *grid.Result
	color color.Color
}

func (q quiver) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	r := q.res
	shaft := draw.LineStyle{Color: q.color, Width: vg.Points(quiverShaft)}
	for g, show := range r.Show {
		if !show || !finite(r.U[g]) || !finite(r.V[g]) {
			continue
		}
		x, y := r.X[g%r.Nx], r.Y[g/r.Nx]
		a := vg.Point{X: trX(x), Y: trY(y)}
		b := vg.Point{X: trX(x + r.U[g]), Y: trY(y + r.V[g])}
		dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
		n := math.Hypot(dx, dy)
		if n == 0 {
			continue
		}
		// Heads keep their size, shrinking only on arrows shorter than
		// twice the head, as matplotlib's quiver does.
		s := math.Min(1, n/(2*quiverHead))
		hl, hw := quiverHead*s, quiverHeadHalf*s
		ux, uy := dx/n, dy/n
		base := vg.Point{X: b.X - vg.Length(ux*hl), Y: b.Y - vg.Length(uy*hl)}
		c.StrokeLines(shaft, []vg.Point{a, base})
		c.FillPolygon(q.color, []vg.Point{
			b,
			{X: base.X - vg.Length(uy*hw), Y: base.Y + vg.Length(ux*hw)},
			{X: base.X + vg.Length(uy*hw), Y: base.Y - vg.Length(ux*hw)},
		})
	}
}
