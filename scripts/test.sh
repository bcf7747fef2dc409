#!/usr/bin/env bash
# The test command of the README: static checks, the unit tests, and a
# short run of every fuzz target's seed corpus (go test runs the seeds of
# Fuzz* functions as ordinary tests).
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 ./...
