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

// Stream draws scVelo's velocity_embedding_stream: the cells at emb (n × 2),
// light and translucent, coloured by col, under streamlines (from
// grid.Streamlines on the same embedding) whose width follows the local
// speed and which carry an arrowhead halfway along.
func Stream(emb *array.Dense, col Coloring, lines []grid.Streamline, opts EmbeddingOptions) (*Image, error) {
	// scVelo's stream plot: alpha 0.3, scVelo's default marker size.
	p, err := embeddingPlot(emb, col, opts, 0.3, 1)
	if err != nil {
		return nil, err
	}
	p.Add(streamLines{lines: lines, color: black})
	return embeddingImage(p, col, opts), nil
}

// Stream line geometry in points. scVelo draws widths 2·speed/max speed
// points (linewidth 1); the floor keeps slow lines visible.
const (
	streamBaseWidth = 1.0
	streamMinWidth  = 0.5
	streamWidthStep = 0.1 // width resolution: equal-width runs share a path
	arrowLength     = 6.5
	arrowHalfWidth  = 3.2
)

type streamLines struct {
	lines []grid.Streamline
	color color.Color
}

func (s streamLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, l := range s.lines {
		pts := make([]vg.Point, len(l.X))
		for k := range l.X {
			pts[k] = vg.Point{X: trX(l.X[k]), Y: trY(l.Y[k])}
		}
		width := func(k int) float64 {
			w := math.Max(streamMinWidth, streamBaseWidth*l.Width[k])
			return math.Round(w/streamWidthStep) * streamWidthStep
		}
		start := 0
		for k := 1; k <= len(l.Width); k++ {
			if k == len(l.Width) || width(k) != width(start) {
				c.StrokeLines(draw.LineStyle{Color: s.color, Width: vg.Points(width(start))}, pts[start:k+1])
				start = k
			}
		}
		if l.Arrow+1 < len(pts) {
			arrowHead(&c, s.color, pts[l.Arrow], pts[l.Arrow+1])
		}
	}
}

// arrowHead fills a triangle pointing from a to b, centred on their
// midpoint where matplotlib's streamplot puts its arrow.
func arrowHead(c *draw.Canvas, col color.Color, a, b vg.Point) {
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	dx, dy = dx/n, dy/n
	mid := vg.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
	tip := vg.Point{X: mid.X + vg.Length(dx*arrowLength/2), Y: mid.Y + vg.Length(dy*arrowLength/2)}
	base := vg.Point{X: mid.X - vg.Length(dx*arrowLength/2), Y: mid.Y - vg.Length(dy*arrowLength/2)}
	if !c.Contains(mid) {
		return
	}
	c.FillPolygon(col, []vg.Point{
		tip,
		{X: base.X - vg.Length(dy*arrowHalfWidth), Y: base.Y + vg.Length(dx*arrowHalfWidth)},
		{X: base.X + vg.Length(dy*arrowHalfWidth), Y: base.Y - vg.Length(dx*arrowHalfWidth)},
	})
}
