#!/usr/bin/env bash
# Issue 12's measurements on a machine with more cores, from the kit bench/kit/make.sh packs.
# usage: bash /tmp/kit/run.sh [scaling|peers|all]   (results into $OUT, else ./kit-out)
#   scaling: GEMM (W1) at 2 threads and on every core; bench scaling at 1, 2, 4, 8, 16 threads for
#            W2, the chains, W5 and W7, and at 2 and 16 for W4 and W6
#   peers:   W2, W4, the chains, W5, W6 and W7 at 2 threads against the machine's python3 (its
#            PyTorch and NumPy at their best), and W2 on every core
# Each step is cut off after 240 s; lscpu and every step's output land in the output folder.
set -uo pipefail
kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-$PWD/kit-out}
mkdir -p "$out"
gibbs=$kit/bin/gibbs
data=$kit/data/mnist.h5
python=$(command -v python3 || echo python3)
cores=$(nproc)
cd "$kit"
lscpu >"$out/lscpu.txt" 2>&1

step() {  # step NAME ARGS...: gibbs ARGS into $out/NAME.txt
  local name=$1; shift
  echo "== $name: gibbs $*"
  timeout 240 "$gibbs" "$@" >"$out/$name.txt" 2>&1
  echo "   exit $?, $(wc -l <"$out/$name.txt") lines"
}

scaling() {
  step gemm-2t bench gemm --threads 2 --json
  step gemm-all bench gemm --threads "$cores" --json
  step scaling bench scaling --workload W2,gibbs,W5,W7 --threads-list 1,2,4,8,16 --data "$data" --json
  step scaling-w4-w6 bench scaling --workload W4,W6 --threads-list 1,2,16 --data "$data" --json
}

peers() {
  local with=(--peers "$kit/peers" --python "$python" --threads 2 --json)
  step rbm-2t bench rbm --data "$data" "${with[@]}"
  step mlp-2t bench mlp --data "$data" --epochs 3 "${with[@]}"
  step autoencoder-2t bench autoencoder --data "$data" --epochs 3 "${with[@]}"
  step cnn-2t bench cnn --data "$data" --epochs 1 "${with[@]}"
  step w2-all bench rbm --data "$data" --workload W2 --epochs 3 --no-peers --threads "$cores" --json
}

case ${1:-all} in
  scaling) scaling ;;
  peers) peers ;;
  all) scaling; peers ;;
  *) echo "usage: run.sh [scaling|peers|all]" >&2; exit 2 ;;
esac
