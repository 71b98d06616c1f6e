package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/plot"
)

// defaultGenes is how many genes the report shows phase portraits of when
// none are named: six fill two rows of the phase figure.
const defaultGenes = 6

// Options choose what a report shows.
type Options struct {
	// Title heads the page; "" means "velo report".
	Title string
	// Source names the input file in the summary; "" omits it.
	Source string
	// Basis is the embedding of the stream and score plots; "" means "umap".
	Basis string
	// ColorKey is the obs column cells are coloured by; "" means
	// DefaultColorKey.
	ColorKey string
	// ClusterKey is the obs column CBDir and ICCoh group cells by; "" means
	// "clusters".
	ClusterKey string
	// Genes get phase portraits and a table row; nil means the six velocity
	// genes with the highest r².
	Genes []string
	// Edges are the expected transitions CBDir scores; nil skips the
	// direction scores.
	Edges [][2]string
}

// figure is one embedded image with its caption.
type figure struct {
	Caption string
	// Img is the complete <img> element. It is built by embed rather than
	// by the template because html/template would escape the '+' of the
	// base64 text as an entity, which browsers accept but other readers
	// of the file do not expect.
	Img template.HTML
}

// page is what the template renders.
type page struct {
	Title, Source string
	Summary       Summary
	ColorKey      string
	Stream        figure
	Phase         figure
	Genes         []GeneStat
	CILevel       string
	Scatters      []figure
	Scores        *Scores
}

// Write builds the report of a and writes it to path atomically.
func Write(path string, a *anndata.AnnData, opts Options) error {
	var buf bytes.Buffer
	if err := Build(&buf, a, opts); err != nil {
		return err
	}
	return plot.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// Build writes the report of a to w as one self-contained HTML page: images
// are embedded as base64 PNG and the style is inline, so the file opens
// offline and can be mailed as is.
func Build(w io.Writer, a *anndata.AnnData, opts Options) error {
	p := page{Title: opts.Title, Source: opts.Source, Summary: Summarize(a), ColorKey: opts.ColorKey}
	if p.Title == "" {
		p.Title = "velo report"
	}
	if p.ColorKey == "" {
		p.ColorKey = DefaultColorKey(a)
	}
	if lvl, ok := velocityParam(a, "gamma_ci"); ok {
		p.CILevel = fmt.Sprintf("%g%%", 100*lvl)
	}
	im, err := StreamFigure(a, opts.Basis, p.ColorKey)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if p.Stream, err = embed("velocity stream plot", im); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	genes := opts.Genes
	if genes == nil {
		if genes, err = TopVelocityGenes(a, defaultGenes); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if len(genes) > 0 {
		im, err := PhaseFigure(a, genes, p.ColorKey)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if p.Phase, err = embed("phase portraits", im); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if p.Genes, err = GeneStats(a, genes); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	for _, key := range []string{"velocity_confidence", "velocity_pseudotime"} {
		if !a.Obs.Has(key) {
			continue
		}
		im, err := ScatterFigure(a, opts.Basis, key)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		f, err := embed(key, im)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		p.Scatters = append(p.Scatters, f)
	}
	if len(opts.Edges) > 0 {
		if p.Scores, err = ComputeScores(a, opts.Basis, opts.ClusterKey, opts.Edges); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// velocityParam reads a numeric entry of uns velocity_params.
func velocityParam(a *anndata.AnnData, key string) (float64, bool) {
	p, _ := a.Uns["velocity_params"].(map[string]any)
	switch v := p[key].(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// embed encodes a figure as an <img> element holding a PNG data URL, with
// alt as its alternative text.
func embed(alt string, im *plot.Image) (figure, error) {
	var buf bytes.Buffer
	if err := im.Encode(&buf, plot.PNG); err != nil {
		return figure{}, err
	}
	// Base64 text needs no escaping; the alternative text does.
	tag := `<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(buf.Bytes()) +
		`" alt="` + html.EscapeString(alt) + `">`
	return figure{Caption: alt, Img: template.HTML(tag)}, nil
}

// num prints a number for the tables: four significant digits, "–" for NaN.
func num(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.4g", x)
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"num": num}).Parse(pageHTML))
