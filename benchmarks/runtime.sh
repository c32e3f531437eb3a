#!/usr/bin/env bash
# Measures yopf (and Kopf, when installed) handling N pre-existing objects with a
# one-step create handler that makes one ConfigMap — the setting of DESIGN §5, where
# Kopf 1.45.2 took 22 s, 127 MB peak RSS and 27 ms of CPU per object for 1,000 objects,
# with 3 API writes per object. Prints wall time until every object is handled, peak RSS
# and peak private memory (RSS without shared library and binary pages), CPU time and API
# writes per object (counted by the dev-cluster's request log).
#
#   benchmarks/runtime.sh [N]        (default 1000)
#
# Not a test: it measures and prints. Runs against `yopf dev-cluster` on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

swift build -c release --product yopf >/dev/null
yopf=$PWD/.build/release/yopf
port=$((20000 + RANDOM % 10000))
"$yopf" dev-cluster --listen 127.0.0.1:$port --write-kubeconfig "$work/kubeconfig" --verbose 2>"$work/requests.log" &
sleep 1
export KUBECONFIG="$work/kubeconfig"

mkdir -p "$work/op/templates"
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
"$yopf" manifests "$work/op" --image none --no-leader-elect \
  | python3 -c 'import sys,yaml; docs=[d for d in yaml.safe_load_all(sys.stdin) if d and d["kind"]=="CustomResourceDefinition"]; print(yaml.safe_dump_all(docs))' \
  | kubectl apply -f - >/dev/null
sleep 1
python3 - "$n" <<'PY' | kubectl apply -f - >/dev/null
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"---\napiVersion: bench.yopf.dev/v1\nkind: Item\nmetadata: {{name: item-{i}, namespace: default}}\nspec: {{i: {i}}}")
PY

# Counts the objects whose status holds the result field $field (each tool's own).
field=create_fn
handled() { kubectl get items -o json | python3 -c 'import sys,json; f=sys.argv[1]; print(sum(1 for i in json.load(sys.stdin)["items"] if f in (i.get("status") or {})))' "$field"; }

measure() {  # measure NAME CMD...: runs CMD until every object is handled
  local name=$1; shift
  : >"$work/requests.log"
  local start=$(date +%s.%N)
  "$@" >"$work/$name.log" 2>&1 &
  local pid=$! peak=0 upeak=0
  while :; do
    rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    # Private memory (what the process alone holds; RSS also counts shared library pages).
    uss=$(awk '/^Private_(Clean|Dirty):/{s+=$2} END{print s+0}' /proc/$pid/smaps_rollup 2>/dev/null || echo 0)
    [ "${uss:-0}" -gt "$upeak" ] && upeak=$uss
    if [ "$(handled)" -ge "$n" ]; then break; fi
    if ! kill -0 $pid 2>/dev/null; then echo "$name exited early:"; tail -5 "$work/$name.log"; return 1; fi
    sleep 0.2
  done
  local end=$(date +%s.%N)
  local cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat)
  kill $pid; wait $pid 2>/dev/null || true
  local writes=$(grep -cE '^debug: (POST|PUT|PATCH|DELETE) ' "$work/requests.log" || true)
  local events=$(grep -cE '^debug: (POST|PATCH) /api/v1/namespaces/[^/]+/events' "$work/requests.log" || true)
  printf '%-6s %5d objects  %6.1f s  peak RSS %6.1f MB (private %5.1f MB)  CPU %6.2f s (%5.1f ms/object)  writes/object %.2f (+ %d Event writes)\n' \
    "$name" "$n" "$(echo "$end - $start" | bc)" "$(echo "$peak / 1024" | bc -l)" "$(echo "$upeak / 1024" | bc -l)" "$cpu" "$(echo "$cpu * 1000 / $n" | bc -l)" \
    "$(echo "($writes - $events) / $n" | bc -l)" "$events"
}

# No client-side rate limit for the comparison: Kopf has none by default.
measure yopf "$yopf" run "$work/op" --kubeconfig "$KUBECONFIG" -A --concurrency 32 --qps 0

if python3 -c 'import kopf, kubernetes' 2>/dev/null; then
  field=create_fn_result
  cat >"$work/kopf_op.py" <<'PY'
import kopf, kubernetes
kubernetes.config.load_kube_config()
api = kubernetes.client.CoreV1Api()
@kopf.on.startup()
def configure(settings, **_):
    settings.posting.enabled = False
    settings.persistence.progress_storage = kopf.StatusProgressStorage(field='status.kopf.progress')
@kopf.on.create('bench.yopf.dev', 'v1', 'items', id='create_fn_result')
def create_fn(name, namespace, **_):
    api.create_namespaced_config_map(namespace, {"metadata": {"name": f"{name}-kopf", "labels": {"bench": "kopf"}}, "data": {"owner": name}})
    return {"child": f"{name}-kopf"}
PY
  # Kopf sees the objects yopf already handled as new (it keeps its own state).
  measure kopf kopf run --standalone -A "$work/kopf_op.py"
else
  echo "kopf: not installed (pip install kopf kubernetes) — skipped"
fi
