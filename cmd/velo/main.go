// Command velo estimates RNA velocity from spliced and unspliced counts with
// scVelo's steady-state and stochastic models, and draws and reports the
// results. Run `velo --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/internal/progress"
)

// globals holds the flags every command shares.
type globals struct {
	quiet   bool
	verbose bool
	threads int
}

// reporter returns the progress reporter the global flags ask for.
func (g *globals) reporter() *progress.Reporter {
	return progress.New(os.Stderr, g.quiet, g.verbose)
}

// threadCount resolves --threads (0 = all cores).
func (g *globals) threadCount() int {
	if g.threads < 1 {
		return runtime.GOMAXPROCS(0)
	}
	return g.threads
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "velo",
		Short: "RNA velocity from spliced and unspliced counts (scVelo-compatible)",
		Long: `velo estimates RNA velocity with scVelo's steady-state (deterministic) and
stochastic models and gives scVelo 0.3.3's numbers, much faster. It reads h5ad,
loom, STARsolo, kallisto|bustools and alevin-fry outputs and writes h5ad files
that anndata, scanpy, scVelo and CellRank open unchanged.

Logs and progress go to stderr; data goes to the files named with -o.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print nothing but errors")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "print per-stage timings and details")
	root.PersistentFlags().IntVarP(&g.threads, "threads", "t", 0, "worker threads (0 = all cores); results are identical for any value")
	root.AddCommand(
		newRunCmd(g),
		newInfoCmd(g),
		newSimulateCmd(g),
		newDemoCmd(g),
		newBenchCmd(g),
		newConvertCmd(g),
		newMergeCmd(g),
		newPlotCmd(g),
		newScoreCmd(g),
		newReportCmd(g),
	)
	return root
}

func main() {
	setMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(os.Stderr, "velo: %v\n", err)
		os.Exit(1)
	}
}
