package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/png"
	"regexp"
	"strings"
	"sync"
	"testing"

	velo "github.com/velo-rna/velo"
	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/plot"
	"github.com/velo-rna/velo/simulate"
)

var (
	resultOnce sync.Once
	resultData *anndata.AnnData
	resultErr  error
)

// result is a small simulated data set run through the standard pipeline,
// built once per test binary; tests must not modify it.
func result(t *testing.T) *anndata.AnnData {
	t.Helper()
	resultOnce.Do(func() {
		a, err := simulate.Simulate(simulate.Options{Cells: 300, Genes: 60, Seed: 1})
		if err != nil {
			resultErr = err
			return
		}
		if _, err := velo.Run(context.Background(), a, velo.Options{}); err != nil {
			resultErr = err
			return
		}
		resultData = a
	})
	if resultErr != nil {
		t.Fatalf("building the simulated result: %v", resultErr)
	}
	return resultData
}

// notBlank fails unless the image has at least two distinct colours in a
// sizeable share of its pixels.
func notBlank(t *testing.T, name string, im image.Image) {
	t.Helper()
	b := im.Bounds()
	if b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("%s: image is %d × %d", name, b.Dx(), b.Dy())
	}
	bg := im.At(b.Min.X, b.Min.Y)
	r0, g0, b0, _ := bg.RGBA()
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bb, _ := im.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				differ++
			}
		}
	}
	if total := (b.Dx() / 2) * (b.Dy() / 2); differ < total/50 {
		t.Errorf("%s: only %d of %d sampled pixels differ from the background", name, differ, total)
	}
}

func TestFigures(t *testing.T) {
	a := result(t)
	top, err := TopVelocityGenes(a, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) == 0 {
		t.Fatal("no velocity genes in the simulated result")
	}
	tests := []struct {
		name string
		draw func() (*plot.Image, error)
	}{
		{"stream", func() (*plot.Image, error) { return StreamFigure(a, "umap", "clusters") }},
		{"grid", func() (*plot.Image, error) { return GridFigure(a, "X_umap", "clusters") }},
		{"scatter categorical", func() (*plot.Image, error) { return ScatterFigure(a, "umap", "clusters") }},
		{"scatter numeric", func() (*plot.Image, error) { return ScatterFigure(a, "umap", "velocity_confidence") }},
		{"phase", func() (*plot.Image, error) { return PhaseFigure(a, top, "clusters") }},
		{"phase uncoloured", func() (*plot.Image, error) { return PhaseFigure(a, top[:1], "") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im, err := tc.draw()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := im.Encode(&buf, plot.PNG); err != nil {
				t.Fatal(err)
			}
			dec, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			notBlank(t, tc.name, dec)
		})
	}
}

func TestFigureErrors(t *testing.T) {
	a := result(t)
	noVel := *a
	noVel.Obsm = map[string]*array.Dense{"X_umap": a.Obsm["X_umap"]}
	tests := []struct {
		name string
		draw func() error
		want string
	}{
		{"missing velocity_umap", func() error { _, err := StreamFigure(&noVel, "umap", ""); return err }, "run velo run first: obsm velocity_umap is missing"},
		{"missing basis", func() error { _, err := ScatterFigure(a, "tsne", "clusters"); return err }, "X_tsne is missing"},
		{"unknown colour", func() error { _, err := ScatterFigure(a, "umap", "nope"); return err }, `"nope"`},
		{"unknown genes", func() error { _, err := PhaseFigure(a, []string{a.Var.Index[0], "NoSuch1", "NoSuch2"}, ""); return err }, "NoSuch1, NoSuch2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.draw()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestTopVelocityGenes(t *testing.T) {
	a := result(t)
	top, err := TopVelocityGenes(a, 6)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := GeneStats(a, top)
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range stats {
		if !s.VelocityGene {
			t.Errorf("%s is not a velocity gene", s.Gene)
		}
		if k > 0 && s.R2 > stats[k-1].R2 {
			t.Errorf("r² not decreasing: %s %g after %s %g", s.Gene, s.R2, stats[k-1].Gene, stats[k-1].R2)
		}
		if !(s.CILow <= s.Gamma && s.Gamma <= s.CIHigh) {
			t.Errorf("%s: γ %g outside its interval [%g, %g]", s.Gene, s.Gamma, s.CILow, s.CIHigh)
		}
	}
}

var dataPNG = regexp.MustCompile(`<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)

func TestBuild(t *testing.T) {
	a := result(t)
	var buf bytes.Buffer
	err := Build(&buf, a, Options{Source: "sim.h5ad", Edges: [][2]string{{"Progenitor", "Intermediate"}, {"Intermediate", "Fate A"}}})
	if err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, h := range []string{"<h2>Dataset</h2>", "<h2>Filtering and quality control</h2>", "<h2>Velocity stream</h2>",
		"<h2>Phase portraits</h2>", "<h2>Fitted genes</h2>", "<h2>Confidence and pseudotime</h2>", "<h2>Direction scores</h2>",
		"Progenitor → Intermediate", "initial_size_unspliced", "optimistic"} {
		if !strings.Contains(html, h) {
			t.Errorf("report lacks %q", h)
		}
	}
	for _, bad := range []string{"http://", "https://", "ZgotmplZ"} {
		if strings.Contains(html, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	imgs := dataPNG.FindAllStringSubmatch(html, -1)
	// stream, phase, confidence and pseudotime
	if len(imgs) != 4 {
		t.Fatalf("%d embedded PNG images, want 4", len(imgs))
	}
	for k, m := range imgs {
		raw, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatalf("image %d: %v", k, err)
		}
		im, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("image %d: %v", k, err)
		}
		notBlank(t, "embedded image", im)
	}
}
