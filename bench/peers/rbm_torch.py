#!/usr/bin/python3
"""PyTorch (CPU) peer of `gibbs bench rbm`: trains the RBM of a workload (W2, W3, W4) or runs
free Gibbs chains ('gibbs'), and prints one JSON line. See bench/README.md."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import time  # noqa: E402

import rbm_common as common  # noqa: E402

args = common.parse_args(__doc__, ["W2", "W3", "W4", "gibbs"])
torch = common.import_or_fail("torch")
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
spec = common.WORKLOADS[args.workload]
V, H = common.VISIBLE, spec["hidden"]


def bern(p, out, u):
    """out := (uniform < p) as float; u is a buffer of p's shape (out may be p)."""
    torch.rand(p.shape, out=u)
    return torch.lt(u, p, out=out)


def initial_weights():
    kind, scale = spec["init"]
    W = torch.empty(V, H)
    return W.normal_(0.0, scale) if kind == "normal" else W.uniform_(-scale, scale)


def train(X):
    """CD-k or PCD-k with plain SGD; returns the wall time of each epoch and (W, b, c)."""
    N, B, lr, k, persistent = X.shape[0], spec["batch"], spec["lr"], spec["k"], spec["persistent"]
    W, b, c = initial_weights(), torch.zeros(V), torch.zeros(H)
    v0, v, uv = (torch.empty(B, V) for _ in range(3))
    h0p, hp, uh = (torch.empty(B, H) for _ in range(3))
    h = torch.zeros(B, H)  # for PCD, the persistent chains: their hidden state starts at zeros
    seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(N)
        for first in range(0, N, B):
            idx = order[first:first + B]
            n = idx.shape[0]
            m = B if persistent else n  # rows of the negative phase: the B chains of PCD
            torch.index_select(X, 0, idx, out=v0[:n])
            torch.addmm(c, v0[:n], W, out=h0p[:n]).sigmoid_()
            if not persistent:  # CD starts from the data's hidden sample, PCD from the chains (h)
                bern(h0p[:n], h[:n], uh[:n])
            for step in range(k):
                torch.addmm(b, h[:m], W.t(), out=v[:m])
                if spec["gaussian"]:  # unit variance Gaussian visibles: mean + N(0, 1)
                    v[:m].add_(torch.randn(m, V, out=uv[:m]))
                else:
                    bern(v[:m].sigmoid_(), v[:m], uv[:m])
                torch.addmm(c, v[:m], W, out=hp[:m]).sigmoid_()
                if persistent or step < k - 1:
                    bern(hp[:m], h[:m], uh[:m])
            W.addmm_(v0[:n].t(), h0p[:n], alpha=lr / n).addmm_(v[:m].t(), hp[:m], alpha=-lr / m)
            b.add_(v0[:n].sum(0), alpha=lr / n).add_(v[:m].sum(0), alpha=-lr / m)
            c.add_(h0p[:n].sum(0), alpha=lr / n).add_(hp[:m].sum(0), alpha=-lr / m)
        seconds.append(time.perf_counter() - start)
    return seconds, (W, b, c)


def reconstruction_mse(X, W, b, c, rows=4096):
    """Mean over all elements of (v - r)^2, r the mean-field reconstruction of v."""
    total = 0.0
    for first in range(0, X.shape[0], rows):
        v = X[first:first + rows]
        r = torch.addmm(b, torch.addmm(c, v, W).sigmoid_(), W.t())
        if not spec["gaussian"]:
            r.sigmoid_()
        total += float(r.sub_(v).square_().sum(dtype=torch.float64))
    return total / X.numel()


def gibbs_chains():
    """Free-running Bernoulli chains: v ~ bern(0.5), then h ~ p(h|v), v ~ p(v|h) per step."""
    C = args.chains
    W, b, c = initial_weights(), torch.zeros(V), torch.zeros(H)
    v, uv, h, uh = torch.full((C, V), 0.5), torch.empty(C, V), torch.empty(C, H), torch.empty(C, H)
    bern(v, v, uv)
    start = time.perf_counter()
    for _ in range(args.steps):
        bern(torch.addmm(c, v, W, out=h).sigmoid_(), h, uh)
        bern(torch.addmm(b, h, W.t(), out=v).sigmoid_(), v, uv)
    return time.perf_counter() - start


def main():
    with torch.no_grad():
        record = {"peer": "pytorch", "workload": args.workload, "threads": args.threads}
        if args.workload == "gibbs":
            record.update(chains=args.chains, steps=args.steps, seconds=gibbs_chains())
        else:
            X = torch.from_numpy(common.load_train(args.data))
            seconds, params = train(X)
            record.update(epoch_seconds=seconds, reconstruction_mse=reconstruction_mse(X, *params))
        record.update(version=torch.__version__, **common.blas())
        common.emit(record)


common.run(main)
