"""Golden values for the probes and clustering scores, from scikit-learn
1.2 (Debian python3-sklearn). Writes train_x.npy, test_x.npy (float32) and
sklearn.json here.

    python3 golden_sklearn.py
"""
import json, os
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
from sklearn import metrics
from sklearn.cluster import KMeans

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1)
centres = rng.normal(scale=2.0, size=(3, 4))
def blobs(n):
    y = np.arange(n) % 3
    return (centres[y] + rng.normal(size=(n, 4))).astype(np.float32), y
xtr, ytr = blobs(90)
xte, yte = blobs(45)
np.save(os.path.join(here, "train_x.npy"), xtr)
np.save(os.path.join(here, "test_x.npy"), xte)

lr = LogisticRegression(C=0.5, max_iter=10000, tol=1e-10).fit(xtr, ytr)
knn = KNeighborsClassifier(n_neighbors=5).fit(xtr, ytr)
nc = NearestCentroid().fit(xtr, ytr)
clusters = np.array([(i * 7) % 4 if i % 5 else i % 3 for i in range(len(yte))])  # a fixed, imperfect clustering
out = {
    "train_y": ytr.tolist(), "test_y": yte.tolist(),
    "logistic_C": 0.5, "logistic_pred": lr.predict(xte).tolist(),
    "logistic_coef_00": float(lr.coef_[0, 0]), "logistic_intercept_0": float(lr.intercept_[0]),
    "knn_k": 5, "knn_pred": knn.predict(xte).tolist(),
    "centroid_pred": nc.predict(xte).tolist(),
    "clusters": clusters.tolist(),
    "nmi": metrics.normalized_mutual_info_score(yte, clusters),
    "ari": metrics.adjusted_rand_score(yte, clusters),
    "homogeneity": metrics.homogeneity_score(yte, clusters),
    "completeness": metrics.completeness_score(yte, clusters),
    "mutual_info": metrics.mutual_info_score(yte, clusters),
    "silhouette_true_labels": float(metrics.silhouette_score(xte.astype(np.float64), yte)),
}
km = KMeans(3, n_init=4, random_state=0).fit(xtr)
out["kmeans_inertia"] = float(km.inertia_)
out["kmeans_ari"] = metrics.adjusted_rand_score(ytr, km.labels_)
with open(os.path.join(here, "sklearn.json"), "w") as f:
    json.dump(out, f, indent=1)
print({k: v for k, v in out.items() if not isinstance(v, list)})
