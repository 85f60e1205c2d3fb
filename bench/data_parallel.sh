#!/usr/bin/env bash
# Data-parallel training against one process (issue 15): milliseconds per minibatch of an RBM on
# MNIST (one epoch; its log line's seconds over its minibatches) for each batch size, as one
# process (--shards 1, the model's own step), one process cutting each minibatch in two
# (--shards 2) and mpirun -np 2 (--shards 2, one thread a rank), the three interleaved REPEAT
# times; medians, the median of each repetition's ratio to the one process, and the bytes each
# rank receives per minibatch.
# Usage: bench/data_parallel.sh [GIBBS] [DATA] [HIDDEN] [REPEAT] [BATCH...]
set -euo pipefail
gibbs=${1:-build/release/bin/gibbs}
data=${2:-data/mnist.h5}
hidden=${3:-500}
repeat=${4:-5}
shift $(($# < 4 ? $# : 4))
batches=("$@")
[ ${#batches[@]} -gt 0 ] || batches=(32 128 512 2048)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rows=$("$gibbs" data info "$data" --json |
  python3 -c 'import json,sys; print(next(s["rows"] for s in json.load(sys.stdin)["splits"] if s["name"] == "train"))')

# One epoch: its log (stdout) into $out/log.
epoch() {
  rm -f "$out/c.h5"
  "$@" >"$out/log" 2>/dev/null
}
seconds() { sed -n 's/^epoch 1\/1  \([0-9.]*\) s.*/\1/p' "$out/log"; }

echo "| batch | 1 process, 2 threads, --shards 1 (ms/minibatch) | 1 process, 2 threads, --shards 2 | mpirun -np 2, 1 thread each, --shards 2 | mpirun / 1 process | bytes each rank receives per minibatch |"
echo "| --- | --- | --- | --- | --- | --- |"
for batch in "${batches[@]}"; do
  train=(train --model rbm --data "$data" --hidden "$hidden" --batch-size "$batch" --epochs 1 --monitor 1000
    -o "$out/c.h5")
  : >"$out/times"
  for _ in $(seq "$repeat"); do
    epoch "$gibbs" "${train[@]}" --threads 2 --shards 1
    one=$(seconds)
    epoch "$gibbs" "${train[@]}" --threads 2 --shards 2
    two=$(seconds)
    epoch mpirun --oversubscribe -np 2 "$gibbs" "${train[@]}" --threads 1 --shards 2
    ranks=$(seconds)
    bytes=$(sed -n 's/.*each rank received \([0-9]*\) bytes.*/\1/p' "$out/log")
    echo "$one $two $ranks" >>"$out/times"
  done
  python3 - "$out/times" "$(((rows + batch - 1) / batch))" "$batch" "$bytes" <<'PY'
import statistics, sys
times = [list(map(float, line.split())) for line in open(sys.argv[1])]
steps, batch, bytes_ = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ms = [1000 * statistics.median(t[i] for t in times) / steps for i in range(3)]
ratio = statistics.median(t[2] / t[0] for t in times)
print(f"| {batch} | {ms[0]:.2f} | {ms[1]:.2f} | {ms[2]:.2f} | {ratio:.2f} | {bytes_:,} |")
PY
done
