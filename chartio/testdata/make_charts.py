"""Writes the numpy-made charts that chartio's tests read.

Run with Debian's python3-numpy (1.24): python3 make_charts.py
The values are small integers and halves so the tests can state them exactly.
"""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
emb = np.array([[1.0, 2.0, 3.0], [4.0, 5.5, 6.0], [-1.0, 0.5, 2.0], [0.0, 1.0, 0.0]])
ids = np.array([10, 11, 12, 13])
labels = np.array([0, 1, 1, 2])

# Plain little-endian C-order float32, int64 ids, int32 labels, np.savez.
np.savez(os.path.join(here, "c_f32.npz"), embeddings=emb.astype("<f4"),
         ids=ids.astype("<i8"), labels=labels.astype("<i4"))

# Big-endian float64 in Fortran order, big-endian int32 ids, uint8 labels,
# compressed.
np.savez_compressed(os.path.join(here, "be_f64_fortran.npz"),
                    embeddings=np.asfortranarray(emb.astype(">f8")),
                    ids=ids.astype(">i4"), labels=labels.astype("u1"))

# A folder of .npy files: float64 embeddings, int16 ids, explicit anchors.
d = os.path.join(here, "folder")
os.makedirs(d, exist_ok=True)
np.save(os.path.join(d, "embeddings.npy"), emb.astype("<f8"))
np.save(os.path.join(d, "ids.npy"), ids.astype("<i2"))
np.save(os.path.join(d, "anchors.npy"), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype="<f4"))
np.save(os.path.join(d, "anchor_ids.npy"), np.array([100, 101], dtype="<u8"))
