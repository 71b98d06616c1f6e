package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PhasePanel is one gene's phase portrait: unspliced against spliced
// abundance per cell, with the fitted steady-state line.
type PhasePanel struct {
	Gene string
	// S and U are the cells' spliced (Ms, x axis) and unspliced (Mu,
	// y axis) moments.
	S, U []float32
	// Gamma and Offset define the steady-state line u = γ·s + o.
	Gamma, Offset float64
	// CILow and CIHigh bound a confidence interval of γ shown in the title;
	// NaN, or both zero, means none.
	CILow, CIHigh float64
	// Fitted marks the cells the fit used (velocity.FitCells); nil marks
	// none.
	Fitted []bool
}

// PhaseOptions style a figure of phase portraits.
type PhaseOptions struct {
	// Size is the whole figure; a zero Width or Height means 3 × 2.8 inches
	// per panel plus the legend.
	Size Size
	// Columns is the number of panels per row; 0 means up to 4.
	Columns int
	// Color colours the cells of every panel (for example by cluster);
	// the zero value draws them grey.
	Color Coloring
	// PointScale multiplies the marker area; 0 means 1.
	PointScale float64
	// Alpha is the cells' opacity; 0 means 0.7.
	Alpha float64
}

// steadyColor draws the steady-state line, in scVelo's purple.
var steadyColor = color.NRGBA{R: 0x80, G: 0x00, B: 0x80, A: 0xff}

// Phase draws one phase portrait per panel in a grid, with one legend for
// the clusters, the cells used for the fit and the steady-state line.
func Phase(panels []PhasePanel, opts PhaseOptions) (*Image, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("plot: no phase portrait to draw")
	}
	n := len(panels[0].S)
	for _, pp := range panels {
		if len(pp.S) != n || len(pp.U) != n || (pp.Fitted != nil && len(pp.Fitted) != n) {
			return nil, fmt.Errorf("plot: phase portrait of %q has %d spliced, %d unspliced and %d fitted values, want %d each",
				pp.Gene, len(pp.S), len(pp.U), len(pp.Fitted), n)
		}
	}
	if err := opts.Color.check(n); err != nil {
		return nil, err
	}
	alpha := opts.Alpha
	if alpha == 0 {
		alpha = 0.7
	}
	scale := opts.PointScale
	if scale == 0 {
		scale = 1
	}
	colors, order := cellColors(opts.Color, n, alpha)
	radius := markerRadius(n, 0.5*scale)

	cols := opts.Columns
	if cols <= 0 {
		cols = min(4, len(panels))
	}
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for k, pp := range panels {
		grid[k/cols][k%cols] = phasePlot(pp, colors, order, radius)
	}

	leg := phaseSide(opts.Color, panels)
	panelW, panelH := 3*vg.Inch, 2.8*vg.Inch
	size := opts.Size
	if size.Width <= 0 || size.Height <= 0 {
		size.Height = panelH * vg.Length(rows)
		size.Width = panelW*vg.Length(cols) + leg.width(size.Height-2*pageMargin) + vg.Points(sideGap) + 2*pageMargin
	}
	return newImage(size, size.Width, size.Height, func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		c = draw.Crop(c, pageMargin, -pageMargin, pageMargin, -pageMargin)
		lw := leg.width(c.Max.Y - c.Min.Y)
		pc := draw.Crop(c, 0, -(lw + vg.Points(sideGap)), 0, 0)
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(14), PadY: vg.Points(14)}
		canvases := plot.Align(grid, tiles, pc)
		for r := range grid {
			for k, p := range grid[r] {
				if p != nil {
					p.Draw(canvases[r][k])
				}
			}
		}
		leg.draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: pc.Max.X + vg.Points(sideGap), Y: c.Min.Y},
			Max: c.Max,
		}})
	}), nil
}

// phaseTitle is "Gene  γ = 0.42 [0.40, 0.44]".
func phaseTitle(pp PhasePanel) string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
	t := pp.Gene + "  γ = " + num(pp.Gamma)
	if !math.IsNaN(pp.CILow) && !math.IsNaN(pp.CIHigh) && (pp.CILow != 0 || pp.CIHigh != 0) {
		t += " [" + num(pp.CILow) + ", " + num(pp.CIHigh) + "]"
	}
	return t
}

func phasePlot(pp PhasePanel, colors []color.NRGBA, order []int, radius vg.Length) *plot.Plot {
	p := newPlot(phaseTitle(pp))
	p.Title.TextStyle.Font.Size = vg.Points(labelSize)
	p.Title.Padding = vg.Points(5)
	p.X.Label.Text, p.Y.Label.Text = "spliced", "unspliced"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(tickSize + 0.5)
	}
	s, u := make([]float64, len(pp.S)), make([]float64, len(pp.U))
	xhi, yhi := 0.0, 0.0
	xlo, ylo := 0.0, 0.0
	for i := range s {
		s[i], u[i] = float64(pp.S[i]), float64(pp.U[i])
		if finite(s[i]) && finite(u[i]) {
			xlo, xhi = math.Min(xlo, s[i]), math.Max(xhi, s[i])
			ylo, yhi = math.Min(ylo, u[i]), math.Max(yhi, u[i])
		}
	}
	p.Add(cells{x: s, y: u, order: finiteOnly(append([]int(nil), order...), s, u), colors: colors, radius: radius})
	if pp.Fitted != nil {
		p.Add(rings{x: s, y: u, fitted: pp.Fitted, radius: radius + vg.Points(0.4)})
	}
	p.Add(steadyLine{gamma: pp.Gamma, offset: pp.Offset})
	setRange(&p.X, xlo, xhi)
	setRange(&p.Y, ylo, yhi)
	return p
}

// rings outlines the cells used for the fit.
type rings struct {
	x, y   []float64
	fitted []bool
	radius vg.Length
}

func (r rings) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetLineStyle(draw.LineStyle{Color: black, Width: vg.Points(0.6)})
	for i, f := range r.fitted {
		if f && finite(r.x[i]) && finite(r.y[i]) {
			c.Stroke(circle(vg.Point{X: trX(r.x[i]), Y: trY(r.y[i])}, r.radius))
		}
	}
}

// steadyLine draws u = γ·s + o across the axes.
type steadyLine struct{ gamma, offset float64 }

func (l steadyLine) Plot(c draw.Canvas, p *plot.Plot) {
	if !finite(l.gamma) || !finite(l.offset) {
		return
	}
	trX, trY := p.Transforms(&c)
	x0, x1 := p.X.Min, p.X.Max
	c.StrokeLines(draw.LineStyle{Color: steadyColor, Width: vg.Points(1.6)}, []vg.Point{
		{X: trX(x0), Y: trY(l.gamma*x0 + l.offset)},
		{X: trX(x1), Y: trY(l.gamma*x1 + l.offset)},
	})
}

// phaseSide keys the clusters (or shows the colour bar), the fit cells and
// the steady-state line.
func phaseSide(col Coloring, panels []PhasePanel) side {
	var l legend
	if col.categorical() {
		l = categoryLegend(col)
	}
	for _, pp := range panels {
		if pp.Fitted != nil {
			l.items = append(l.items, legendItem{label: "used for fit", mark: func(c *draw.Canvas, at vg.Point) {
				c.SetLineStyle(draw.LineStyle{Color: black, Width: vg.Points(0.8)})
				c.Stroke(circle(at, vg.Points(4)))
			}})
			break
		}
	}
	l.items = append(l.items, legendItem{label: "steady state", mark: func(c *draw.Canvas, at vg.Point) {
		c.StrokeLine2(draw.LineStyle{Color: steadyColor, Width: vg.Points(1.6)},
			at.X-vg.Points(6), at.Y-vg.Points(3), at.X+vg.Points(6), at.Y+vg.Points(3))
	}})
	if col.continuous() {
		return stack{sideFor(col, ""), l}
	}
	return l
}
