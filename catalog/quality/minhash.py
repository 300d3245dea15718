"""MinHash signatures for many texts at once, with numpy, and LSH banding.

Texts are normalised (lower case, whitespace collapsed), cut into overlapping character k-grams
(`shingle`, default 5: works for English, Korean and Chinese alike, which word shingles do not),
and each k-gram gets a 64-bit hash: a polynomial over its code points followed by the splitmix64
finaliser. A signature holds, for each of `num_perm` hash functions h_i(x) = a_i * x + b_i mod 2^64
(a_i odd, so each is a permutation of the 64-bit values), the minimum over the text's k-grams,
keeping the high 32 bits. Everything runs on whole batches of texts as flat arrays: one pass of
numpy per hash function for thousands of texts, instead of Python per k-gram.

The fraction of equal signature entries estimates the Jaccard similarity of two texts' k-gram sets.
LSH cuts a signature into `bands` bands of `rows` values; texts that agree on a whole band become
candidates. `optimal_bands` picks (bands, rows) for a threshold the way datasketch does (least
weighted area of false positives and negatives under the S-curve).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")
_M1 = np.uint32(0x85EBCA6B)
_M2 = np.uint32(0xC2B2AE35)


def normalise(text: str) -> str:
    return _WS.sub(" ", text.lower()).strip()


def _mix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser: spreads structured inputs over all 32 bits (in place)."""
    x ^= x >> np.uint32(16)
    x *= _M1
    x ^= x >> np.uint32(13)
    x *= _M2
    x ^= x >> np.uint32(16)
    return x


class MinHasher:
    """32-bit arithmetic throughout (k-gram hashes, permutations, signatures): half the memory
    traffic of 64-bit, which is what numpy spends its time on here."""

    def __init__(self, *, num_perm: int = 128, shingle: int = 5, seed: int = 1) -> None:
        if num_perm < 8 or shingle < 1:
            raise ValueError("num_perm >= 8 and shingle >= 1")
        rng = np.random.default_rng(seed)
        self.num_perm, self.shingle = num_perm, shingle
        self.a = (rng.integers(0, 2**31, num_perm, dtype=np.uint32) * np.uint32(2)) | np.uint32(1)
        self.b = rng.integers(0, 2**32, num_perm, dtype=np.uint64).astype(np.uint32)
        self.base = np.uint32(int(rng.integers(2**20, 2**31)) * 2 + 1)

    def shingle_hashes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(hashes of every k-gram of every text, flat; start offset of each text's k-grams).
        A text shorter than k is padded to one k-gram."""
        k = self.shingle
        norm = [t if len(t) >= k else t + "\0" * (k - len(t)) for t in map(normalise, texts)]
        cps = np.frombuffer("".join(norm).encode("utf-32-le"), dtype=np.uint32)
        lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=len(norm))
        starts = np.cumsum(lengths) - lengths
        # polynomial hash of the window of k code points at every position of the stream
        width = len(cps) - k + 1
        h = cps[:width].copy()
        for j in range(1, k):
            h *= self.base
            h += cps[j : j + width]
        # keep the windows that lie inside one text
        counts = lengths - k + 1
        first = np.cumsum(counts) - counts
        positions = np.repeat(starts - first, counts) + np.arange(int(counts.sum()))
        return _mix32(h[positions]), first

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), num_perm) uint32 MinHash signatures."""
        if not texts:
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        windows, offsets = self.shingle_hashes(texts)
        out = np.empty((len(texts), self.num_perm), dtype=np.uint32)
        buf = np.empty_like(windows)
        for i in range(self.num_perm):
            np.multiply(windows, self.a[i], out=buf)
            buf += self.b[i]
            out[:, i] = np.minimum.reduceat(buf, offsets)
        return out


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise share of equal entries of two signature arrays."""
    return (a == b).mean(axis=-1)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64 key of each band of each signature: its `rows` values hashed together."""
    n = signatures.shape[0]
    keys = np.empty((n, bands), dtype=np.uint64)
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        lo = np.full(n, np.uint32(0x9E3779B9 + band), dtype=np.uint32)
        hi = np.full(n, np.uint32(0x7F4A7C15 ^ band), dtype=np.uint32)
        for r in range(rows):
            lo = _mix32(lo ^ block[:, r])
            hi = _mix32(hi + block[:, r] * np.uint32(0x27D4EB2F))
        keys[:, band] = (hi.astype(np.uint64) << np.uint64(32)) | lo.astype(np.uint64)
    return keys


def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm minimising the weighted probability mass of false
    positives below the threshold and false negatives above it (the S-curve 1 - (1 - s^r)^b)."""
    lo, hi = np.linspace(0.0, threshold, 201), np.linspace(threshold, 1.0, 201)
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1 - (1 - lo**r) ** b, lo)
            fn = np.trapezoid((1 - hi**r) ** b, hi)
            err = fp_weight * fp + (1 - fp_weight) * fn
            if err < best_err:
                best, best_err = (b, r), float(err)
    return best
