package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// synthGrid builds a test AnnData of nx·ny·nz cells on a 3-D lattice with
// the layers, graphs and keys the velocity-graph steps read: Ms rises along
// the lattice axes with gene-specific slopes plus noise, velocities point
// along +x (the slopes of x), obsp distances hold each cell's 29 nearest
// lattice neighbours (as scanpy's 30-NN graph), obsp connectivities their
// symmetrised pattern, obsm X_umap a 2-D view of the lattice and obs
// clusters thirds of the x range named A, B, C.
func synthGrid(nx, ny, nz, genes int, mode string, seed uint64) *anndata.AnnData {
	rng := rand.New(rand.NewPCG(seed, 7))
	n := nx * ny * nz
	pos := make([][3]int, n)
	for i := range pos {
		pos[i] = [3]int{i % nx, (i / nx) % ny, i / (nx * ny)}
	}
	obs := make([]string, n)
	for i := range obs {
		obs[i] = fmt.Sprintf("cell%d", i)
	}
	vars := make([]string, genes)
	for g := range vars {
		vars[g] = fmt.Sprintf("gene%d", g)
	}
	a := anndata.New(obs, vars)
	slope := make([][3]float64, genes)
	for g := range slope {
		for d := range slope[g] {
			slope[g][d] = rng.NormFloat64()
		}
	}
	ms := array.NewDense(n, genes)
	vel := array.NewDense(n, genes)
	for i, p := range pos {
		for g := 0; g < genes; g++ {
			x := 20 + slope[g][0]*float64(p[0])*0.3 + slope[g][1]*float64(p[1])*0.3 + slope[g][2]*float64(p[2])*0.3
			ms.Set(i, g, float32(x+0.3*rng.NormFloat64()))
			vel.Set(i, g, float32(slope[g][0]+0.3*rng.NormFloat64()))
		}
	}
	a.Layers["Ms"] = ms
	a.Layers["velocity"] = vel
	a.Uns["velocity_params"] = map[string]any{"mode": mode}
	a.Obsp["distances"] = latticeKNN(pos, nx, ny, nz, 29)
	a.Obsp["connectivities"] = symmetricPattern(a.Obsp["distances"])
	umap := array.NewDense(n, 2)
	for i, p := range pos {
		umap.Set(i, 0, float32(float64(p[0])+0.3*float64(p[2])))
		umap.Set(i, 1, float32(float64(p[1])+0.2*float64(p[2])))
	}
	a.Obsm["X_umap"] = umap
	codes := make([]int32, n)
	for i, p := range pos {
		codes[i] = int32(min(3*p[0]/nx, 2))
	}
	a.Obs.Set("clusters", &anndata.Categorical{Codes: codes, Categories: []string{"A", "B", "C"}})
	return a
}

// latticeKNN returns each cell's k nearest lattice neighbours (ties by
// index) as a CSR distance matrix with sorted column indices.
func latticeKNN(pos [][3]int, nx, ny, nz, k int) *array.CSR {
	n := len(pos)
	d := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	type cand struct {
		j    int
		dist float64
	}
	var cs []cand
	for i, p := range pos {
		cs = cs[:0]
		for dz := -3; dz <= 3; dz++ {
			for dy := -3; dy <= 3; dy++ {
				for dx := -3; dx <= 3; dx++ {
					x, y, z := p[0]+dx, p[1]+dy, p[2]+dz
					if (dx == 0 && dy == 0 && dz == 0) || x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz {
						continue
					}
					cs = append(cs, cand{x + nx*(y+ny*z), math.Sqrt(float64(dx*dx + dy*dy + dz*dz))})
				}
			}
		}
		slices.SortFunc(cs, func(a, b cand) int {
			if a.dist != b.dist {
				if a.dist < b.dist {
					return -1
				}
				return 1
			}
			return a.j - b.j
		})
		kept := slices.Clone(cs[:min(k, len(cs))])
		slices.SortFunc(kept, func(a, b cand) int { return a.j - b.j })
		for _, c := range kept {
			d.Indices = append(d.Indices, int32(c.j))
			d.Data = append(d.Data, float32(c.dist))
		}
		d.Indptr[i+1] = int64(len(d.Data))
	}
	return d
}

// symmetricPattern returns the union of g and gᵀ with unit values.
func symmetricPattern(g *array.CSR) *array.CSR {
	u := addTranspose(g)
	for k := range u.Data {
		u.Data[k] = 1
	}
	return u
}

// addTranspose returns g + gᵀ.
func addTranspose(g *array.CSR) *array.CSR {
	t := g.Transpose()
	n := g.Rows
	out := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		ai, av := g.RowView(i)
		bi, bv := t.RowView(i)
		out.Indices, out.Data = mergeRows(out.Indices, out.Data, ai, av, bi, bv, 1)
		out.Indptr[i+1] = int64(len(out.Data))
	}
	return out
}
