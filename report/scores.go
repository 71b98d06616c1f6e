package report

import (
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/graph"
)

// EdgeScore is the cross-boundary direction correctness of one expected
// transition From → To.
type EdgeScore struct {
	From, To string
	CBDir    float64
}

// ClusterScore is the in-cluster coherence of one cluster.
type ClusterScore struct {
	Cluster string
	ICCoh   float64
}

// Scores are the direction metrics of Qiao et al. for a result: CBDir per
// expected transition and ICCoh per cluster, each with its mean (NaN
// entries, where no cell had a qualifying neighbour, are left out of the
// means).
type Scores struct {
	Edges     []EdgeScore
	CBDirMean float64
	Clusters  []ClusterScore
	ICCohMean float64
}

// ComputeScores scores edges on embedding basis with clusters from obs
// column clusterKey ("" means "clusters"), using every stored neighbour.
// With no edges only ICCoh is computed and CBDirMean is NaN.
func ComputeScores(a *anndata.AnnData, basis, clusterKey string, edges [][2]string) (*Scores, error) {
	if clusterKey == "" {
		clusterKey = "clusters"
	}
	if a.Obs == nil || !a.Obs.Has(clusterKey) {
		return nil, fmt.Errorf("obs has no cluster column %q; name one with --cluster-key", clusterKey)
	}
	s := &Scores{}
	if len(edges) > 0 {
		per, mean, err := graph.CBDir(a, basisName(basis), clusterKey, edges, 0)
		if err != nil {
			return nil, fmt.Errorf("CBDir: %w", err)
		}
		for k, e := range edges {
			s.Edges = append(s.Edges, EdgeScore{From: e[0], To: e[1], CBDir: per[k]})
		}
		s.CBDirMean = mean
	} else {
		s.CBDirMean = nan()
	}
	per, mean, err := graph.ICCoh(a, clusterKey, 0)
	if err != nil {
		return nil, fmt.Errorf("ICCoh: %w", err)
	}
	for _, c := range anndata.SortedKeys(per) {
		s.Clusters = append(s.Clusters, ClusterScore{Cluster: c, ICCoh: per[c]})
	}
	s.ICCohMean = mean
	return s, nil
}
