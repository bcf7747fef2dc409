"""The paper's vanilla CNN (paper-spec 3.1, for 1x28x28 inputs) trained on
MNIST with PyTorch, to time against `atlas train` on the same data.

Reads the same idx files atlas embeds (dataset/data/mnist), normalises with
the same mean/std, trains one epoch with Adam (lr 1e-3), batch 100, gradient
norm clipped at 10, on the first N training images, then reports the test
accuracy. Prints one JSON line.

    python3 bench/train_torch.py --threads 1 --train 54000
"""
import argparse, gzip, json, os, time
import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--train", type=int, default=54000)
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--model", default="cnn")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dataset", "data", "mnist")
def idx(name):
    with gzip.open(os.path.join(root, name)) as f:
        b = f.read()
    rank = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)

xtr = idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255
ytr = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
xte = idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255
yte = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
mean, std = xtr.mean(), xtr.std()
xtr = torch.from_numpy((xtr - mean) / std).unsqueeze(1)[:args.train]
ytr = torch.from_numpy(ytr)[:args.train]
xte = torch.from_numpy((xte - mean) / std).unsqueeze(1)
yte = torch.from_numpy(yte)

if args.model == "cnn":
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.SiLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.SiLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.Sigmoid(), nn.Linear(128, 10))
else:
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                          nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
start = time.perf_counter()
for epoch in range(args.epochs):
    perm = torch.randperm(len(xtr))
    model.train()
    for i in range(0, len(xtr), 100):
        b = perm[i:i + 100]
        opt.zero_grad()
        loss = lossf(model(xtr[b]), ytr[b])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
train_s = time.perf_counter() - start
model.eval()
with torch.no_grad():
    acc = float((model(xte).argmax(1) == yte).float().mean())
print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": args.threads, "model": args.model,
                  "train_images": len(xtr), "epochs": args.epochs, "train_seconds": round(train_s, 2),
                  "test_acc": round(acc, 4)}))
