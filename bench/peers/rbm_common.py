"""What the peers share (the RBM peers, and nn_torch.py for the thread environment, the data,
the BLAS report and the JSON line): the workloads, the command line, the thread environment,
the data, the BLAS report and the JSON line. Only the standard library is imported at module load:
the thread variables must be in the environment before numpy or torch is imported."""

import argparse
import ctypes
import json
import math
import os
import sys

VISIBLE = 784

# The workloads of DESIGN.md. init: ("normal", sigma) or ("uniform", half-width).
WORKLOADS = {
    "W2": dict(hidden=500, batch=128, lr=0.01, k=1, persistent=False, gaussian=False,
               init=("normal", 0.01)),
    "W3": dict(hidden=200, batch=128, lr=0.01, k=1, persistent=False, gaussian=True,
               init=("normal", 0.01)),
    "W4": dict(hidden=500, batch=20, lr=0.1, k=15, persistent=True, gaussian=False,
               init=("uniform", 4 * math.sqrt(6 / (VISIBLE + 500)))),
    "gibbs": dict(hidden=500, init=("normal", 0.01)),
}


def fail(message):
    """The one-line error of every peer: on stderr, exit status 2."""
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    print(f"{name}: error: {message}", file=sys.stderr)
    sys.exit(2)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the usage too: keep to one line
        fail(message)


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive")
    return value


def parse_args(description, workloads):
    """Parses the command line, then sets the thread environment (before numpy is imported)."""
    p = _Parser(description=description)
    p.add_argument("--workload", required=True, choices=workloads)
    p.add_argument("--data", metavar="FILE", help="gibbs dataset (HDF5); not used by 'gibbs'")
    p.add_argument("--threads", required=True, type=_positive, metavar="T")
    p.add_argument("--blas-threads", type=_positive, metavar="B", help="the BLAS's threads (default: --threads)")
    p.add_argument("--epochs", type=_positive, default=1, metavar="E")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--steps", type=_positive, default=1000, metavar="N", help="'gibbs' only")
    p.add_argument("--chains", type=_positive, default=100, metavar="C", help="'gibbs' only")
    args = p.parse_args()
    if args.workload != "gibbs" and args.data is None:
        fail(f"--workload {args.workload} needs --data FILE")
    if args.seed < 0:
        fail(f"--seed {args.seed} is negative")
    set_thread_environment(args.threads, args.blas_threads)
    return args


def set_thread_environment(threads, blas_threads=None):
    """The peers' threads, set before numpy or torch is imported: --threads
    (OpenMP) and --blas-threads (the BLAS's own pool, default --threads) win; OMP_WAIT_POLICY only
    where the caller has not set it. OPENBLAS_CORETYPE is the caller's: gibbs names the kernels of
    its own SIMD target, and without it OpenBLAS picks the CPU's (a forced SkylakeX would stop with
    SIGILL on a CPU without AVX-512)."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(blas_threads or threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def import_or_fail(module):
    try:
        return __import__(module)
    except ImportError as e:
        fail(f"{sys.executable} cannot import {module} ({e}); Debian's python3-{module} "
             "is installed for /usr/bin/python3")


def load_train(path):
    """/train/x of a gibbs dataset as a float32 [N, 784] array (uint8 values times `scale`)."""
    return load_split(path, "train")[0]


def load_split(path, split, labels=False):
    """(x, y) of one split of a gibbs dataset: x float32 [N, 784] (uint8 values times `scale`,
    as gibbs reads them), y int64 [N] when labels is true (else None)."""
    np = import_or_fail("numpy")
    h5py = import_or_fail("h5py")
    y = None
    try:
        with h5py.File(path, "r") as f:
            if f"{split}/x" not in f:
                fail(f"{path}: no /{split}/x")
            d = f[f"{split}/x"]
            if d.ndim != 2 or d.shape[1] != VISIBLE or d.shape[0] == 0:
                fail(f"{path}: /{split}/x has shape {list(d.shape)}, expected [N, {VISIBLE}]")
            if d.dtype == np.uint8:
                if "scale" not in d.attrs:
                    fail(f"{path}: /{split}/x is uint8 without a 'scale' attribute")
                scale = np.float32(d.attrs["scale"])
                x = d[()].astype(np.float32)
                x *= scale
            elif d.dtype == np.float32:
                x = d[()]
            else:
                fail(f"{path}: /{split}/x is {d.dtype}, expected uint8 or float32")
            if labels:
                if f"{split}/y" not in f:
                    fail(f"{path}: no /{split}/y")
                y = f[f"{split}/y"][()].astype(np.int64)
                if y.shape != (x.shape[0],):
                    fail(f"{path}: /{split}/y has shape {list(y.shape)}, expected [{x.shape[0]}]")
    except OSError as e:
        fail(f"{path}: {e}")
    if not np.isfinite(x).all():
        fail(f"{path}: /{split}/x has values that are not finite")
    return np.ascontiguousarray(x), y


def blas():
    """The BLAS actually mapped into this process: OpenBLAS's own config string (version and
    the kernels it chose), or the path of whatever other BLAS is loaded."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in os.path.basename(path) and path not in paths:
                paths.append(path)
    for path in paths:
        if "libopenblas" in os.path.basename(path):
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            config = lib.openblas_get_config().decode()
            core = lib.openblas_get_corename().decode()
            return {"blas": config, "blas_core": core, "blas_library": path}
    return {"blas": "unknown", "blas_core": None, "blas_library": ":".join(paths) or None}


def emit(record):
    print(json.dumps(record), flush=True)


def run(main):
    """Runs main(); any exception becomes the one-line error (exit status 2)."""
    try:
        main()
    except Exception as e:  # noqa: BLE001 - the peers report every failure the same way
        fail(f"{type(e).__name__}: {e}")
