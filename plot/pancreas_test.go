package plot

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/grid"
	"github.com/velo-rna/velo/internal/testenv"
	"github.com/velo-rna/velo/velocity"
)

var plotDir = flag.String("plotdir", "", "also write the real-data figures to this directory, to look at them")

// The pancreas figures from scVelo's reference run (stochastic mode,
// velocity_umap with autoscale): stream, grid and the phase portraits of
// Cpe, Pcsk2 and Gnao1.
func TestPancreasFigures(t *testing.T) {
	st := readH5AD(t, "stochastic.h5ad")
	mo := readH5AD(t, "moments.h5ad")
	col, err := ObsColoring(st, "clusters")
	if err != nil {
		t.Fatal(err)
	}
	emb, vemb := st.Obsm["X_umap"], st.Obsm["velocity_umap"]
	if emb == nil || vemb == nil {
		t.Fatal("stochastic.h5ad lacks obsm X_umap or velocity_umap")
	}
	res, err := grid.VelocityOnGrid(emb, vemb, grid.Options{Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := grid.Streamlines(res, 0)
	checkFlow(t, emb, col, lines)
	stream, err := Stream(emb, col, lines, EmbeddingOptions{Basis: "umap"})
	if err != nil {
		t.Fatal(err)
	}
	arrows, err := grid.VelocityOnGrid(emb, vemb, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gridFig, err := Grid(emb, col, arrows, EmbeddingOptions{Basis: "umap"})
	if err != nil {
		t.Fatal(err)
	}

	gamma, err := st.Var.Float64("velocity_gamma")
	if err != nil {
		t.Fatal(err)
	}
	ms, mu := array.AsDense(mo.Layers["Ms"]), array.AsDense(mo.Layers["Mu"])
	var panels []PhasePanel
	for _, gene := range []string{"Cpe", "Pcsk2", "Gnao1"} {
		j, js := slices.Index(mo.Var.Index, gene), slices.Index(st.Var.Index, gene)
		if j < 0 || js < 0 {
			t.Fatalf("gene %s missing", gene)
		}
		s, u := ms.Col(nil, j), mu.Col(nil, j)
		panels = append(panels, PhasePanel{Gene: gene, S: s, U: u, Gamma: gamma[js],
			CILow: math.NaN(), CIHigh: math.NaN(), Fitted: velocity.FitCells(s, u, false, [2]float64{5, 95})})
	}
	phase, err := Phase(panels, PhaseOptions{Color: col})
	if err != nil {
		t.Fatal(err)
	}

	dir := *plotDir
	if dir == "" {
		dir = t.TempDir()
	}
	for name, im := range map[string]*Image{"pancreas_stream": stream, "pancreas_grid": gridFig, "pancreas_phase": phase} {
		for _, ext := range []string{".png", ".svg"} {
			if err := im.Save(filepath.Join(dir, name+ext)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func readH5AD(t *testing.T, name string) *anndata.AnnData {
	t.Helper()
	a, err := h5ad.Read(testenv.Path(t, "reference", "pancreas", name))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkFlow measures whether the arrowheads in each progenitor cluster
// point on along endocrinogenesis: towards the centroid of the next stage
// (Ductal → Ngn3 low EP → Ngn3 high EP → Pre-endocrine → Beta/Alpha/Delta/
// Epsilon, the last four merged into one target).
func checkFlow(t *testing.T, emb *array.Dense, col Coloring, lines []grid.Streamline) {
	t.Helper()
	idx := func(name string) int32 {
		k := slices.Index(col.Categories, name)
		if k < 0 {
			t.Fatalf("cluster %q missing", name)
		}
		return int32(k)
	}
	centroid := func(names ...string) [2]float64 {
		var c [2]float64
		n := 0
		for i, code := range col.Codes {
			for _, name := range names {
				if code == idx(name) {
					c[0] += float64(emb.At(i, 0))
					c[1] += float64(emb.At(i, 1))
					n++
				}
			}
		}
		return [2]float64{c[0] / float64(n), c[1] / float64(n)}
	}
	stages := []struct {
		from string
		to   []string
		min  float64 // fraction of arrows that must point on
	}{
		// Ductal cells partly circulate (in scVelo's stream plot too), so
		// only a majority is asked of them; the committed stages all point on
		// (measured: 9/13, 7/7, 13/13, 13/13).
		{"Ductal", []string{"Ngn3 low EP"}, 0.5},
		{"Ngn3 low EP", []string{"Ngn3 high EP"}, 0.8},
		{"Ngn3 high EP", []string{"Pre-endocrine"}, 0.8},
		{"Pre-endocrine", []string{"Beta", "Alpha", "Delta", "Epsilon"}, 0.8},
	}
	for _, s := range stages {
		a, b := centroid(s.from), centroid(s.to...)
		dir := [2]float64{b[0] - a[0], b[1] - a[1]}
		on, total := 0, 0
		for _, l := range lines {
			k := l.Arrow
			x, y := l.X[k], l.Y[k]
			if col.Codes[nearestCell(emb, x, y)] != idx(s.from) {
				continue
			}
			total++
			if (l.X[k+1]-x)*dir[0]+(l.Y[k+1]-y)*dir[1] > 0 {
				on++
			}
		}
		frac := float64(on) / float64(max(total, 1))
		t.Logf("%s: %d of %d arrows point towards %v", s.from, on, total, s.to)
		if total == 0 || frac < s.min {
			t.Errorf("%s: %s of arrows point towards %v, want at least %.0f %%", s.from, fmt.Sprintf("%d/%d", on, total), s.to, 100*s.min)
		}
	}
}

func nearestCell(emb *array.Dense, x, y float64) int {
	best, bd := 0, math.Inf(1)
	for i := 0; i < emb.Rows; i++ {
		d := math.Hypot(float64(emb.At(i, 0))-x, float64(emb.At(i, 1))-y)
		if d < bd {
			best, bd = i, d
		}
	}
	return best
}
