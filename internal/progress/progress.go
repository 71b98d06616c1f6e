// Package progress reports what a long command is doing: log lines and
// timings on stderr, and progress bars only when stderr is a terminal.
//
// Library packages never print; they accept a Logf function or a *Reporter
// (nil is valid and silent), so the command line decides what is shown.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter writes log lines and progress bars. The zero value and a nil
// *Reporter are silent.
type Reporter struct {
	mu       sync.Mutex
	w        io.Writer
	quiet    bool
	verbose  bool
	terminal bool
}

// New returns a reporter writing to f. quiet silences everything but errors
// (which the caller prints itself); verbose adds per-stage timings. Bars are
// drawn only when f is a terminal.
func New(f *os.File, quiet, verbose bool) *Reporter {
	return &Reporter{w: f, quiet: quiet, verbose: verbose, terminal: term.IsTerminal(int(f.Fd()))}
}

// Logf prints one informational line unless the reporter is quiet.
func (r *Reporter) Logf(format string, args ...any) {
	if r == nil || r.w == nil || r.quiet {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, format+"\n", args...)
}

// Verbosef prints one line only in verbose mode.
func (r *Reporter) Verbosef(format string, args ...any) {
	if r == nil || !r.verbose {
		return
	}
	r.Logf(format, args...)
}

// Verbose reports whether detailed output was asked for.
func (r *Reporter) Verbose() bool { return r != nil && r.verbose && !r.quiet }

// Bar is a progress bar; Add advances it and Finish clears it.
type Bar interface {
	Add(n int)
	Finish()
}

type noBar struct{}

func (noBar) Add(int) {}
func (noBar) Finish() {}

type termBar struct{ b *progressbar.ProgressBar }

func (t termBar) Add(n int) { _ = t.b.Add(n) }
func (t termBar) Finish()   { _ = t.b.Finish(); _ = t.b.Clear() }

// Bar returns a progress bar over total steps, or a no-op bar when stderr is
// not a terminal or the reporter is quiet.
func (r *Reporter) Bar(total int, description string) Bar {
	if r == nil || r.quiet || !r.terminal || total <= 0 {
		return noBar{}
	}
	return termBar{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(r.w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
	)}
}

// Callback adapts a bar to the func(done, total int) progress hooks that
// library options take.
func (r *Reporter) Callback(description string) func(done, total int) {
	var (
		bar  Bar
		last int
	)
	return func(done, total int) {
		if bar == nil {
			bar = r.Bar(total, description)
		}
		bar.Add(done - last)
		last = done
		if done >= total {
			bar.Finish()
		}
	}
}
