"""Golden values for the similarity measures, computed the slow, textbook
way with numpy (Debian python3-numpy 1.24), independently of atlas's
feature-space formulas. Writes x.npy, y.npy and measures.json here.

    python3 golden_measures.py
"""
import json, os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)
n = 60
x = rng.normal(size=(n, 6)).astype(np.float32)
y = (x[:, :4] @ rng.normal(size=(4, 4)) + 0.8 * rng.normal(size=(n, 4)) + 3).astype(np.float32)
np.save(os.path.join(here, "x.npy"), x)
np.save(os.path.join(here, "y.npy"), y)
X, Y = x.astype(np.float64), y.astype(np.float64)
H = np.eye(n) - np.ones((n, n)) / n


def cka_gram(K, L):
    Kc, Lc = H @ K @ H, H @ L @ H
    return np.sum(Kc * Lc) / np.sqrt(np.sum(Kc * Kc) * np.sum(Lc * Lc))


def hsic_u(K, L):  # Song et al. 2012, eq. 5
    K, L = K.copy(), L.copy()
    np.fill_diagonal(K, 0)
    np.fill_diagonal(L, 0)
    one = np.ones(n)
    return (np.trace(K @ L) + (one @ K @ one) * (one @ L @ one) / ((n - 1) * (n - 2))
            - 2 / (n - 2) * one @ K @ L @ one) / (n * (n - 3))


def rbf(A):
    d2 = ((A[:, None, :] - A[None, :, :]) ** 2).sum(-1)
    s2 = np.median(d2[d2 > 0])
    return np.exp(-d2 / (2 * s2))


def knn(A, k):
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    S = An @ An.T
    np.fill_diagonal(S, -np.inf)
    return [set(np.argsort(-S[i], kind="stable")[:k]) for i in range(n)]


def reduce(A, keep=0.99):
    Ac = A - A.mean(0)
    U, s, _ = np.linalg.svd(Ac, full_matrices=False)
    r = np.searchsorted(np.cumsum(s ** 2) / np.sum(s ** 2), keep) + 1
    return U[:, :r] * s[:r]


def cca(A, B):
    Ac, Bc = A - A.mean(0), B - B.mean(0)
    Qa, _ = np.linalg.qr(Ac)
    Qb, _ = np.linalg.qr(Bc)
    U, s, _ = np.linalg.svd(Qa.T @ Qb)
    k = min(A.shape[1], B.shape[1])
    h = Qa @ U[:, :k]  # canonical variables of A
    w = np.array([sum(abs(np.corrcoef(h[:, c], Ac[:, j])[0, 1]) for j in range(A.shape[1])) for c in range(k)])
    return s[:k], w


KX, KY = X @ X.T, Y @ Y.T
out = {}
out["linear_cka"] = cka_gram(KX, KY)
out["debiased_cka"] = hsic_u(KX, KY) / np.sqrt(hsic_u(KX, KX) * hsic_u(KY, KY))
out["rbf_cka"] = cka_gram(rbf(X), rbf(Y))
k = 5
a, b = knn(X, k), knn(Y, k)
out["mutual_knn"] = float(np.mean([len(a[i] & b[i]) / k for i in range(n)]))
out["knn_jaccard"] = float(np.mean([len(a[i] & b[i]) / len(a[i] | b[i]) for i in range(n)]))
out["cca"] = float(np.mean(cca(X, Y)[0]))
rho, w = cca(reduce(X), reduce(Y))
out["svcca"] = float(np.mean(rho))
out["pwcca"] = float(np.sum(w * rho) / np.sum(w))
Xc, Yc = X - X.mean(0), Y - Y.mean(0)
out["procrustes"] = float(2 - 2 * np.linalg.norm(Xc.T @ Yc, "nuc") / (np.linalg.norm(Xc) * np.linalg.norm(Yc)))
out = {k: float(v) for k, v in out.items()}
with open(os.path.join(here, "measures.json"), "w") as f:
    json.dump({"k": k, "values": out}, f, indent=1, sort_keys=True)
print(json.dumps(out, indent=1))
