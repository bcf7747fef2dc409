// Package cli is the atlas command line: flags, output and exit codes over
// the library packages, and nothing else.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// Version is the atlas version, recorded in results.
const Version = "0.1.0"

// env is what every command gets: where to write, and a logger.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	verbose        bool
}

// Main runs the command line with args and returns the exit code: 0 on
// success, 1 on failure, 2 on a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "atlas",
		Short: "Merge the latent spaces of several neural networks into one",
		Long: `atlas merges the latent spaces ("charts") of several neural networks into one
space (the "atlas") with Relative Latent Space Aggregation (Crisostomi et al.,
"From Charts to Atlas: Merging Latent Spaces into One", NeurReps 2023): every
chart becomes cosine similarities to shared anchor samples, and the relative
charts are averaged sample by sample.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelWarn
			if e.verbose {
				level = slog.LevelInfo
			}
			e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
		},
	}
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log what each step does")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(mergeCmd(e), compareCmd(e), synthCmd(e), trainCmd(e), embedCmd(e), experimentCmd(e), evalCmd(e))
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "atlas: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) || isCobraUsage(err) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError marks a bad flag value or argument count (exit code 2).
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func isCobraUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.HasPrefix(s, "unknown flag") ||
		strings.HasPrefix(s, "unknown shorthand flag") || strings.Contains(s, "flag needs an argument") ||
		strings.HasPrefix(s, "invalid argument") || strings.HasPrefix(s, "accepts ") ||
		strings.HasPrefix(s, "requires at least") || strings.Contains(s, "required flag")
}

// parseInts parses a comma-separated list of integers ("2,5,6").
func parseInts(flag, s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, usagef("--%s: %q is not an integer", flag, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func oneOf[T ~string](flag string, v T, allowed []T) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return usagef("--%s: %q is not one of %v", flag, v, allowed)
}
