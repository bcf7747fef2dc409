// Command atlas merges the latent spaces of several neural networks into
// one, compares spaces, and reproduces the experiments of "From Charts to
// Atlas" (Crisostomi et al., 2023). Run `atlas help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/latentatlas/atlas/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
