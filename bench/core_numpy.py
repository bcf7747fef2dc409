"""numpy timings of the core operations at the sizes of atlas's Go
benchmarks (n = 10,000 rows, d = 128, k = 128 anchors; CKA 128 vs 128):
cosine relative projection and linear CKA in the feature-space form.
Prints one JSON line with the best of 5 runs of each, in milliseconds.
numpy's BLAS here is Debian's OpenBLAS (with OPENBLAS_CORETYPE as set on
this machine).

    python3 bench/core_numpy.py
"""
import json, time
import numpy as np

rng = np.random.default_rng(1)
x = rng.normal(size=(10000, 128)).astype(np.float32)
a = x[:128].copy()
y = rng.normal(size=(10000, 128)).astype(np.float32)


def best(f, reps=5):
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return 1000 * min(t)


def cosine():
    xn = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    return xn @ an.T


def cka():  # float64 accumulation, as atlas does
    xc = x.astype(np.float64) - x.mean(0)
    yc = y.astype(np.float64) - y.mean(0)
    return np.linalg.norm(yc.T @ xc) ** 2 / (np.linalg.norm(xc.T @ xc) * np.linalg.norm(yc.T @ yc))


print(json.dumps({"impl": "numpy " + np.__version__, "cosine_ms": round(best(cosine), 2), "linear_cka_ms": round(best(cka), 2)}))
