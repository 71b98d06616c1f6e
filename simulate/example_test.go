package simulate_test

import (
	"fmt"
	"log"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/simulate"
)

// Simulate a small branching data set and look at what it holds: counts in
// layers, the ground truth in obs, var and the true_velocity layer.
func Example() {
	ad, err := simulate.Simulate(simulate.Options{Cells: 500, Genes: 100, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("shape:", ad.NObs(), "×", ad.NVars())
	fmt.Println("names:", ad.Obs.Index[0], ad.Var.Index[0])
	fmt.Println("layers:", anndata.SortedKeys(ad.Layers))

	clusters, _ := ad.Obs.Get("clusters")
	fmt.Println("clusters:", clusters.(*anndata.Categorical).Categories)
	branch, _ := ad.Obs.Get("branch")
	fmt.Println("branches:", branch.(*anndata.Categorical).Categories)
	fmt.Println("var:", columnNames(ad.Var))

	spliced := ad.Layers["spliced"].(*array.CSR)
	fmt.Println("spliced counts stored sparse:", spliced.NNZ() < ad.NObs()*ad.NVars())
	// Output:
	// shape: 500 × 100
	// names: cell0001 Gene001
	// layers: [spliced true_velocity unspliced]
	// clusters: [Progenitor Intermediate Fate A Fate B]
	// branches: [trunk A B]
	// var: [true_alpha true_beta true_gamma true_program true_fate]
	// spliced counts stored sparse: true
}

func columnNames(f *anndata.Frame) []string {
	var names []string
	for _, c := range f.Columns() {
		names = append(names, c.Name)
	}
	return names
}
