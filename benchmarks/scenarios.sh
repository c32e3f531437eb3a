#!/usr/bin/env bash
# The wall time of `yopf test handlers/mysql handlers/certificates` with the release
# build: the shipped examples' scenarios, which users run on every save. Goal: under 5 s.
#
#   benchmarks/scenarios.sh [RUNS]       (default 3 runs; prints each and the best)
#
# Not a test: it builds, runs, measures and prints (exit 1 when a scenario fails, or when
# the best run is over the goal).
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
goal_ms=5000

swift build -c release --product yopf >/dev/null || exit 1
yopf=$PWD/.build/release/yopf
best=
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  if ! out=$("$yopf" test handlers/mysql handlers/certificates 2>&1); then
    echo "$out"
    echo "run $i: a scenario failed"
    exit 1
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "run $i: $ms ms ($(echo "$out" | tail -n 1))"
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "yopf test handlers/mysql handlers/certificates: best of $runs runs: $best ms (goal < $goal_ms ms)"
[ "$best" -lt "$goal_ms" ]
