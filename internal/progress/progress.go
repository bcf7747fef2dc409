// Package progress draws a one-line progress bar on a terminal and nothing
// anywhere else (logs, pipes, CI), so long work is visible to a person
// without filling log files with carriage returns.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Bar is one line of progress. The zero value and a nil *Bar draw nothing.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	start time.Time
	last  time.Time
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New returns a bar that draws on w only when w is a terminal.
func New(w io.Writer, label string) *Bar {
	if !IsTerminal(w) {
		return nil
	}
	return &Bar{w: w, label: label, start: time.Now()}
}

// Update redraws the bar at done of total with a short note, at most ten
// times a second.
func (b *Bar) Update(done, total int, note string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if now.Sub(b.last) < 100*time.Millisecond && done < total {
		return
	}
	b.last = now
	const width = 24
	filled := 0
	if total > 0 {
		filled = width * done / total
	}
	elapsed := now.Sub(b.start).Round(time.Second)
	eta := ""
	if done > 0 && done < total {
		left := time.Duration(float64(now.Sub(b.start)) * float64(total-done) / float64(done)).Round(time.Second)
		eta = fmt.Sprintf(" eta %s", left)
	}
	fmt.Fprintf(b.w, "\r\033[K%s [%s%s] %d/%d %s%s %s", b.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total, elapsed, eta, note)
}

// Done clears the bar's line.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
}
