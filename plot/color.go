package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/velo-rna/velo/anndata"
)

// Coloring says how cells are coloured: by a category (Categories set) or by
// a continuous value (Values set).
type Coloring struct {
	// Key names what the colours show ("clusters"); it titles the colour
	// bar and is the default figure title.
	Key string

	// Codes index Categories, one per cell; −1 marks a missing value, drawn
	// light grey.
	Codes      []int32
	Categories []string
	// Palette holds one "#rrggbb" colour per category, as AnnData stores
	// them in uns['<key>_colors']; nil means scanpy's default palette.
	Palette []string

	// Values colour cells along viridis, one per cell; NaN is missing.
	Values []float64
}

// ObsColoring colours cells by the obs column key of a: categorical, string
// and boolean columns by category (with the palette in uns['<key>_colors']
// when it has a colour for every category), numeric columns by value.
func ObsColoring(a *anndata.AnnData, key string) (Coloring, error) {
	d, ok := a.Obs.Get(key)
	if !ok {
		return Coloring{}, fmt.Errorf("plot: obs column %q is missing", key)
	}
	c := Coloring{Key: key}
	switch t := d.(type) {
	case *anndata.Categorical:
		c.Codes, c.Categories = t.Codes, t.Categories
	case []string:
		c.Codes, c.Categories = encode(t)
	case []bool:
		s := make([]string, len(t))
		for i, b := range t {
			s[i] = strconv.FormatBool(b)
		}
		c.Codes, c.Categories = encode(s)
	default:
		v, err := a.Obs.Float64(key)
		if err != nil {
			return Coloring{}, fmt.Errorf("plot: %w", err)
		}
		c.Values = v
		return c, nil
	}
	if p, ok := a.Uns[key+"_colors"].([]string); ok && len(p) >= len(c.Categories) {
		c.Palette = p
	}
	return c, nil
}

// encode turns strings into codes over their sorted distinct values, as
// pandas builds a categorical.
func encode(s []string) ([]int32, []string) {
	cats := slices.Compact(slices.Sorted(slices.Values(s)))
	codes := make([]int32, len(s))
	for i, v := range s {
		k, _ := slices.BinarySearch(cats, v)
		codes[i] = int32(k)
	}
	return codes, cats
}

func (c Coloring) categorical() bool { return c.Categories != nil }

func (c Coloring) continuous() bool { return c.Values != nil }

// check validates the coloring for n cells.
func (c Coloring) check(n int) error {
	switch {
	case c.categorical() && c.continuous():
		return fmt.Errorf("plot: coloring %q has both categories and values", c.Key)
	case c.categorical():
		if len(c.Codes) != n {
			return fmt.Errorf("plot: coloring %q has %d codes for %d cells", c.Key, len(c.Codes), n)
		}
		for i, k := range c.Codes {
			if int(k) >= len(c.Categories) || k < -1 {
				return fmt.Errorf("plot: coloring %q: cell %d has code %d for %d categories", c.Key, i, k, len(c.Categories))
			}
		}
		if c.Palette != nil && len(c.Palette) < len(c.Categories) {
			return fmt.Errorf("plot: coloring %q has %d palette colours for %d categories", c.Key, len(c.Palette), len(c.Categories))
		}
		for _, h := range c.Palette {
			if _, err := parseHex(h); err != nil {
				return fmt.Errorf("plot: coloring %q: %w", c.Key, err)
			}
		}
	case c.continuous():
		if len(c.Values) != n {
			return fmt.Errorf("plot: coloring %q has %d values for %d cells", c.Key, len(c.Values), n)
		}
	}
	return nil
}

// palette returns the colour of every category.
func (c Coloring) palette() []color.NRGBA {
	src := c.Palette
	if src == nil {
		src = defaultPalette(len(c.Categories))
	}
	out := make([]color.NRGBA, len(c.Categories))
	for i := range out {
		if i < len(src) {
			out[i], _ = parseHex(src[i])
		} else {
			out[i] = missingColor
		}
	}
	return out
}

// missingColor is scanpy's na_color, "lightgray".
var missingColor = color.NRGBA{R: 0xd3, G: 0xd3, B: 0xd3, A: 0xff}

// defaultPalette is scanpy's choice for n categories: matplotlib's tab10
// colour cycle up to 10, scanpy's reordered tab20 (default_20) up to 20. For
// more, tab20b and tab20c follow (scanpy has its own 28- and 102-colour
// lists there; pass Palette to match them); categories beyond 60 are grey,
// as in scanpy beyond 102.
func defaultPalette(n int) []string {
	if n <= len(tab10) {
		return tab10
	}
	if n <= len(scanpy20) {
		return scanpy20
	}
	return slices.Concat(scanpy20, tab20b, tab20c)
}

var tab10 = []string{
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
}

// scanpy20 is scanpy's palettes.default_20 (vega_20_scanpy).
var scanpy20 = []string{
	"#1f77b4", "#ff7f0e", "#279e68", "#d62728", "#aa40fc",
	"#8c564b", "#e377c2", "#b5bd61", "#17becf", "#aec7e8",
	"#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
	"#f7b6d2", "#dbdb8d", "#9edae5", "#ad494a", "#8c6d31",
}

var tab20b = []string{
	"#393b79", "#5254a3", "#6b6ecf", "#9c9ede", "#637939",
	"#8ca252", "#b5cf6b", "#cedb9c", "#8c6d31", "#bd9e39",
	"#e7ba52", "#e7cb94", "#843c39", "#ad494a", "#d6616b",
	"#e7969c", "#7b4173", "#a55194", "#ce6dbd", "#de9ed6",
}

var tab20c = []string{
	"#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#e6550d",
	"#fd8d3c", "#fdae6b", "#fdd0a2", "#31a354", "#74c476",
	"#a1d99b", "#c7e9c0", "#756bb1", "#9e9ac8", "#bcbddc",
	"#dadaeb", "#636363", "#969696", "#bdbdbd", "#d9d9d9",
}

// parseHex reads "#rrggbb" or "#rrggbbaa".
func parseHex(h string) (color.NRGBA, error) {
	s := strings.TrimPrefix(h, "#")
	if len(s) != 6 && len(s) != 8 {
		return color.NRGBA{}, fmt.Errorf("colour %q is not #rrggbb", h)
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return color.NRGBA{}, fmt.Errorf("colour %q is not #rrggbb", h)
	}
	if len(s) == 6 {
		v = v<<8 | 0xff
	}
	return color.NRGBA{R: uint8(v >> 24), G: uint8(v >> 16), B: uint8(v >> 8), A: uint8(v)}, nil
}

// viridisStops are matplotlib's viridis at 0, 1/9, …, 1.
var viridisStops = []color.NRGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x48, 0x28, 0x78, 0xff}, {0x3e, 0x4a, 0x89, 0xff},
	{0x31, 0x68, 0x8e, 0xff}, {0x26, 0x82, 0x8e, 0xff}, {0x1f, 0x9e, 0x89, 0xff},
	{0x35, 0xb7, 0x79, 0xff}, {0x6d, 0xcd, 0x59, 0xff}, {0xb4, 0xde, 0x2c, 0xff},
	{0xfd, 0xe7, 0x25, 0xff},
}

// viridis maps t in [0, 1] (clamped) onto viridis by linear interpolation
// between the stops.
func viridis(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	pos := t * float64(len(viridisStops)-1)
	i := min(int(pos), len(viridisStops)-2)
	f := pos - float64(i)
	a, b := viridisStops[i], viridisStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-f) + float64(y)*f)) }
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// withAlpha returns c with opacity a in [0, 1].
func withAlpha(c color.NRGBA, a float64) color.NRGBA {
	c.A = uint8(math.Round(float64(c.A) * a))
	return c
}

// valueRange returns the finite minimum and maximum of v (0, 1 when none).
func valueRange(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 1
	}
	return lo, hi
}
