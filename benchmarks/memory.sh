#!/usr/bin/env bash
# Measures yopf's memory against `yopf dev-cluster` on loopback, with a one-step create
# handler that makes one ConfigMap per object (the operator of benchmarks/runtime.sh):
#
#   at rest:  N_REST objects (default 1,000) handled, then 15 s idle: RSS, private memory
#             (what the process alone holds: RSS without shared pages of the binary and
#             libraries) and anonymous memory (heap and stacks);
#   backlog:  N_BACKLOG objects (default 10,000) exist before yopf starts: the peak RSS,
#             private and anonymous memory while it works through them, sampled every
#             100 ms, and the wall time.
#
#   benchmarks/memory.sh                      # the release build (swift build -c release)
#   YOPF=.build-static/release/yopf benchmarks/memory.sh      # e.g. the static binary
#   N_REST=1000 N_BACKLOG=10000 FLAGS="--qps 0" benchmarks/memory.sh
#
# yopf runs with FLAGS (default `--qps 0`: no client-side rate limit, so the backlog is
# worked through as fast as the machine allows, which is when memory peaks). Not a test:
# it measures and prints.
set -euo pipefail
cd "$(dirname "$0")/.."
n_rest=${N_REST:-1000}
n_backlog=${N_BACKLOG:-10000}
flags=${FLAGS:---qps 0}
work=$(mktemp -d /tmp/yopf-memory.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

yopf=${YOPF:-}
if [ -z "$yopf" ]; then
  swift build -c release --product yopf >/dev/null
  yopf=$PWD/.build/release/yopf
fi
echo "yopf: $yopf ($(ldd "$yopf" >/dev/null 2>&1 && echo "dynamic, $(ldd "$yopf" | wc -l) libraries" || echo static))"

mkdir -p "$work/op"
cat >"$work/op/operator.yaml" <<'YAML'
apiVersion: yopf.dev/v1alpha1
kind: Operator
metadata: {name: bench}
spec:
  watch: {group: bench.yopf.dev, version: v1, plural: items}
  crd:
    scope: Namespaced
    names: {kind: Item}
    versions: [{name: v1}]
  handlers:
    - id: create_fn
      on: create
      steps:
        - apply:
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: '${{ .metadata.name }}-child'}
            data: {owner: '${{ .metadata.name }}'}
      result: '{child: "\(.metadata.name)-child"}'
YAML
cat >"$work/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: items.bench.yopf.dev}
spec:
  group: bench.yopf.dev
  scope: Namespaced
  names: {kind: Item, plural: items, singular: item, listKind: ItemList}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
YAML

# cluster NAME: a fresh dev-cluster with the CRD; KUBECONFIG points at it.
cluster() {
  "$yopf" dev-cluster --listen 127.0.0.1:0 --write-kubeconfig "$work/$1.kubeconfig" >"$work/$1-cluster.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do [ -s "$work/$1.kubeconfig" ] && break; sleep 0.2; done
  export KUBECONFIG=$work/$1.kubeconfig
  kubectl apply -f "$work/crd.yaml" >/dev/null
  for _ in $(seq 50); do kubectl get items >/dev/null 2>&1 && break; sleep 0.2; done
}

# objects N: creates item-0 … item-(N-1), 500 to a kubectl call.
objects() {
  local n=$1 from=0
  while [ "$from" -lt "$n" ]; do
    local to=$(( from + 500 < n ? from + 500 : n ))
    for i in $(seq "$from" $((to - 1))); do
      printf -- '---\napiVersion: bench.yopf.dev/v1\nkind: Item\nmetadata: {name: item-%d, namespace: default}\nspec: {i: %d}\n' "$i" "$i"
    done | kubectl create -f - >/dev/null
    from=$to
  done
}

# What yopf's own /metrics says it finished: handler runs that succeeded.
metrics_port() { echo $(( 30000 + RANDOM % 20000 )); }
succeeded() {
  curl -s "http://127.0.0.1:$1/metrics" 2>/dev/null \
    | awk '/^yopf_handler_runs_total\{.*outcome="success"/{s+=$NF} END{printf "%d", s}'
}
# memory PID: "rss private anonymous" in KiB.
memory() {
  local rss priv anon
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  priv=$(awk '/^Private_(Clean|Dirty):/{s+=$2} END{print s+0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0)
  anon=$(awk '/^Anonymous:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0)
  echo "${rss:-0} ${priv:-0} ${anon:-0}"
}
mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }

# run_yopf NAME: starts yopf on the cluster; sets YOPF_PID and MPORT.
run_yopf() {
  MPORT=$(metrics_port)
  # shellcheck disable=SC2086
  "$yopf" run "$work/op" --kubeconfig "$KUBECONFIG" -A --metrics-addr "127.0.0.1:$MPORT" $flags >"$work/$1-yopf.log" 2>&1 &
  YOPF_PID=$!
  pids+=($YOPF_PID)
}

# wait_handled N SECONDS [SAMPLE]: until N handler runs succeeded; with SAMPLE, keeps the
# peaks of memory in PEAK_RSS, PEAK_PRIV, PEAK_ANON.
wait_handled() {
  local n=$1 deadline=$(( SECONDS + $2 )) sample=${3:-} tick=0
  PEAK_RSS=0 PEAK_PRIV=0 PEAK_ANON=0
  while :; do
    if [ -n "$sample" ]; then
      read -r rss priv anon < <(memory "$YOPF_PID")
      [ "$rss" -gt "$PEAK_RSS" ] && PEAK_RSS=$rss
      [ "$priv" -gt "$PEAK_PRIV" ] && PEAK_PRIV=$priv
      [ "$anon" -gt "$PEAK_ANON" ] && PEAK_ANON=$anon
    fi
    if [ $(( tick % 10 )) -eq 0 ] && [ "$(succeeded "$MPORT")" -ge "$n" ]; then return 0; fi
    kill -0 "$YOPF_PID" 2>/dev/null || { echo "yopf exited:"; tail -n 5 "$work"/*-yopf.log; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out: $(succeeded "$MPORT") of $n handled"; return 1; }
    tick=$(( tick + 1 ))
    sleep 0.1
  done
}

echo "== at rest: $n_rest objects handled, then 15 s idle (flags: $flags)"
cluster rest
objects "$n_rest"
run_yopf rest
read -r rss0 priv0 anon0 < <(sleep 1; memory "$YOPF_PID")
wait_handled "$n_rest" 300
sleep 15
read -r rss priv anon < <(memory "$YOPF_PID")
printf '   at rest, %d objects handled: RSS %s MB, private %s MB, anonymous %s MB  (1 s after start: RSS %s MB, private %s MB)\n' \
  "$n_rest" "$(mb "$rss")" "$(mb "$priv")" "$(mb "$anon")" "$(mb "$rss0")" "$(mb "$priv0")"
kill "$YOPF_PID"; wait "$YOPF_PID" 2>/dev/null || true

echo "== backlog: $n_backlog objects before start (flags: $flags)"
cluster backlog
started=$SECONDS
objects "$n_backlog"
echo "   created $n_backlog objects in $(( SECONDS - started )) s"
run_yopf backlog
started=$(date +%s.%N)
wait_handled "$n_backlog" 1200 sample
ended=$(date +%s.%N)
read -r rss priv anon < <(memory "$YOPF_PID")
printf '   backlog of %d: peak RSS %s MB, private %s MB, anonymous %s MB; %.1f s; afterwards RSS %s MB, private %s MB\n' \
  "$n_backlog" "$(mb "$PEAK_RSS")" "$(mb "$PEAK_PRIV")" "$(mb "$PEAK_ANON")" "$(echo "$ended - $started" | bc)" "$(mb "$rss")" "$(mb "$priv")"
[ "$(kubectl get items -o json | jq '[.items[] | select(.status.create_fn)] | length')" = "$n_backlog" ] \
  || echo "   warning: not every object shows its result in status"
