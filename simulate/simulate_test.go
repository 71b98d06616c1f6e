package simulate

import (
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

func mustSimulate(t *testing.T, o Options) *anndata.AnnData {
	t.Helper()
	ad, err := Simulate(o)
	if err != nil {
		t.Fatalf("Simulate(%+v): %v", o, err)
	}
	return ad
}

func csrLayer(t *testing.T, ad *anndata.AnnData, name string) *array.CSR {
	t.Helper()
	m, err := ad.Layer(name)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := m.(*array.CSR)
	if !ok {
		t.Fatalf("layer %s is %T, want *array.CSR", name, m)
	}
	return c
}

func floatColumn(t *testing.T, f *anndata.Frame, name string) []float64 {
	t.Helper()
	d, ok := f.Get(name)
	if !ok {
		t.Fatalf("column %s is missing", name)
	}
	x, ok := d.([]float64)
	if !ok {
		t.Fatalf("column %s is %T, want []float64", name, d)
	}
	return x
}

func categorical(t *testing.T, f *anndata.Frame, name string) *anndata.Categorical {
	t.Helper()
	d, ok := f.Get(name)
	if !ok {
		t.Fatalf("column %s is missing", name)
	}
	c, ok := d.(*anndata.Categorical)
	if !ok {
		t.Fatalf("column %s is %T, want *anndata.Categorical", name, d)
	}
	return c
}

func sameCSR(a, b *array.CSR) bool {
	return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(a.Indptr, b.Indptr) &&
		slices.Equal(a.Indices, b.Indices) && slices.Equal(a.Data, b.Data)
}

func TestDefaultsShapesAndNames(t *testing.T) {
	ad := mustSimulate(t, Options{})
	if ad.NObs() != DefaultCells || ad.NVars() != DefaultGenes {
		t.Fatalf("shape %d×%d, want %d×%d", ad.NObs(), ad.NVars(), DefaultCells, DefaultGenes)
	}
	if err := ad.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got, want string
	}{
		{ad.Obs.Index[0], "cell0001"}, {ad.Obs.Index[999], "cell1000"},
		{ad.Var.Index[0], "Gene001"}, {ad.Var.Index[299], "Gene300"},
	} {
		if c.got != c.want {
			t.Errorf("name %q, want %q", c.got, c.want)
		}
	}
	s, u := csrLayer(t, ad, "spliced"), csrLayer(t, ad, "unspliced")
	x, ok := ad.X.(*array.CSR)
	if !ok || !sameCSR(x, s) {
		t.Fatalf("X (%T) is not equal to the spliced layer", ad.X)
	}
	if len(x.Data) > 0 && &x.Data[0] == &s.Data[0] {
		t.Error("X shares storage with the spliced layer; it must be a copy")
	}
	for name, m := range map[string]*array.CSR{"spliced": s, "unspliced": u} {
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, v := range m.Data {
			if v <= 0 || v != float32(math.Round(float64(v))) {
				t.Fatalf("%s holds %g, want positive integers only", name, v)
			}
		}
	}
	if v, ok := ad.Layers["true_velocity"].(*array.Dense); !ok || v.Rows != DefaultCells || v.Cols != DefaultGenes {
		t.Errorf("true_velocity is %T, want a %d×%d dense layer", ad.Layers["true_velocity"], DefaultCells, DefaultGenes)
	}
	clusters := categorical(t, ad.Obs, "clusters")
	if want := []string{"Progenitor", "Intermediate", "Fate A", "Fate B"}; !slices.Equal(clusters.Categories, want) {
		t.Errorf("cluster categories %q, want %q", clusters.Categories, want)
	}
	perCluster := make([]int, len(clusters.Categories))
	for _, c := range clusters.Codes {
		perCluster[c]++
	}
	for k, n := range perCluster {
		if n < DefaultCells/8 {
			t.Errorf("cluster %s has %d cells", clusters.Categories[k], n)
		}
	}
	if colors, ok := ad.Uns["clusters_colors"].([]string); !ok || len(colors) != len(clusters.Categories) {
		t.Errorf("uns clusters_colors = %v, want one colour per cluster", ad.Uns["clusters_colors"])
	}
	sim, ok := ad.Uns["simulation"].(map[string]any)
	if !ok {
		t.Fatalf("uns simulation is %T", ad.Uns["simulation"])
	}
	for k, want := range map[string]any{"cells": int64(1000), "genes": int64(300), "seed": int64(0), "fates": int64(2), "version": Version} {
		if sim[k] != want {
			t.Errorf("uns simulation[%s] = %v, want %v", k, sim[k], want)
		}
	}
}

func TestObsAndVarColumns(t *testing.T) {
	for _, fates := range []int{2, 3} {
		ad := mustSimulate(t, Options{Cells: 600, Genes: 120, Seed: 9, Fates: fates})
		tt := floatColumn(t, ad.Obs, "true_t")
		size := floatColumn(t, ad.Obs, "true_size_factor")
		clusters := categorical(t, ad.Obs, "clusters")
		branch := categorical(t, ad.Obs, "branch")
		if len(branch.Categories) != fates+1 || len(clusters.Categories) != fates+2 {
			t.Fatalf("fates=%d: %d branches and %d clusters", fates, len(branch.Categories), len(clusters.Categories))
		}
		var meanSize float64
		for i, ti := range tt {
			meanSize += size[i] / float64(len(size))
			cl, br := clusters.Value(i), branch.Value(i)
			var want string
			switch {
			case ti < 0 || ti >= tMax:
				t.Fatalf("cell %d: true_t %g outside [0, %g)", i, ti, tMax)
			case ti < tIntermediate:
				want = "Progenitor"
			case ti < tBranch:
				want = "Intermediate"
			default:
				want = "Fate " + br
			}
			if cl != want || (ti < tBranch) != (br == "trunk") {
				t.Fatalf("cell %d at t=%g: cluster %q and branch %q disagree", i, ti, cl, br)
			}
		}
		// Log-normal with σ = 0.4 and mean 1: the mean of 600 draws has a
		// standard error of 0.017.
		if math.Abs(meanSize-1) > 0.085 {
			t.Errorf("mean size factor %.3f, want 1", meanSize)
		}
		gamma := floatColumn(t, ad.Var, "true_gamma")
		betas := floatColumn(t, ad.Var, "true_beta")
		alpha := floatColumn(t, ad.Var, "true_alpha")
		for g := range gamma {
			if gamma[g] < gammaMin || gamma[g] > gammaMax || betas[g] != 1 || !(alpha[g] > 0) {
				t.Fatalf("gene %d: α=%g β=%g γ=%g", g, alpha[g], betas[g], gamma[g])
			}
		}
		prog := categorical(t, ad.Var, "true_program")
		fate := categorical(t, ad.Var, "true_fate")
		seen := make([]int, len(prog.Categories))
		marks := make([]int, fates)
		for g, c := range prog.Codes {
			seen[c]++
			specific := prog.Categories[c] == "fate-induced" || prog.Categories[c] == "fate-switch"
			if specific != (fate.Codes[g] >= 0) {
				t.Fatalf("gene %d (%s) has fate code %d", g, prog.Categories[c], fate.Codes[g])
			}
			if specific {
				marks[fate.Codes[g]]++
			}
		}
		for f, n := range marks {
			if n == 0 {
				t.Errorf("fates=%d: no gene marks %s", fates, fate.Categories[f])
			}
		}
		for k, n := range seen {
			if n == 0 {
				t.Errorf("fates=%d: no %s gene", fates, prog.Categories[k])
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	base := Options{Cells: 1100, Genes: 150, Seed: 42, Threads: 1}
	ref := mustSimulate(t, base)
	for _, c := range []struct {
		name string
		opts Options
		same bool
	}{
		{"same seed", base, true},
		{"four threads", Options{Cells: 1100, Genes: 150, Seed: 42, Threads: 4}, true},
		{"other seed", Options{Cells: 1100, Genes: 150, Seed: 43, Threads: 1}, false},
	} {
		ad := mustSimulate(t, c.opts)
		for _, layer := range []string{"spliced", "unspliced"} {
			if got := sameCSR(csrLayer(t, ad, layer), csrLayer(t, ref, layer)); got != c.same {
				t.Errorf("%s: %s identical = %v, want %v", c.name, layer, got, c.same)
			}
		}
		v, rv := ad.Layers["true_velocity"].(*array.Dense), ref.Layers["true_velocity"].(*array.Dense)
		if got := slices.Equal(v.Data, rv.Data); got != c.same {
			t.Errorf("%s: true_velocity identical = %v, want %v", c.name, got, c.same)
		}
		if got := slices.Equal(floatColumn(t, ad.Obs, "true_t"), floatColumn(t, ref.Obs, "true_t")); got != c.same {
			t.Errorf("%s: true_t identical = %v, want %v", c.name, got, c.same)
		}
	}
}

// At the default scale the counts are about as sparse as droplet data
// (pancreas: 33% of spliced and 9% of unspliced entries are non-zero).
func TestSparsity(t *testing.T) {
	for _, o := range []Options{{}, {Seed: 1}, {Seed: 2}, {Seed: 3, Fates: 3}, {Cells: 3000, Genes: 1000, Seed: 4}} {
		ad := mustSimulate(t, o)
		n := float64(ad.NObs() * ad.NVars())
		fs := float64(csrLayer(t, ad, "spliced").NNZ()) / n
		fu := float64(csrLayer(t, ad, "unspliced").NNZ()) / n
		t.Logf("%+v: spliced %.3f, unspliced %.3f non-zero", o, fs, fu)
		if fs < 0.24 || fs > 0.36 {
			t.Errorf("%+v: %.3f of spliced counts non-zero, want 0.30 ± 0.06", o, fs)
		}
		if fu < 0.07 || fu > 0.13 {
			t.Errorf("%+v: %.3f of unspliced counts non-zero, want 0.10 ± 0.03", o, fu)
		}
	}
}

// noiseFree returns the noise-free abundances of every cell and gene,
// recomputed from the recorded latent time, fate and the genes' kinetics.
func noiseFree(o Options, tt []float64, fate []int) (u, s [][]float64) {
	r, err := o.resolved()
	if err != nil {
		panic(err)
	}
	genes := drawGenes(newRand(r.Seed, geneStream, 0), r.Genes, r.Fates)
	u, s = make([][]float64, len(tt)), make([][]float64, len(tt))
	for i, ti := range tt {
		u[i], s[i] = make([]float64, len(genes)), make([]float64, len(genes))
		for g := range genes {
			u[i][g], s[i][g] = genes[g].paths[fate[i]].at(ti, math.Exp(-beta*ti))
		}
	}
	return u, s
}

// cellFates recovers the lineage of every cell from the branch column; trunk
// cells follow lineage 0, which agrees with all others before the branch.
func cellFates(t *testing.T, ad *anndata.AnnData) []int {
	br := categorical(t, ad.Obs, "branch")
	f := make([]int, len(br.Codes))
	for i, c := range br.Codes {
		f[i] = max(int(c)-1, 0)
	}
	return f
}

func TestTrueVelocityIsNoiseFreeDerivative(t *testing.T) {
	o := Options{Cells: 500, Genes: 80, Seed: 17}
	ad := mustSimulate(t, o)
	tt := floatColumn(t, ad.Obs, "true_t")
	gamma := floatColumn(t, ad.Var, "true_gamma")
	beta := floatColumn(t, ad.Var, "true_beta")
	u, s := noiseFree(o, tt, cellFates(t, ad))
	vel := ad.Layers["true_velocity"].(*array.Dense)
	for i := range tt {
		for g := range gamma {
			want := float32(beta[g]*u[i][g] - gamma[g]*s[i][g])
			if got := vel.At(i, g); got != want {
				t.Fatalf("cell %d gene %d: true_velocity %g, want βu − γs = %g", i, g, got, want)
			}
		}
	}
}

// Each gene's total count over all cells is a Poisson draw around the sum of
// the cells' expected counts (size factor × noise-free abundance).
func TestCountsFollowExpectedValues(t *testing.T) {
	o := Options{Cells: 2000, Genes: 150, Seed: 23}
	ad := mustSimulate(t, o)
	tt := floatColumn(t, ad.Obs, "true_t")
	size := floatColumn(t, ad.Obs, "true_size_factor")
	u, s := noiseFree(o, tt, cellFates(t, ad))
	for _, layer := range []struct {
		name string
		mean [][]float64
	}{{"unspliced", u}, {"spliced", s}} {
		m := csrLayer(t, ad, layer.name)
		got := make([]float64, ad.NVars())
		for k, j := range m.Indices {
			got[j] += float64(m.Data[k])
		}
		var gotAll, wantAll float64
		for g := range got {
			var want float64
			for i := range tt {
				want += size[i] * layer.mean[i][g]
			}
			// Five standard deviations of a Poisson total, plus one count
			// of slack for nearly silent genes.
			if math.Abs(got[g]-want) > 5*math.Sqrt(want)+1 {
				t.Errorf("%s gene %d: %g counts, want %.1f", layer.name, g, got[g], want)
			}
			gotAll += got[g]
			wantAll += want
		}
		// The grand total is a Poisson draw too, with a relative standard
		// error under 0.5%, so a scale error of a few percent shows here.
		if math.Abs(gotAll-wantAll) > 5*math.Sqrt(wantAll) {
			t.Errorf("%s: %g counts in all, want %.1f", layer.name, gotAll, wantAll)
		}
	}
}

// Phase-portrait sanity: cells of an induced gene lie above the steady-state
// line u = γs (positive velocity) once the gene switches on, those of a
// repressed gene below it once it switches off; in the noise-free values for
// every cell, and in the counts pooled over the cells just after the switch.
func TestPhasePortraitSides(t *testing.T) {
	o := Options{Cells: 3000, Genes: 200, Seed: 5}
	ad := mustSimulate(t, o)
	tt := floatColumn(t, ad.Obs, "true_t")
	size := floatColumn(t, ad.Obs, "true_size_factor")
	vel := ad.Layers["true_velocity"].(*array.Dense)
	sc, uc := csrLayer(t, ad, "spliced").ToDense(), csrLayer(t, ad, "unspliced").ToDense()
	genes := drawGenes(newRand(o.Seed, geneStream, 0), o.Genes, DefaultFates)
	checked, agree := 0, 0
	for g, gm := range genes {
		if gm.program != induced && gm.program != repressed {
			continue
		}
		on := gm.program == induced
		sw := gm.paths[0].seg[1].start
		var pooled float64
		for i, ti := range tt {
			v := vel.At(i, g)
			if ti > sw && ((on && v <= 0) || (!on && v >= 0)) {
				t.Fatalf("%s gene %d switched at %.2f: velocity %g at t=%.2f", programNames[gm.program], g, sw, v, ti)
			}
			if ti > sw && ti < sw+1/gm.gamma {
				pooled += float64(uc.At(i, g)-float32(gm.gamma)*sc.At(i, g)) / size[i]
			}
		}
		checked++
		if (pooled > 0) == on {
			agree++
		}
	}
	// Per gene the pooled counts are noisy (lowly expressed genes have
	// few counts), so require the right side for most genes, not all.
	if checked < 20 || float64(agree) < 0.85*float64(checked) {
		t.Errorf("pooled counts on the expected side of u = γs for %d of %d induced or repressed genes", agree, checked)
	}
	t.Logf("pooled counts on the expected side for %d of %d genes", agree, checked)
}

func TestTrueVelocityToggle(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want bool
	}{
		{Options{Cells: 1000, Genes: 300}, true},
		{Options{Cells: 10_000, Genes: 1000}, true},
		{Options{Cells: 10_001, Genes: 1000}, false},
		{Options{Cells: 100_000, Genes: 2000, TrueVelocity: On}, true},
		{Options{Cells: 10, Genes: 10, TrueVelocity: Off}, false},
	} {
		if got := c.o.wantVelocity(); got != c.want {
			t.Errorf("%+v: true velocity %v, want %v", c.o, got, c.want)
		}
	}
	ad := mustSimulate(t, Options{Cells: 50, Genes: 20, TrueVelocity: Off})
	if _, ok := ad.Layers["true_velocity"]; ok {
		t.Error("TrueVelocity: Off still wrote the layer")
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []Options{
		{Cells: -1}, {Genes: -5}, {Fates: 1}, {Fates: 4}, {Threads: -2}, {TrueVelocity: Toggle(7)},
	} {
		if _, err := Simulate(o); err == nil {
			t.Errorf("Simulate(%+v) gave no error", o)
		}
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct {
		prefix      string
		width, n    int
		first, last string
	}{
		{"cell", 4, 1000, "cell0001", "cell1000"},
		{"cell", 4, 7, "cell0001", "cell0007"},
		{"cell", 4, 100000, "cell000001", "cell100000"},
		{"Gene", 3, 2000, "Gene0001", "Gene2000"},
	} {
		got := names(c.prefix, c.width, c.n)
		if got[0] != c.first || got[c.n-1] != c.last || !slices.IsSorted(got) {
			t.Errorf("names(%q, %d, %d) run %q … %q, want %q … %q in order", c.prefix, c.width, c.n, got[0], got[c.n-1], c.first, c.last)
		}
	}
}
