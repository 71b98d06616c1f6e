package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/grid"
)

var clusterNames = []string{"Ductal", "Ngn3 low EP", "Ngn3 high EP", "Pre-endocrine", "Beta"}

// ring places n cells on a noisy ring, split into five clusters by angle,
// rotating anticlockwise.
func ring(n int, seed uint64) (emb, vemb *array.Dense, col Coloring) {
	rng := rand.New(rand.NewPCG(seed, 2))
	emb, vemb = array.NewDense(n, 2), array.NewDense(n, 2)
	codes := make([]int32, n)
	for i := 0; i < n; i++ {
		a := rng.Float64() * 2 * math.Pi
		r := 3 + rng.NormFloat64()*0.6
		x, y := r*math.Cos(a), r*math.Sin(a)
		emb.Set(i, 0, float32(x))
		emb.Set(i, 1, float32(y))
		vemb.Set(i, 0, float32(-y*0.1))
		vemb.Set(i, 1, float32(x*0.1))
		codes[i] = int32(a / (2 * math.Pi) * 5)
	}
	return emb, vemb, Coloring{Key: "clusters", Codes: codes, Categories: clusterNames}
}

func phasePanels(n int, seed uint64) []PhasePanel {
	rng := rand.New(rand.NewPCG(seed, 3))
	var panels []PhasePanel
	for g, gamma := range []float64{0.42, 1.3, 0.08, 2.5, 0.7} {
		s, u, fit := make([]float32, n), make([]float32, n), make([]bool, n)
		for i := range s {
			t := rng.Float64()
			s[i] = float32(3 * t * (1 + 0.2*rng.NormFloat64()))
			u[i] = float32(gamma * float64(s[i]) * (0.6 + 0.8*rng.Float64()))
			fit[i] = t > 0.95
		}
		panels = append(panels, PhasePanel{Gene: []string{"Cpe", "Pcsk2", "Gnao1", "Ins2", "Gcg"}[g],
			S: s, U: u, Gamma: gamma, CILow: gamma * 0.95, CIHigh: gamma * 1.05, Fitted: fit})
	}
	panels[1].CILow, panels[1].CIHigh = math.NaN(), math.NaN()
	return panels
}

// figures builds every kind of figure on the same synthetic data.
func figures(t testing.TB) map[string]*Image {
	emb, vemb, col := ring(2000, 1)
	stream, err := grid.VelocityOnGrid(emb, vemb, grid.Options{Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	arrows, err := grid.VelocityOnGrid(emb, vemb, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	values := make([]float64, emb.Rows)
	for i := range values {
		values[i] = float64(emb.At(i, 0))
	}
	values[0] = math.NaN()
	out := map[string]*Image{}
	add := func(name string, im *Image, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = im
	}
	opts := EmbeddingOptions{Basis: "umap"}
	im, err := Scatter(emb, col, opts)
	add("scatter", im, err)
	im, err = Scatter(emb, Coloring{Key: "latent time", Values: values}, opts)
	add("scatter-continuous", im, err)
	constant := make([]float64, emb.Rows)
	for i := range constant {
		constant[i] = 2
	}
	im, err = Scatter(emb, Coloring{Key: "constant", Values: constant}, opts)
	add("scatter-constant", im, err)
	im, err = Stream(emb, col, grid.Streamlines(stream, 0), opts)
	add("stream", im, err)
	im, err = Grid(emb, col, arrows, opts)
	add("grid", im, err)
	im, err = Phase(phasePanels(emb.Rows, 2), PhaseOptions{Color: col})
	add("phase", im, err)
	im, err = Phase(phasePanels(emb.Rows, 2)[:2], PhaseOptions{Color: Coloring{Key: "x", Values: values}})
	add("phase-continuous", im, err)
	return out
}

func TestFiguresRenderPNG(t *testing.T) {
	for name, im := range figures(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := im.Encode(&buf, PNG); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			b := img.Bounds()
			wantW := int(float64(im.width)/72*defaultDPI + 0.5)
			wantH := int(float64(im.height)/72*defaultDPI + 0.5)
			if b.Dx() != wantW || b.Dy() != wantH {
				t.Fatalf("image is %d×%d px, want %d×%d", b.Dx(), b.Dy(), wantW, wantH)
			}
			if name != "phase" && name != "phase-continuous" && (b.Dx() != 900 || b.Dy() != 750) {
				t.Fatalf("embedding figure is %d×%d px, want 6×5 in at 150 dpi", b.Dx(), b.Dy())
			}
			if ink := inkFraction(img); ink < 0.03 {
				t.Fatalf("only %.1f %% of the pixels are not white", 100*ink)
			}
			if name == "scatter-constant" {
				if !hasColor(img, viridis(0.5), 2) {
					t.Error("constant values not drawn in the middle of viridis")
				}
				return
			}
			if strings.HasSuffix(name, "continuous") {
				// The colour bar shows both ends of viridis.
				for _, v := range []float64{0.01, 0.99} {
					if !hasColor(img, viridis(v), 6) {
						t.Errorf("viridis(%v) = %v missing", v, viridis(v))
					}
				}
				return
			}
			// The legend shows each cluster's colour at full strength.
			for k, c := range (Coloring{Categories: clusterNames}).palette() {
				if !hasColor(img, c, 2) {
					t.Errorf("colour %v of %s missing", c, clusterNames[k])
				}
			}
		})
	}
}

func inkFraction(img image.Image) float64 {
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				ink++
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy())
}

func hasColor(img image.Image, want color.NRGBA, tol int) bool {
	b := img.Bounds()
	near := func(a uint32, w uint8) bool { d := int(a>>8) - int(w); return d >= -tol && d <= tol }
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, want.R) && near(g, want.G) && near(bl, want.B) {
				return true
			}
		}
	}
	return false
}

func TestFiguresRenderSVG(t *testing.T) {
	for name, im := range figures(t) {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := im.Encode(&a, SVG); err != nil {
				t.Fatal(err)
			}
			if err := im.Encode(&b, SVG); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two encodings of one figure differ")
			}
			root, elements := parseXML(t, a.Bytes())
			if root != "svg" {
				t.Fatalf("root element %q, want svg", root)
			}
			if elements < 100 {
				t.Fatalf("only %d elements", elements)
			}
		})
	}
	// Figures built twice from the same inputs are byte-identical.
	first, second := figures(t), figures(t)
	for name := range first {
		var a, b bytes.Buffer
		if err := first[name].Encode(&a, SVG); err != nil {
			t.Fatal(err)
		}
		if err := second[name].Encode(&b, SVG); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: rebuilt figure differs", name)
		}
	}
}

func parseXML(t *testing.T, data []byte) (root string, elements int) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return root, elements
		}
		if err != nil {
			t.Fatalf("invalid XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if elements == 0 {
				root = se.Name.Local
			}
			elements++
		}
	}
}

func TestSave(t *testing.T) {
	emb, _, col := ring(300, 3)
	im, err := Scatter(emb, col, EmbeddingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"a.png", "b.svg", "C.PNG"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := im.Save(path); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		isPNG := bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
		isSVG := bytes.Contains(data[:min(200, len(data))], []byte("<svg"))
		if strings.EqualFold(filepath.Ext(name), ".png") != isPNG || (filepath.Ext(name) == ".svg") != isSVG {
			t.Errorf("%s: wrong content (PNG %v, SVG %v)", name, isPNG, isSVG)
		}
	}
	if err := im.Save(filepath.Join(dir, "d.pdf")); err == nil {
		t.Error("saving as .pdf did not fail")
	}
	if err := im.Save(filepath.Join(dir, "missing", "e.png")); err == nil {
		t.Error("saving into a missing directory did not fail")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the three images", names)
	}
}

func TestWriteFileAtomicKeepsOldContentOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fig.svg")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the writer's", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Fatalf("file holds %q after a failed write", data)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("%d entries left, want the original file only", len(entries))
	}
}

func TestFormatOf(t *testing.T) {
	cases := []struct {
		path string
		want Format
		ok   bool
	}{
		{"x.png", PNG, true}, {"dir/x.SVG", SVG, true}, {"x.pdf", 0, false}, {"x", 0, false},
	}
	for _, c := range cases {
		got, err := FormatOf(c.path)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("FormatOf(%q) = %v, %v", c.path, got, err)
		}
	}
}

func TestColoringErrors(t *testing.T) {
	emb, _, col := ring(10, 4)
	cases := []struct {
		name string
		col  Coloring
	}{
		{"short codes", Coloring{Codes: col.Codes[:5], Categories: clusterNames}},
		{"code out of range", Coloring{Codes: append([]int32{9}, col.Codes[1:]...), Categories: clusterNames}},
		{"short palette", Coloring{Codes: col.Codes, Categories: clusterNames, Palette: []string{"#000000"}}},
		{"bad colour", Coloring{Codes: col.Codes, Categories: clusterNames, Palette: []string{"red", "#000000", "#000000", "#000000", "#000000"}}},
		{"short values", Coloring{Values: []float64{1}}},
		{"both", Coloring{Codes: col.Codes, Categories: clusterNames, Values: make([]float64, 10)}},
	}
	for _, c := range cases {
		if _, err := Scatter(emb, c.col, EmbeddingOptions{}); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	p := phasePanels(10, 5)
	p[0].U = p[0].U[:3]
	if _, err := Phase(p, PhaseOptions{}); err == nil {
		t.Error("phase panel with mismatched lengths: no error")
	}
	if _, err := Phase(nil, PhaseOptions{}); err == nil {
		t.Error("no phase panels: no error")
	}
}

func TestObsColoring(t *testing.T) {
	a := anndata.New([]string{"c1", "c2", "c3"}, []string{"g"})
	a.Obs.Set("clusters", &anndata.Categorical{Codes: []int32{1, 0, -1}, Categories: []string{"A", "B"}})
	a.Uns["clusters_colors"] = []string{"#112233", "#445566"}
	a.Obs.Set("batch", []string{"b2", "b1", "b2"})
	a.Obs.Set("time", []float32{0.5, 1, 2})
	c, err := ObsColoring(a, "clusters")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Categories) != 2 || c.Palette[1] != "#445566" || c.Codes[2] != -1 {
		t.Errorf("categorical column read as %+v", c)
	}
	if pal := c.palette(); pal[0] != (color.NRGBA{0x11, 0x22, 0x33, 0xff}) {
		t.Errorf("uns palette not used: %v", pal)
	}
	c, err = ObsColoring(a, "batch")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Categories, ",") != "b1,b2" || c.Codes[0] != 1 || c.Codes[1] != 0 || c.Palette != nil {
		t.Errorf("string column read as %+v", c)
	}
	c, err = ObsColoring(a, "time")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Values) != 3 || c.Values[2] != 2 || c.categorical() {
		t.Errorf("numeric column read as %+v", c)
	}
	if _, err := ObsColoring(a, "nope"); err == nil {
		t.Error("missing column: no error")
	}
}

func TestDefaultPalette(t *testing.T) {
	cases := []struct {
		n     int
		first string
		third string
	}{
		{8, "#1f77b4", "#2ca02c"},  // matplotlib's tab10 cycle
		{15, "#1f77b4", "#279e68"}, // scanpy's default_20
	}
	for _, c := range cases {
		p := defaultPalette(c.n)
		if p[0] != c.first || p[2] != c.third {
			t.Errorf("%d categories: palette starts %v", c.n, p[:3])
		}
	}
	pal := Coloring{Categories: make([]string, 70)}.palette()
	if pal[69] != missingColor || pal[59] == missingColor {
		t.Error("categories beyond the 60 colours should be grey, the rest coloured")
	}
}

func TestPhaseTitle(t *testing.T) {
	cases := []struct {
		p    PhasePanel
		want string
	}{
		{PhasePanel{Gene: "Cpe", Gamma: 0.42, CILow: 0.4, CIHigh: 0.44}, "Cpe  γ = 0.42 [0.4, 0.44]"},
		{PhasePanel{Gene: "Pcsk2", Gamma: 1.0534}, "Pcsk2  γ = 1.05"},
		{PhasePanel{Gene: "Gnao1", Gamma: 2, CILow: math.NaN(), CIHigh: 3}, "Gnao1  γ = 2"},
	}
	for _, c := range cases {
		if got := phaseTitle(c.p); got != c.want {
			t.Errorf("title %q, want %q", got, c.want)
		}
	}
}

func TestBasisLabel(t *testing.T) {
	for in, want := range map[string]string{"umap": "UMAP", "X_umap": "UMAP", "tsne": "tSNE", "pca": "PC", "X_diffmap": "DC", "phate": "PHATE"} {
		if got := basisLabel(in); got != want {
			t.Errorf("basisLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
