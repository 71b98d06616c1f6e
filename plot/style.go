package plot

import (
	"cmp"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Type sizes, in points, chosen to read well at 6 × 5 inches.
const (
	titleSize  = 13
	labelSize  = 11
	legendSize = 9.5
	tickSize   = 8.5
)

// sans is the figures' typeface (Liberation Sans, metric-compatible with
// Arial, which matplotlib's scanpy style falls back to).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

var (
	black    = color.NRGBA{A: 0xff}
	darkGrey = color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	frameCol = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
)

func textStyle(size vg.Length, xa text.XAlignment, ya text.YAlignment) text.Style {
	return text.Style{
		Color:   black,
		Font:    font.From(sans, size),
		XAlign:  xa,
		YAlign:  ya,
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with velo's fonts.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle = textStyle(titleSize, draw.XCenter, draw.YTop)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = textStyle(labelSize, draw.XCenter, draw.YBottom)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Length = vg.Points(4)
		a.Tick.Color = frameCol
		a.Color = frameCol
		a.Padding = 0
	}
	p.X.Label.Padding = vg.Points(3)
	p.Y.Label.Padding = vg.Points(3)
	p.X.Tick.Marker = plainTicks{}
	p.Y.Tick.Marker = plainTicks{}
	return p
}

// plainTicks are gonum's default ticks with trailing zeros dropped from the
// labels ("2.50" → "2.5", "0.00" → "0").
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for k, t := range ticks {
		if strings.Contains(t.Label, ".") && !strings.ContainsAny(t.Label, "eE") {
			ticks[k].Label = strings.TrimSuffix(strings.TrimRight(t.Label, "0"), ".")
		}
		if ticks[k].Label == "-0" {
			ticks[k].Label = "0"
		}
	}
	return ticks
}

// hideTicks leaves an axis with its label only, as scanpy's embedding
// plots: positions on an embedding carry no meaning.
func hideTicks(a *plot.Axis) {
	a.Tick.Marker = plot.ConstantTicks{}
	a.Tick.Length = 0
	a.Color = color.Transparent
	a.Width = 0
}

// setRange sets an axis to [lo, hi] widened by matplotlib's 5 % margins.
func setRange(a *plot.Axis, lo, hi float64) {
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = 0.5
	}
	a.Min, a.Max = lo-pad, hi+pad
}

// basisLabel is the axis name scanpy gives an embedding: "umap" → "UMAP".
func basisLabel(basis string) string {
	b := strings.TrimPrefix(basis, "X_")
	switch strings.ToLower(b) {
	case "umap":
		return "UMAP"
	case "tsne":
		return "tSNE"
	case "pca":
		return "PC"
	case "diffmap":
		return "DC"
	}
	return strings.ToUpper(b)
}

// frame strokes the border of the data area.
type frame struct{}

func (frame) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := draw.LineStyle{Color: frameCol, Width: vg.Points(0.8)}
	r := c.Rectangle
	c.StrokeLines(sty, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
}

// cells draws one filled circle per cell, in the given order.
type cells struct {
	x, y   []float64
	order  []int
	colors []color.NRGBA
	radius vg.Length
}

func (p cells) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for _, i := range p.order {
		c.SetColor(p.colors[i])
		c.Fill(circle(vg.Point{X: trX(p.x[i]), Y: trY(p.y[i])}, p.radius))
	}
}

func circle(at vg.Point, r vg.Length) vg.Path {
	var path vg.Path
	path.Move(vg.Point{X: at.X + r, Y: at.Y})
	path.Arc(at, r, 0, 2*math.Pi)
	path.Close()
	return path
}

// markerRadius is scVelo's default marker size for n cells — an area of
// mean(120000/n, 20) points² — as a radius, kept between 0.6 and 5 points so
// huge and tiny data sets stay legible.
func markerRadius(n int, scale float64) vg.Length {
	area := (120000/float64(max(n, 1)) + 20) / 2 * scale
	return vg.Points(math.Max(0.6, math.Min(5, math.Sqrt(area)/2)))
}

// cellColors returns the fill colour of every cell and the order to draw
// them: categorical cells in their own order with missing ones first,
// continuous ones by increasing value so high values stay on top (scanpy's
// sort_order).
func cellColors(col Coloring, n int, alpha float64) ([]color.NRGBA, []int) {
	colors := make([]color.NRGBA, n)
	order := make([]int, 0, n)
	switch {
	case col.categorical():
		pal := col.palette()
		for i, k := range col.Codes {
			if k < 0 {
				colors[i] = withAlpha(missingColor, alpha)
				order = append(order, i)
			}
		}
		for i, k := range col.Codes {
			if k >= 0 {
				colors[i] = withAlpha(pal[k], alpha)
				order = append(order, i)
			}
		}
	case col.continuous():
		lo, hi := valueRange(col.Values)
		for i, v := range col.Values {
			if math.IsNaN(v) {
				colors[i] = withAlpha(missingColor, alpha)
				order = append(order, i)
			}
		}
		var ranked []int
		for i, v := range col.Values {
			if !math.IsNaN(v) {
				colors[i] = withAlpha(viridis(unit(v, lo, hi)), alpha)
				ranked = append(ranked, i)
			}
		}
		sortStableBy(ranked, func(i int) float64 { return col.Values[i] })
		order = append(order, ranked...)
	default:
		for i := range colors {
			colors[i] = withAlpha(color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}, alpha)
			order = append(order, i)
		}
	}
	return colors, order
}

// unit maps v from [lo, hi] to [0, 1]; a constant colouring sits in the
// middle of the scale.
func unit(v, lo, hi float64) float64 {
	if hi <= lo {
		return 0.5
	}
	return (v - lo) / (hi - lo)
}

// sortStableBy orders idx by key, keeping equal keys in their given order.
func sortStableBy(idx []int, key func(int) float64) {
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
}
