package velocity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// Tolerances against scVelo 0.3.3. scVelo sums in float32 and velo in
// float64, so γ differs by float32 rounding of sums over a few hundred cells
// (~1e-6 relative; 1e-4 leaves room for the stochastic model, whose second
// moments velo also accumulates in float64). Velocities are compared
// relative to each gene's largest value because Mu − γ·Ms cancels.
const (
	refGammaRel = 1e-4
	refR2Abs    = 1e-4
	refLayerRel = 1e-4
)

// referenceInput is scVelo's input to tl.velocity: the preprocessed data
// (normalised layers, graph, var) with Ms and Mu from moments.h5ad.
func referenceInput(t *testing.T, dataset string) *anndata.AnnData {
	t.Helper()
	a := readH5AD(t, testenv.Path(t, "reference", dataset, "preprocessed.h5ad"))
	m := readH5AD(t, testenv.Path(t, "reference", dataset, "moments.h5ad"))
	if !slices.Equal(a.Var.Index, m.Var.Index) || !slices.Equal(a.Obs.Index, m.Obs.Index) {
		t.Fatal("preprocessed.h5ad and moments.h5ad disagree on cells or genes")
	}
	for _, k := range []string{"Ms", "Mu"} {
		l, ok := m.Layers[k]
		if !ok {
			t.Fatalf("moments.h5ad has no layer %s", k)
		}
		a.Layers[k] = l
	}
	return a
}

func readH5AD(t *testing.T, path string) *anndata.AnnData {
	t.Helper()
	a, err := h5ad.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func floatColumn(t *testing.T, a *anndata.AnnData, name string) []float64 {
	t.Helper()
	v, err := a.Var.Float64(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// genesColumn returns var velocity_genes, or nil when scVelo omitted it
// (constant).
func genesColumn(t *testing.T, a *anndata.AnnData) []bool {
	t.Helper()
	if !a.Var.Has("velocity_genes") {
		return nil
	}
	b, err := a.Var.Bool("velocity_genes")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// layerDiff returns the largest over genes of max_i |got − want| divided by
// max_i |want| (genes whose reference is all zero must match exactly).
func layerDiff(t *testing.T, got, want array.Matrix) float64 {
	t.Helper()
	g, w := array.AsDense(got), array.AsDense(want)
	if g.Rows != w.Rows || g.Cols != w.Cols {
		t.Fatalf("layer is %d×%d, reference %d×%d", g.Rows, g.Cols, w.Rows, w.Cols)
	}
	worst := 0.0
	for j := 0; j < w.Cols; j++ {
		var diff, scale float64
		for i := 0; i < w.Rows; i++ {
			diff = math.Max(diff, math.Abs(float64(g.At(i, j))-float64(w.At(i, j))))
			scale = math.Max(scale, math.Abs(float64(w.At(i, j))))
		}
		switch {
		case scale > 0:
			worst = math.Max(worst, diff/scale)
		case diff > 0:
			worst = math.Inf(1)
		}
	}
	return worst
}

func TestAgainstScVelo(t *testing.T) {
	for _, dataset := range []string{"pancreas_50obs", "pancreas"} {
		for _, mode := range []string{ModeDeterministic, ModeStochastic} {
			t.Run(dataset+"/"+mode, func(t *testing.T) {
				a := referenceInput(t, dataset)
				ref := readH5AD(t, testenv.Path(t, "reference", dataset, mode+".h5ad"))
				if err := Velocity(context.Background(), a, Options{Mode: mode}); err != nil {
					t.Fatal(err)
				}
				compareWithReference(t, a, ref, mode)
			})
		}
	}
}

func compareWithReference(t *testing.T, a, ref *anndata.AnnData, mode string) {
	refGenes, genes := genesColumn(t, ref), genesColumn(t, a)
	if !slices.Equal(genes, refGenes) {
		t.Errorf("velocity_genes differ: %d velo genes, %d scVelo genes", countTrue(genes), countTrue(refGenes))
	}
	gamma, refGamma := floatColumn(t, a, "velocity_gamma"), floatColumn(t, ref, "velocity_gamma")
	worstGamma, worstGene := 0.0, -1
	for g := range refGamma {
		if mode == ModeStochastic && refGenes != nil && !refGenes[g] {
			continue // only the velocity genes are refit
		}
		if math.Abs(refGamma[g]) <= 1e-3 {
			continue
		}
		if rel := math.Abs(gamma[g]-refGamma[g]) / math.Abs(refGamma[g]); rel > worstGamma {
			worstGamma, worstGene = rel, g
		}
	}
	if worstGamma > refGammaRel {
		t.Errorf("γ relative error %.3g at gene %d (velo %v, scVelo %v)", worstGamma, worstGene, gamma[worstGene], refGamma[worstGene])
	}
	var worstR2 float64
	r2, refR2 := floatColumn(t, a, "velocity_r2"), floatColumn(t, ref, "velocity_r2")
	for g := range refR2 {
		worstR2 = math.Max(worstR2, math.Abs(r2[g]-refR2[g]))
	}
	if worstR2 > refR2Abs {
		t.Errorf("r2 max abs diff %.3g", worstR2)
	}
	var qreg float64
	if mode == ModeStochastic {
		q, refQ := floatColumn(t, a, "velocity_qreg_ratio"), floatColumn(t, ref, "velocity_qreg_ratio")
		for g := range refQ {
			if math.Abs(refQ[g]) > 1e-3 {
				qreg = math.Max(qreg, math.Abs(q[g]-refQ[g])/math.Abs(refQ[g]))
			}
		}
		if qreg > refGammaRel {
			t.Errorf("qreg_ratio relative error %.3g", qreg)
		}
	}
	layers := []string{"velocity"}
	if mode == ModeStochastic {
		layers = append(layers, "variance_velocity")
	}
	se := floatColumn(t, a, "velocity_gamma_se")
	for g, v := range genes {
		if v && !(se[g] >= 0) {
			t.Errorf("velocity gene %d has SE %v", g, se[g])
		}
	}
	msg := fmt.Sprintf("%s: %d velocity genes; max γ rel err %.3g, max r2 abs diff %.3g", t.Name(), countTrue(genes), worstGamma, worstR2)
	if mode == ModeStochastic {
		msg += fmt.Sprintf(", max qreg rel err %.3g", qreg)
	}
	for _, l := range layers {
		d := layerDiff(t, a.Layers[l], ref.Layers[l])
		msg += fmt.Sprintf(", %s max|diff|/gene max %.3g", l, d)
		if d > refLayerRel {
			t.Errorf("%s: max |diff| / gene max %.3g", l, d)
		}
	}
	t.Log(msg)
	for _, k := range []string{"velocity_offset", "velocity_offset2", "velocity_beta"} {
		if a.Var.Has(k) != ref.Var.Has(k) {
			t.Errorf("var %s present %v, scVelo %v", k, a.Var.Has(k), ref.Var.Has(k))
		}
	}
	params := a.Uns["velocity_params"].(map[string]any)
	refParams, ok := ref.Uns["velocity_params"].(map[string]any)
	if !ok {
		t.Fatalf("reference uns velocity_params is %T", ref.Uns["velocity_params"])
	}
	for _, k := range []string{"mode", "fit_offset", "perc"} {
		if fmt.Sprintf("%T %v", params[k], params[k]) != fmt.Sprintf("%T %v", refParams[k], refParams[k]) {
			t.Errorf("velocity_params[%s] = %T %v, scVelo %T %v", k, params[k], params[k], refParams[k], refParams[k])
		}
	}
}
