#!/usr/bin/env bash
# Times one epoch of the paper's CNN on MNIST: atlas (pure Go) against
# PyTorch (Debian's python3-torch) on the same 54,000 training images, in one
# run, and prints the ratio. Needs: apt-get install python3-torch
#   bash bench/train.sh [cnn|mlp]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-cnn}
mkdir -p bench/out
go build -o bench/out/atlas ./cmd/atlas
# atlas holds out 10% of 60,000 for validation: it trains on 54,000 and also
# evaluates the 6,000 validation images after the epoch (counted in its time).
bench/out/atlas train --model "$model" --epochs 1 --seed 1 -o bench/out/w.safetensors | tee bench/out/atlas_train.txt
atlas_s=$(grep -o '^epoch 1:.*(\([0-9.]*\) s)' bench/out/atlas_train.txt | sed 's/.*(\([0-9.]*\) s)/\1/')
t1=$(/usr/bin/python3 bench/train_torch.py --model "$model" --threads 1 --train 54000)
t2=$(/usr/bin/python3 bench/train_torch.py --model "$model" --threads 2 --train 54000)
echo "$t1"
echo "$t2"
/usr/bin/python3 - "$atlas_s" "$t1" "$t2" <<'PY'
import json, sys
atlas = float(sys.argv[1])
for line in sys.argv[2:]:
    r = json.loads(line)
    print(f"atlas epoch {atlas:.1f} s vs PyTorch {r['threads']} thread(s) {r['train_seconds']:.1f} s: ratio {atlas / r['train_seconds']:.2f}x (PyTorch test acc {r['test_acc']:.4f})")
PY
