#!/usr/bin/python3
"""PyTorch (CPU) peer of `gibbs bench mlp|cnn|autoencoder`: trains the network of a workload
(W5 MLP, W6 CNN, W7 autoencoder) with Adam, batch 64, on a gibbs dataset, and prints one JSON
line: the wall time of each epoch and the test accuracy or test MSE. See bench/README.md."""

import argparse
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import statistics  # noqa: E402
import time  # noqa: E402

import rbm_common as common  # noqa: E402

WORKLOADS = ("mlp", "cnn", "autoencoder")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, as every peer
        common.fail(message)


def parse_args():
    p = _Parser(description=__doc__)
    p.add_argument("--workload", required=True, choices=WORKLOADS)
    p.add_argument("--data", required=True, metavar="FILE", help="gibbs dataset (HDF5) with train and test splits")
    p.add_argument("--threads", required=True, type=int, metavar="T")
    p.add_argument("--blas-threads", type=int, metavar="B", help="OpenBLAS's threads (default: --threads)")
    p.add_argument("--epochs", type=int, default=3, metavar="E")
    p.add_argument("--batch", type=int, default=64, metavar="B")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    args = p.parse_args()
    for name in ("threads", "epochs", "batch"):
        if getattr(args, name) < 1:
            common.fail(f"--{name} {getattr(args, name)} is not positive")
    if args.blas_threads is not None and args.blas_threads < 1:
        common.fail(f"--blas-threads {args.blas_threads} is not positive")
    common.set_thread_environment(args.threads, args.blas_threads)
    return args


args = parse_args()
torch = common.import_or_fail("torch")
nn = torch.nn
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)


def build(workload):
    """The networks of DESIGN.md W5-W7, as the course notebook writes them."""
    if workload == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 200), nn.ReLU(),
                             nn.Linear(200, 400), nn.ReLU(), nn.Linear(400, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    encoder = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                            nn.Linear(64, 12), nn.ReLU(), nn.Linear(12, 20))
    decoder = nn.Sequential(nn.Linear(20, 12), nn.ReLU(), nn.Linear(12, 64), nn.ReLU(),
                            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())
    return nn.Sequential(encoder, decoder)


def load(split):
    x, y = common.load_split(args.data, split, labels=args.workload != "autoencoder")
    x = torch.from_numpy(x)
    if args.workload == "cnn":
        x = x.view(-1, 1, 28, 28)
    return x, None if y is None else torch.from_numpy(y)


def train(model, X, Y):
    """Adam (PyTorch's defaults, lr 1e-3), a fresh permutation each epoch, the last partial
    batch included; returns the wall time of each epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss() if Y is None else nn.CrossEntropyLoss()
    N, B = X.shape[0], args.batch
    seconds = []
    model.train()
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(N)
        for first in range(0, N, B):
            idx = order[first:first + B]
            xb = X[idx]
            out = model(xb)
            loss = loss_fn(out, xb if Y is None else Y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def evaluate(model, X, Y, rows=1000):
    """Test accuracy (classifiers) or test MSE, the mean over all elements (autoencoder)."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for first in range(0, X.shape[0], rows):
            xb = X[first:first + rows]
            out = model(xb)
            if Y is None:
                total += float(out.sub_(xb).square_().sum(dtype=torch.float64))
            else:
                total += int((out.argmax(1) == Y[first:first + rows]).sum())
    return total / (X.numel() if Y is None else X.shape[0])


def main():
    X, Y = load("train")
    Xt, Yt = load("test")
    model = build(args.workload)
    seconds = train(model, X, Y)
    record = {"peer": "pytorch", "workload": args.workload, "threads": args.threads, "epochs": args.epochs,
              "batch": args.batch, "epoch_seconds": seconds, "images_per_second": X.shape[0] / statistics.median(seconds)}
    metric = evaluate(model, Xt, Yt)
    record["test_mse" if Yt is None else "test_accuracy"] = metric
    record.update(version=torch.__version__, **common.blas())
    common.emit(record)


common.run(main)
