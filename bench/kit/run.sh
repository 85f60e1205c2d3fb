#!/usr/bin/env bash
# Issue 12's measurements on a machine with more cores, from the kit bench/kit/make.sh packs.
# usage: bash /tmp/kit/run.sh [all|scaling|peers|w4|cnn]   (results into $OUT, else ./kit-out)
#   scaling: GEMM (W1) at 2 threads and on every core; bench scaling at 1, 2, 4, 8, 16 threads for
#            W2, the chains, W5 and W7, and at 1, 2 and 16 for W4 and W6
#   peers:   W2, the chains, W5 and W7 at 2 threads against the machine's python3 (its PyTorch
#            and NumPy at their best), and W2 on every core
#   w4, cnn: W4 and W6 at 2 threads against the peers, each alone: their peers' configurations
#            take minutes
#   all:     scaling, then peers. On the 2-core Zen 5 host scaling took 3 minutes; W4's and W6's
#            peers each ran past 240 s, hence parts of their own. Each part fits one device call.
# Each step is cut off after its time (240 s; 540 s for w4 and cnn); lscpu and every step's output
# land in the output folder.
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

step() {  # step NAME SECONDS ARGS...: gibbs ARGS into $out/NAME.txt, stopped after SECONDS
  local name=$1 seconds=$2; shift 2
  echo "== $name: gibbs $*"
  timeout "$seconds" "$gibbs" "$@" >"$out/$name.txt" 2>&1
  echo "   exit $?, $(wc -l <"$out/$name.txt") lines"
}

scaling() {
  step gemm-2t 240 bench gemm --threads 2 --json
  step gemm-all 240 bench gemm --threads "$cores" --json
  step scaling 240 bench scaling --workload W2,gibbs,W5,W7 --threads-list 1,2,4,8,16 --data "$data" --json
  step scaling-w4-w6 240 bench scaling --workload W4,W6 --threads-list 1,2,16 --data "$data" --json
}

with_peers=(--peers "$kit/peers" --python "$python" --threads 2 --json)
peers() {
  step rbm-2t 240 bench rbm --data "$data" --workload W2,gibbs "${with_peers[@]}"
  step mlp-2t 240 bench mlp --data "$data" --epochs 3 "${with_peers[@]}"
  step autoencoder-2t 240 bench autoencoder --data "$data" --epochs 3 "${with_peers[@]}"
  step w2-all 240 bench rbm --data "$data" --workload W2 --epochs 3 --no-peers --threads "$cores" --json
}

case ${1:-all} in
  scaling) scaling ;;
  peers) peers ;;
  w4) step w4-2t 540 bench rbm --data "$data" --workload W4 "${with_peers[@]}" ;;
  cnn) step cnn-2t 540 bench cnn --data "$data" --epochs 1 "${with_peers[@]}" ;;
  all) scaling; peers ;;
  *) echo "usage: run.sh [all|scaling|peers|w4|cnn]" >&2; exit 2 ;;
esac
