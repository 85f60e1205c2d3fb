#!/usr/bin/env bash
# Data-parallel training against one process (issue 15): seconds per minibatch of an RBM on MNIST
# (one epoch, the median of REPEAT) for each batch size, as one process (--shards 1, the model's
# own step; --shards 2, the same process cutting each minibatch in two) and as mpirun -np 2
# (--shards 2, one thread a rank), with the bytes each rank receives per minibatch.
# Usage: bench/data_parallel.sh [GIBBS] [DATA] [HIDDEN] [REPEAT] [BATCH...]
set -euo pipefail
gibbs=${1:-build/release/bin/gibbs}
data=${2:-data/mnist.h5}
hidden=${3:-500}
repeat=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
batches=("$@")
[ ${#batches[@]} -gt 0 ] || batches=(32 128 512 2048)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rows=$("$gibbs" data info "$data" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(s["rows"] for s in d["splits"] if s["name"]=="train"))')

# The epoch's seconds (its log line) over the run's minibatches, median of $repeat runs, in ms.
per_step() {  # batch, command...
  local batch=$1; shift
  local times=()
  for _ in $(seq "$repeat"); do
    rm -f "$out/c.h5"
    times+=("$("$@" 2>/dev/null | sed -n 's/^epoch 1\/1  \([0-9.]*\) s.*/\1/p')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v n="$repeat" -v steps="$(( (rows + batch - 1) / batch ))" \
    '{t[NR]=$1} END {printf "%.3f", 1000 * t[int((n + 1) / 2)] / steps}'
}

echo "| batch | 1 process, --shards 1 (ms/step) | 1 process, --shards 2 | mpirun -np 2, --shards 2 | bytes received per rank and step |"
echo "| --- | --- | --- | --- | --- |"
for batch in "${batches[@]}"; do
  train=(train --model rbm --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1 --monitor 1000 -o "$out/c.h5")
  one=$(per_step "$batch" "$gibbs" "${train[@]}" --threads 2 --shards 1)
  two=$(per_step "$batch" "$gibbs" "${train[@]}" --threads 2 --shards 2)
  ranks=$(per_step "$batch" mpirun --oversubscribe -np 2 "$gibbs" "${train[@]}" --threads 1 --shards 2)
  rm -f "$out/c.h5"
  bytes=$(mpirun --oversubscribe -np 2 "$gibbs" "${train[@]}" --threads 1 --shards 2 2>/dev/null |
    sed -n 's/.*each rank received \([0-9]*\) bytes.*/\1/p')
  rm -f "$out/c.h5"
  echo "| $batch | $one | $two | $ranks | $bytes |"
done
