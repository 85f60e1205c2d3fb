#!/usr/bin/python3
"""NumPy peer of `gibbs bench capacity` (workload W8): the course notebook's perceptron capacity
experiment (patterns uniform in [-1, 1]^N, labels +-1 at random, a perceptron from zero weights
trained by the per-sample rule in a fresh random order every epoch, the error checked before
every epoch, up to --max-epochs epochs), written as a NumPy user who knows NumPy would: the
trials of one pattern count run side by side as arrays, finished trials dropped. Prints one JSON
line: seconds, the learned share per count and the half point. See bench/README.md."""

import argparse
import json
import os
import sys
import time


def fail(message):
    print(f"capacity_numpy: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--inputs", type=int, default=20)
    p.add_argument("--min-patterns", type=int, default=2)
    p.add_argument("--max-patterns", type=int, default=80)
    p.add_argument("--trials", type=int, default=50)
    p.add_argument("--max-epochs", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--blas-threads", type=int, default=None, help="the BLAS's threads (default: --threads)")
    a = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(a.blas_threads or a.threads)
    try:
        import numpy as np
    except ImportError as e:
        fail(f"{sys.executable} cannot import numpy ({e})")

    rng = np.random.default_rng(a.seed)
    f32 = np.float32
    N, T, lr = a.inputs, a.trials, f32(a.lr)

    def learned_count(P):
        X = rng.uniform(-1, 1, (T, P, N)).astype(f32)
        y = rng.choice(np.array([-1, 1], dtype=f32), (T, P))
        W = np.zeros((T, N), f32)
        b = np.zeros(T, f32)
        active = np.arange(T)  # trials not learned yet
        learned = 0
        for epoch in range(a.max_epochs + 1):
            # The notebook's check: zero error on all P patterns with the current weights.
            z = np.einsum("tpn,tn->tp", X[active], W[active]) + b[active, None]
            done = np.all(np.where(z > 0, f32(1), f32(-1)) == y[active], axis=1)
            learned += int(done.sum())
            active = active[~done]
            if active.size == 0 or epoch == a.max_epochs:
                break
            Xa, ya, Wa, ba = X[active], y[active], W[active], b[active]
            # Each trial's own order, gathered once: the steps below read contiguous slices.
            order = rng.permuted(np.tile(np.arange(P), (active.size, 1)), axis=1)
            Xp = np.take_along_axis(Xa, order[:, :, None], axis=1)
            yp = np.take_along_axis(ya, order, axis=1)
            for k in range(P):
                x = Xp[:, k]
                yhat = np.where(np.einsum("tn,tn->t", Wa, x) + ba > 0, f32(1), f32(-1))
                d = lr * (yp[:, k] - yhat)
                Wa += d[:, None] * x
                ba += d
            W[active], b[active] = Wa, ba
        return learned

    counts = list(range(a.min_patterns, a.max_patterns + 1))
    start = time.perf_counter()
    learned = [learned_count(P) for P in counts]
    seconds = time.perf_counter() - start
    fractions = [n / T for n in learned]
    half = None
    for i, f in enumerate(fractions):
        if f <= 0.5:
            if i == 0:
                half = counts[0] / N
            else:
                f0 = fractions[i - 1]
                half = (counts[i - 1] + (f0 - 0.5) / (f0 - f) * (counts[i] - counts[i - 1])) / N
            break
    print(json.dumps({"peer": "numpy", "version": np.__version__, "workload": "W8", "threads": a.threads,
                      "inputs": N, "trials": T,
                      "max_epochs": a.max_epochs, "seconds": seconds, "half_point": half,
                      "patterns": counts, "fractions": fractions}))


if __name__ == "__main__":
    main()
