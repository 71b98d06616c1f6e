package plot

import (
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// side is drawn to the right of the axes, outside the data: a legend or a
// colour bar.
type side interface {
	// width is the room it needs when it may use the given height.
	width(height vg.Length) vg.Length
	// draw draws it into c, whose vertical extent is that of the data area.
	draw(c draw.Canvas)
}

// sideGap separates the axes from the side panel.
const sideGap = 10

// legendItem is one key of a legend: a symbol and its label.
type legendItem struct {
	label string
	mark  func(c *draw.Canvas, at vg.Point)
}

// legend lists items top to bottom, in as many columns as the height needs.
type legend struct {
	items []legendItem
}

const (
	legendSymbol = 12 // width of the symbol column
	legendPad    = 4  // between symbol and label
	legendColGap = 10
)

func (l legend) rowHeight() vg.Length { return vg.Points(legendSize * 1.55) }

func (l legend) columns(height vg.Length) (cols, rows int) {
	rows = max(1, int(height/l.rowHeight()))
	cols = (len(l.items) + rows - 1) / rows
	rows = (len(l.items) + cols - 1) / max(cols, 1)
	return cols, rows
}

func (l legend) colWidth(items []legendItem) vg.Length {
	sty := textStyle(legendSize, draw.XLeft, draw.YCenter)
	var w vg.Length
	for _, it := range items {
		w = max(w, sty.Width(it.label))
	}
	return vg.Points(legendSymbol+legendPad) + w
}

func (l legend) width(height vg.Length) vg.Length {
	if len(l.items) == 0 {
		return 0
	}
	cols, rows := l.columns(height)
	var w vg.Length
	for c := 0; c < cols; c++ {
		w += l.colWidth(l.items[c*rows : min((c+1)*rows, len(l.items))])
	}
	return w + vg.Points(legendColGap)*vg.Length(cols-1)
}

// draw centres the legend vertically on c.
func (l legend) draw(c draw.Canvas) {
	if len(l.items) == 0 {
		return
	}
	cols, rows := l.columns(c.Max.Y - c.Min.Y)
	rh := l.rowHeight()
	top := (c.Min.Y+c.Max.Y)/2 + rh*vg.Length(rows)/2
	sty := textStyle(legendSize, draw.XLeft, draw.YCenter)
	x := c.Min.X
	for col := 0; col < cols; col++ {
		items := l.items[col*rows : min((col+1)*rows, len(l.items))]
		for r, it := range items {
			y := top - rh*(vg.Length(r)+0.5)
			it.mark(&c, vg.Point{X: x + vg.Points(legendSymbol/2), Y: y})
			c.FillText(sty, vg.Point{X: x + vg.Points(legendSymbol+legendPad), Y: y}, it.label)
		}
		x += l.colWidth(items) + vg.Points(legendColGap)
	}
}

// dot is a legend symbol: a filled circle.
func dot(col color.Color) func(*draw.Canvas, vg.Point) {
	return func(c *draw.Canvas, at vg.Point) {
		c.SetColor(col)
		c.Fill(circle(at, vg.Points(4)))
	}
}

// categoryLegend keys every category of col with its colour.
func categoryLegend(col Coloring) legend {
	pal := col.palette()
	l := legend{}
	for k, name := range col.Categories {
		l.items = append(l.items, legendItem{label: name, mark: dot(pal[k])})
	}
	return l
}

// colorBar shows the viridis scale of a continuous colouring.
type colorBar struct {
	title  string
	lo, hi float64
}

const (
	barWidth = 11
	barSteps = 64
)

func (b colorBar) ticks() []plot.Tick {
	if b.hi <= b.lo {
		return []plot.Tick{{Value: b.lo, Label: strconv.FormatFloat(b.lo, 'g', 4, 64)}}
	}
	var major []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(b.lo, b.hi) {
		if t.Label != "" && t.Value >= b.lo && t.Value <= b.hi {
			major = append(major, t)
		}
	}
	return major
}

func (b colorBar) width(vg.Length) vg.Length {
	lab := textStyle(tickSize, draw.XLeft, draw.YCenter)
	var w vg.Length
	for _, t := range b.ticks() {
		w = max(w, lab.Width(t.Label))
	}
	title := textStyle(legendSize, draw.XCenter, draw.YBottom).Width(b.title)
	return max(vg.Points(barWidth+3)+w, title)
}

func (b colorBar) draw(c draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	barH := min(h*0.7, vg.Points(220))
	x0 := c.Min.X
	y0 := (c.Min.Y+c.Max.Y)/2 - barH/2
	step := barH / barSteps
	for k := 0; k < barSteps; k++ {
		c.SetColor(viridis((float64(k) + 0.5) / barSteps))
		y := y0 + step*vg.Length(k)
		// Overlap steps by a hair so anti-aliasing leaves no seams.
		c.Fill(rect(x0, y, x0+vg.Points(barWidth), y+step+vg.Points(0.3)))
	}
	c.StrokeLines(draw.LineStyle{Color: frameCol, Width: vg.Points(0.6)},
		[]vg.Point{{X: x0, Y: y0}, {X: x0 + vg.Points(barWidth), Y: y0},
			{X: x0 + vg.Points(barWidth), Y: y0 + barH}, {X: x0, Y: y0 + barH}, {X: x0, Y: y0}})
	lab := textStyle(tickSize, draw.XLeft, draw.YCenter)
	for _, t := range b.ticks() {
		y := y0 + barH*vg.Length(unit(t.Value, b.lo, b.hi))
		c.StrokeLine2(draw.LineStyle{Color: frameCol, Width: vg.Points(0.6)},
			x0+vg.Points(barWidth), y, x0+vg.Points(barWidth+2), y)
		c.FillText(lab, vg.Point{X: x0 + vg.Points(barWidth+3), Y: y}, t.Label)
	}
	if b.title != "" {
		c.FillText(textStyle(legendSize, draw.XLeft, draw.YBottom),
			vg.Point{X: x0, Y: y0 + barH + vg.Points(6)}, b.title)
	}
}

func rect(x0, y0, x1, y1 vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x0, Y: y0})
	p.Line(vg.Point{X: x1, Y: y0})
	p.Line(vg.Point{X: x1, Y: y1})
	p.Line(vg.Point{X: x0, Y: y1})
	p.Close()
	return p
}

// sideFor returns the legend or colour bar of a colouring (nil for none);
// the bar repeats the colouring's key only when the title does not show it.
func sideFor(col Coloring, title string) side {
	switch {
	case col.categorical():
		return categoryLegend(col)
	case col.continuous():
		lo, hi := valueRange(col.Values)
		bar := colorBar{lo: lo, hi: hi}
		if col.Key != title {
			bar.title = col.Key
		}
		return bar
	}
	return nil
}

// layout draws p with s to its right, within outer page margins. The side
// panel spans the height of the data area, which does not depend on how
// much width the panel takes.
func layout(c draw.Canvas, p *plot.Plot, s side) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, pageMargin, -pageMargin, pageMargin, -pageMargin)
	var sw vg.Length
	if s != nil {
		full := p.DataCanvas(c)
		if w := s.width(full.Max.Y - full.Min.Y); w > 0 {
			sw = w + vg.Points(sideGap)
		}
	}
	pc := draw.Crop(c, 0, -sw, 0, 0)
	p.Draw(pc)
	if sw > 0 {
		dc := p.DataCanvas(pc)
		s.draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: pc.Max.X + vg.Points(sideGap), Y: dc.Min.Y},
			Max: vg.Point{X: c.Max.X, Y: dc.Max.Y},
		}})
	}
}

// pageMargin keeps text off the edges of the page.
const pageMargin = vg.Length(8)

// stack shares the side between panels, top to bottom, each in an equal
// slice of the height.
type stack []side

func (s stack) width(height vg.Length) vg.Length {
	var w vg.Length
	for _, p := range s {
		w = max(w, p.width(height/vg.Length(len(s))))
	}
	return w
}

func (s stack) draw(c draw.Canvas) {
	h := (c.Max.Y - c.Min.Y) / vg.Length(len(s))
	for k, p := range s {
		top := c.Max.Y - h*vg.Length(k)
		p.draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Min.X, Y: top - h},
			Max: vg.Point{X: c.Max.X, Y: top},
		}})
	}
}
