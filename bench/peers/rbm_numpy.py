#!/usr/bin/python3
"""NumPy peer of `gibbs bench rbm`: trains the RBM of a workload (W2, W3, W4) or runs free
Gibbs chains ('gibbs'), and prints one JSON line. See bench/README.md."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import time  # noqa: E402

import rbm_common as common  # noqa: E402

args = common.parse_args(__doc__, ["W2", "W3", "W4", "gibbs"])
np = common.import_or_fail("numpy")
rng = np.random.default_rng(args.seed)
spec = common.WORKLOADS[args.workload]
V, H = common.VISIBLE, spec["hidden"]
f32 = np.float32


def sigmoid(x):
    """x := 1 / (1 + exp(-x)) in place. exp(-x) overflows to inf for x < -88, which gives
    exactly 0, the right limit; the overflow is silenced by the errstate around the callers."""
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += f32(1)
    return np.reciprocal(x, out=x)


def bern(p, out, u):
    """out := (uniform < p) as float; u is a buffer of p's shape (out may be p)."""
    rng.random(out=u, dtype=f32)
    return np.less(u, p, out=out)


def affine(x, M, bias, out):
    """out := x·M + bias."""
    np.dot(x, M, out=out)
    out += bias
    return out


def initial_weights():
    kind, scale = spec["init"]
    if kind == "normal":
        return rng.normal(0.0, scale, size=(V, H)).astype(f32)
    return rng.uniform(-scale, scale, size=(V, H)).astype(f32)


def train(X):
    """CD-k or PCD-k with plain SGD; returns the wall time of each epoch and (W, b, c)."""
    N, B, lr, k, persistent = X.shape[0], spec["batch"], spec["lr"], spec["k"], spec["persistent"]
    W, b, c = initial_weights(), np.zeros(V, f32), np.zeros(H, f32)
    v0, v, uv = (np.empty((B, V), f32) for _ in range(3))
    h0p, hp, uh = (np.empty((B, H), f32) for _ in range(3))
    h = np.zeros((B, H), f32)  # for PCD, the persistent chains: their hidden state starts at zeros
    grad, neg = np.empty((V, H), f32), np.empty((V, H), f32)
    seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = rng.permutation(N)
        for first in range(0, N, B):
            idx = order[first:first + B]
            n = idx.shape[0]
            m = B if persistent else n  # rows of the negative phase: the B chains of PCD
            np.take(X, idx, axis=0, out=v0[:n], mode="clip")  # "clip": unbuffered, idx is valid
            sigmoid(affine(v0[:n], W, c, h0p[:n]))
            if not persistent:  # CD starts from the data's hidden sample, PCD from the chains (h)
                bern(h0p[:n], h[:n], uh[:n])
            for step in range(k):
                affine(h[:m], W.T, b, v[:m])
                if spec["gaussian"]:  # unit variance Gaussian visibles: mean + N(0, 1)
                    v[:m] += rng.standard_normal(out=uv[:m], dtype=f32)
                else:
                    bern(sigmoid(v[:m]), v[:m], uv[:m])
                sigmoid(affine(v[:m], W, c, hp[:m]))
                if persistent or step < k - 1:
                    bern(hp[:m], h[:m], uh[:m])
            np.dot(v0[:n].T, h0p[:n], out=grad)
            grad *= f32(lr / n)
            np.dot(v[:m].T, hp[:m], out=neg)
            neg *= f32(lr / m)
            grad -= neg
            W += grad
            b += f32(lr / n) * v0[:n].sum(0) - f32(lr / m) * v[:m].sum(0)
            c += f32(lr / n) * h0p[:n].sum(0) - f32(lr / m) * hp[:m].sum(0)
        seconds.append(time.perf_counter() - start)
    return seconds, (W, b, c)


def reconstruction_mse(X, W, b, c, rows=4096):
    """Mean over all elements of (v - r)^2, r the mean-field reconstruction of v."""
    total = 0.0
    for first in range(0, X.shape[0], rows):
        v = X[first:first + rows]
        r = sigmoid(v @ W + c) @ W.T + b
        if not spec["gaussian"]:
            sigmoid(r)
        r -= v
        total += float(np.einsum("ij,ij->", r, r, dtype=np.float64))
    return total / X.size


def gibbs_chains():
    """Free-running Bernoulli chains: v ~ bern(0.5), then h ~ p(h|v), v ~ p(v|h) per step."""
    C = args.chains
    W, b, c = initial_weights(), np.zeros(V, f32), np.zeros(H, f32)
    v, uv = np.full((C, V), 0.5, f32), np.empty((C, V), f32)
    h, uh = np.empty((C, H), f32), np.empty((C, H), f32)
    bern(v, v, uv)
    start = time.perf_counter()
    for _ in range(args.steps):
        bern(sigmoid(affine(v, W, c, h)), h, uh)
        bern(sigmoid(affine(h, W.T, b, v)), v, uv)
    return time.perf_counter() - start


def main():
    with np.errstate(over="ignore"):
        record = {"peer": "numpy", "workload": args.workload, "threads": args.threads}
        if args.workload == "gibbs":
            record.update(chains=args.chains, steps=args.steps, seconds=gibbs_chains())
        else:
            X = common.load_train(args.data)
            seconds, params = train(X)
            record.update(epoch_seconds=seconds, reconstruction_mse=reconstruction_mse(X, *params))
        record.update(version=np.__version__, **common.blas())
        common.emit(record)


common.run(main)
