#!/usr/bin/env bash
# Times atlas's core (cosine relative projection, linear CKA) against numpy
# on the same sizes, in one run, and prints the ratios.
# Needs: apt-get install python3-numpy
#   bash bench/core.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run XXX -bench 'BenchmarkCosine$|BenchmarkLinearCKA$' -count 5 ./relative/ ./metrics/ | tee /tmp/atlas_core_bench.txt | grep Benchmark
np=$(/usr/bin/python3 bench/core_numpy.py)
echo "$np"
/usr/bin/python3 - "$np" <<'PY'
import json, re, sys
r = json.loads(sys.argv[1])
best = {}
for line in open("/tmp/atlas_core_bench.txt"):
    m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        best[m[1]] = min(best.get(m[1], float("inf")), float(m[2]) / 1e6)
for go, py in [("Cosine", "cosine_ms"), ("LinearCKA", "linear_cka_ms")]:
    print(f"{go}: atlas {best[go]:.1f} ms, numpy {r[py]:.1f} ms, atlas/numpy {best[go] / r[py]:.2f}x")
PY
