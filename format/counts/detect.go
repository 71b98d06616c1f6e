package counts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/velo-rna/velo/anndata"
)

// Layout names the counter whose output a directory holds.
type Layout string

// The layouts Read understands.
const (
	STARsolo  Layout = "starsolo"
	Kallisto  Layout = "kallisto"
	AlevinFry Layout = "alevin-fry"
)

// ErrNoCounts is matched (errors.Is) by Detect's error for a directory
// holding no counts of a known layout.
var ErrNoCounts = errors.New("no STARsolo Velocyto, kallisto|bustools or alevin-fry counts found")

// Detect reports which counter's output dir holds. It returns an error when
// none matches, or when several do (say, a directory holding both a
// Solo.out and a counts_filtered), since reading either would be a guess.
func Detect(dir string) (Layout, error) {
	var found []Layout
	if _, ok := starsoloDir(dir); ok {
		found = append(found, STARsolo)
	}
	if _, _, ok := kallistoDir(dir); ok {
		found = append(found, Kallisto)
	}
	if _, _, ok := alevinDir(dir); ok {
		found = append(found, AlevinFry)
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s: %w", dir, ErrNoCounts)
	case 1:
		return found[0], nil
	}
	s := make([]string, len(found))
	for i, l := range found {
		s[i] = string(l)
	}
	return "", fmt.Errorf("%s: holds counts of several kinds (%s); pass the directory of the one to read", dir, strings.Join(s, ", "))
}

// Read reads dir with the reader of the layout Detect finds.
func Read(dir string, opts Options) (*anndata.AnnData, error) {
	l, err := Detect(dir)
	if err != nil {
		return nil, err
	}
	switch l {
	case STARsolo:
		return ReadSTARsolo(dir, opts)
	case Kallisto:
		return ReadKallisto(dir, opts)
	}
	return ReadAlevinFry(dir, opts)
}
