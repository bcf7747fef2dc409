"""Golden values for metrics tests, computed the slow, obvious way.

Run with Debian's python3-numpy: python3 golden.py
CKA uses the n x n Gram form of paper-spec 5.1 (HSIC with H = I - 11^T/n),
independent of the feature-space form atlas implements.
"""
import numpy as np

X = np.array([[1, 2], [3, 1], [0, -1], [2, 2], [-1, 0]], dtype=float)
Y = np.array([[2, 0, 1], [1, 1, 0], [0, 3, -1], [4, 1, 1], [1, -2, 0]], dtype=float)


def hsic(K, L):
    n = K.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    return np.sum((H @ K @ H) * (H @ L @ H))


def cka(X, Y):
    K, L = X @ X.T, Y @ Y.T
    return hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L))


print("cka(X, Y) =", repr(cka(X, Y)))

# Separability: ordered pairs with at least one class in focus, plain mean.
P = np.array([[0, 0], [2, 0], [10, 0], [10, 4], [0, 10], [0, 12]], dtype=float)
lab = np.array([0, 0, 1, 1, 2, 2])


def sep(P, lab, focus):
    cls = sorted(set(lab))
    mu = {c: P[lab == c].mean(0) for c in cls}
    r = {c: np.linalg.norm(P[lab == c] - mu[c], axis=1).mean() for c in cls}
    vals = [np.linalg.norm(mu[a] - mu[b]) / ((r[a] + r[b]) / 2)
            for a in cls for b in cls if a != b and (a in focus or b in focus)]
    return np.mean(vals), len(vals)


print("sep(all) =", sep(P, lab, {0, 1, 2}))
print("sep({2}) =", sep(P, lab, {2}))
