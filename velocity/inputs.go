package velocity

import (
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// layer returns the named layer with the shape of X, or an error naming it.
func layer(a *anndata.AnnData, name, hint string) (array.Matrix, error) {
	m, ok := a.Layers[name]
	if !ok {
		return nil, fmt.Errorf("velocity: layer %s is missing: %s", name, hint)
	}
	if r, c := m.Shape(); r != a.NObs() || c != a.NVars() {
		return nil, fmt.Errorf("velocity: layer %s is %d×%d, want %d×%d", name, r, c, a.NObs(), a.NVars())
	}
	return m, nil
}

// highlyVariable returns var highly_variable as booleans, nil when the
// column does not exist.
func highlyVariable(v *anndata.Frame) ([]bool, error) {
	d, ok := v.Get("highly_variable")
	if !ok {
		return nil, nil
	}
	if b, ok := d.([]bool); ok {
		return b, nil
	}
	x, err := v.Float64("highly_variable")
	if err != nil {
		return nil, fmt.Errorf("velocity: var highly_variable: %w", err)
	}
	b := make([]bool, len(x))
	for i, xi := range x {
		b[i] = xi != 0
	}
	return b, nil
}
