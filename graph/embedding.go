package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// EmbeddingOptions configures VelocityEmbedding. The zero value is scVelo's
// tl.velocity_embedding defaults with matplotlib's default figure for the
// arrow autoscale.
type EmbeddingOptions struct {
	// Basis names the embedding obsm["X_<basis>"] (default: the last of
	// pca, tsne, umap present, as scVelo).
	Basis string
	// VKey prefixes the graph keys and names the output (default
	// "velocity").
	VKey string
	// Scale is the transition kernel scale (default 10).
	Scale float64
	// NoSelfTransitions leaves self-transition probabilities out of the
	// row normalisation (scVelo self_transitions=False).
	NoSelfTransitions bool
	// NoNegativeCosines gives negative cosines small positive weights
	// instead of pushing arrows away from those cells (scVelo
	// use_negative_cosines=False; the default is True).
	NoNegativeCosines bool
	// DirectPCAProjection projects centred velocities on varm["PCs"]
	// instead of using the transition matrix (basis pca only; scVelo
	// direct_pca_projection).
	DirectPCAProjection bool
	// NoAutoscale skips dividing the arrows by 3× matplotlib's quiver
	// autoscale (scVelo autoscale=False).
	NoAutoscale bool
	// AxesAspect is the plot's axes height divided by its width in
	// pixels, which the quiver autoscale depends on (default 0.7451613:
	// matplotlib's default 6.4×4.8 in figure with subplot margins
	// .125/.9/.11/.88, the setting scVelo's reference outputs were made
	// with; scVelo's set_figure_params gives 304/468).
	AxesAspect float64
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// matplotlibAspect is the pixel height/width ratio of the axes of
// matplotlib's default figure: (4.8·(0.88−0.11)) / (6.4·(0.9−0.125)).
const matplotlibAspect = 369.6 / 496

// matplotlibMargin is matplotlib's default axes.xmargin and axes.ymargin.
const matplotlibMargin = 0.05

const embeddingChunk = 256

// VelocityEmbedding projects velocities into an embedding
// (tl.velocity_embedding): with T the transition matrix (negative cosines
// as negative weights by default) without its diagonal, cell i's arrow is
// Σ_j T_ij·u_ij − mean_j(T_ij)·Σ_j u_ij over the cells j of row i, u_ij
// being the unit vector from E_i to E_j in obsm["X_<basis>"] (all its
// columns). Coincident points give u = 0; cells with empty rows get NaN
// arrows.
//
// It stores the arrows divided by 3× matplotlib's quiver autoscale as
// obsm["<vkey>_<basis>"] (undivided with NoAutoscale) and always the
// undivided arrows as obsm["<vkey>_<basis>_raw"], and appends basis to
// uns[<vkey>_params]["embeddings"].
func VelocityEmbedding(ctx context.Context, a *anndata.AnnData, opts EmbeddingOptions) error {
	vkey := orDefault(opts.VKey, defaultVKey)
	basis := opts.Basis
	if basis == "" {
		for _, b := range []string{"pca", "tsne", "umap"} {
			if _, ok := a.Obsm["X_"+b]; ok {
				basis = b
			}
		}
		if basis == "" {
			return fmt.Errorf("velocity embedding: no basis given and none of obsm X_pca, X_tsne, X_umap exists")
		}
		if opts.DirectPCAProjection {
			basis = "pca"
		}
	}
	emb, ok := a.Obsm["X_"+basis]
	if !ok || emb == nil {
		return fmt.Errorf("velocity embedding: obsm %q is missing: compute the embedding first", "X_"+basis)
	}
	if emb.Rows != a.NObs() {
		return fmt.Errorf("velocity embedding: obsm %q has %d rows, want %d", "X_"+basis, emb.Rows, a.NObs())
	}
	if emb.Cols < 2 && !opts.NoAutoscale {
		return fmt.Errorf("velocity embedding: obsm %q has %d column, the autoscale needs two", "X_"+basis, emb.Cols)
	}
	var raw *array.Dense
	var err error
	if opts.DirectPCAProjection && strings.Contains(basis, "pca") {
		raw, err = directPCAProjection(a, vkey, emb.Cols)
	} else {
		raw, err = transitionProjection(ctx, a, vkey, emb, opts)
	}
	if err != nil {
		return fmt.Errorf("velocity embedding: %w", err)
	}
	out := raw.Clone()
	if !opts.NoAutoscale {
		aspect := opts.AxesAspect
		if aspect == 0 {
			aspect = matplotlibAspect
		}
		if s := quiverAutoscale(emb, raw, aspect); s > 0 && !math.IsInf(s, 0) {
			for k, v := range out.Data {
				out.Data[k] = float32(float64(v) / (3 * s))
			}
		}
	}
	if a.Obsm == nil {
		a.Obsm = map[string]*array.Dense{}
	}
	a.Obsm[vkey+"_"+basis] = out
	a.Obsm[vkey+"_"+basis+"_raw"] = raw
	p := velocityParams(a, vkey)
	var list []string
	switch e := p["embeddings"].(type) {
	case []string:
		list = slices.Clone(e)
	case string:
		list = []string{e}
	}
	p["embeddings"] = append(list, basis)
	return nil
}

// transitionProjection computes the arrows from the transition matrix.
func transitionProjection(ctx context.Context, a *anndata.AnnData, vkey string, emb *array.Dense, opts EmbeddingOptions) (*array.Dense, error) {
	kern, err := newTransitionKernel(a, TransitionOptions{
		VKey:               vkey,
		Scale:              opts.Scale,
		NoSelfTransitions:  opts.NoSelfTransitions,
		UseNegativeCosines: !opts.NoNegativeCosines,
	})
	if err != nil {
		return nil, err
	}
	n, d := emb.Rows, emb.Cols
	out := array.NewDense(n, d)
	order := cellOrder(a)
	parallel.For(n, embeddingChunk, opts.Threads, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		u := make([]float64, d)
		sumP := make([]float64, d)
		sumU := make([]float64, d)
		var idx []int32
		var val []float32
		for _, ci := range order[lo:hi] {
			i := int(ci)
			// Row i of the transition matrix, made from the graphs here
			// rather than stored for all cells.
			idx, val = kern.row(i, idx, val)
			normalizeAbs(val)
			clear(sumP)
			clear(sumU)
			var ps float64
			cnt := 0
			ei := emb.Row(i)
			for k, j := range idx {
				if int(j) == i || val[k] == 0 {
					continue // scVelo sets the diagonal to 0 and drops zeros
				}
				ej := emb.Row(int(j))
				var nn float64
				for c := range u {
					u[c] = float64(ej[c] - ei[c])
					nn += u[c] * u[c]
				}
				p := float64(val[k])
				ps += p
				cnt++
				if nn == 0 {
					continue // coincident points: NaN → 0 in scVelo
				}
				inv := 1 / math.Sqrt(nn)
				for c, x := range u {
					x *= inv
					sumP[c] += p * x
					sumU[c] += x
				}
			}
			row := out.Row(i)
			if cnt == 0 {
				for c := range row {
					row[c] = float32(math.NaN())
				}
				continue
			}
			mean := ps / float64(cnt)
			for c := range row {
				row[c] = float32(sumP[c] - mean*sumU[c])
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// directPCAProjection projects the centred velocities of the velocity genes
// on the principal axes varm["PCs"] (scVelo direct_pca_projection:
// (V − column means)·PCs).
func directPCAProjection(a *anndata.AnnData, vkey string, ncomp int) (*array.Dense, error) {
	vlayer, err := layerOf(a, vkey)
	if err != nil {
		return nil, err
	}
	pcs, ok := a.Varm["PCs"]
	if !ok || pcs == nil || pcs.Rows != a.NVars() {
		return nil, fmt.Errorf("varm %q is missing or does not cover every gene", "PCs")
	}
	genes, err := velocityGenes(a, vkey, vlayer)
	if err != nil {
		return nil, err
	}
	ncomp = min(ncomp, pcs.Cols)
	v := gatherRows(vlayer, genes, 0)
	n, g := v.Rows, len(genes)
	means := make([]float64, g)
	for i := 0; i < n; i++ {
		for k, x := range v.Row(i) {
			means[k] += float64(x)
		}
	}
	for k := range means {
		means[k] /= float64(n)
	}
	out := array.NewDense(n, ncomp)
	for i := 0; i < n; i++ {
		row, dst := v.Row(i), out.Row(i)
		for c := 0; c < ncomp; c++ {
			var s float64
			for k, gene := range genes {
				s += (float64(row[k]) - means[k]) * float64(pcs.At(gene, c))
			}
			dst[c] = float32(s)
		}
	}
	return out, nil
}

// quiverAutoscale returns the scale matplotlib's quiver chooses for arrows
// v at positions e (first two columns) with scale_units="xy", in data units,
// which is what scVelo's quiver_autoscale returns:
// 1.8/(1+2m) · max(10, √N) · mean_i √((v_i1/R_x)² + (v_i2·ρ/R_y)²), with R
// the data ranges, m the axes margins and ρ the axes aspect in pixels.
// Arrows with a non-finite component are left out of the mean but count in
// N, as matplotlib masks them.
func quiverAutoscale(e, v *array.Dense, aspect float64) float64 {
	n := e.Rows
	if n == 0 {
		return 0
	}
	minX, maxX := math.Inf(1), math.Inf(-1)
	minY, maxY := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		x, y := float64(e.At(i, 0)), float64(e.At(i, 1))
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	rx, ry := maxX-minX, maxY-minY
	if !(rx > 0) || !(ry > 0) {
		return 0
	}
	var sum float64
	cnt := 0
	for i := 0; i < n; i++ {
		u, w := float64(v.At(i, 0)), float64(v.At(i, 1))
		if math.IsNaN(u) || math.IsNaN(w) || math.IsInf(u, 0) || math.IsInf(w, 0) {
			continue
		}
		sum += math.Hypot(u/rx, w*aspect/ry)
		cnt++
	}
	if cnt == 0 {
		return 0
	}
	return 1.8 / (1 + 2*matplotlibMargin) * math.Max(10, math.Sqrt(float64(n))) * sum / float64(cnt)
}
