package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/graph"
	"github.com/velo-rna/velo/report"
)

// scoreOptions are the flags of velo score.
type scoreOptions struct {
	edges      string
	clusterKey string
	basis      string
	json       bool
}

func newScoreCmd(g *globals) *cobra.Command {
	o := &scoreOptions{}
	cmd := &cobra.Command{
		Use:   `score RESULT.h5ad --edges "A>B,B>C"`,
		Short: "Score velocity directions: CBDir per expected transition, ICCoh per cluster",
		Long: `score computes the direction metrics of Qiao et al. on a result of velo run:

  CBDir  cross-boundary direction correctness of each expected transition A>B
         (--edges): mean cosine between the projected velocity of cells of A
         and their displacements to neighbours in B, in [-1, 1]
  ICCoh  in-cluster coherence of each cluster: mean cosine between the
         velocities of neighbouring cells of the same cluster, in gene space

Each is followed by its mean. Text output has the columns kind, name, score;
--json prints {"edges": [{"from", "to", "cbdir"}], "cbdir_mean",
"clusters": [{"cluster", "iccoh"}], "iccoh_mean"} with null for scores no
cell could be scored for.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScore(cmd.OutOrStdout(), o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.edges, "edges", "", `expected transitions, e.g. "Ductal>Ngn3 low EP,Ngn3 low EP>Ngn3 high EP"`)
	f.StringVar(&o.clusterKey, "cluster-key", "clusters", "obs column holding the clusters")
	f.StringVar(&o.basis, "basis", "umap", "embedding CBDir is measured in: obsm X_<basis> and velocity_<basis>")
	f.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	return cmd
}

func runScore(w io.Writer, o *scoreOptions, input string) error {
	var edges [][2]string
	if o.edges != "" {
		var err error
		if edges, err = graph.ParseEdges(o.edges); err != nil {
			return fmt.Errorf("--edges: %w", err)
		}
	}
	a, err := h5ad.Read(input)
	if err != nil {
		return err
	}
	s, err := report.ComputeScores(a, o.basis, o.clusterKey, edges)
	if err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	if o.json {
		return writeScoresJSON(w, s)
	}
	return writeScoresTable(w, s)
}

// scoresJSON is the --json output; nil scores print as null since JSON has
// no NaN.
type scoresJSON struct {
	Edges     []edgeJSON    `json:"edges"`
	CBDirMean *float64      `json:"cbdir_mean"`
	Clusters  []clusterJSON `json:"clusters"`
	ICCohMean *float64      `json:"iccoh_mean"`
}

type edgeJSON struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	CBDir *float64 `json:"cbdir"`
}

type clusterJSON struct {
	Cluster string   `json:"cluster"`
	ICCoh   *float64 `json:"iccoh"`
}

// finiteOrNil maps NaN to nil for JSON.
func finiteOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func writeScoresJSON(w io.Writer, s *report.Scores) error {
	out := scoresJSON{Edges: []edgeJSON{}, Clusters: []clusterJSON{},
		CBDirMean: finiteOrNil(s.CBDirMean), ICCohMean: finiteOrNil(s.ICCohMean)}
	for _, e := range s.Edges {
		out.Edges = append(out.Edges, edgeJSON{From: e.From, To: e.To, CBDir: finiteOrNil(e.CBDir)})
	}
	for _, c := range s.Clusters {
		out.Clusters = append(out.Clusters, clusterJSON{Cluster: c.Cluster, ICCoh: finiteOrNil(c.ICCoh)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeScoresTable(w io.Writer, s *report.Scores) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tname\tscore")
	if len(s.Edges) > 0 {
		for _, e := range s.Edges {
			fmt.Fprintf(tw, "CBDir\t%s > %s\t%.4f\n", e.From, e.To, e.CBDir)
		}
		fmt.Fprintf(tw, "CBDir\tmean\t%.4f\n", s.CBDirMean)
	}
	for _, c := range s.Clusters {
		fmt.Fprintf(tw, "ICCoh\t%s\t%.4f\n", c.Cluster, c.ICCoh)
	}
	fmt.Fprintf(tw, "ICCoh\tmean\t%.4f\n", s.ICCohMean)
	return tw.Flush()
}
