#!/usr/bin/env bash
# The runtime benchmark, side by side in one run: N objects exist before the operator
# starts; one create handler makes one owned ConfigMap and writes a result to status.
#
#   benchmarks/runtime.sh [N]        (default 1000)
#   YOPF_FLAGS="--concurrency 64" benchmarks/runtime.sh   (yopf's flags; none by default)
#   YOPF=.build-static/release/yopf benchmarks/runtime.sh  (a given binary, e.g. the static one;
#                                      default: the release build, swift build -c release)
#
# Runs against the cluster KUBECONFIG names (a real kube-apiserver is the judge), or a
# `yopf dev-cluster` it starts when KUBECONFIG is unset. Each contender gets its own
# namespace with N fresh objects:
#   floor  a tight compiled client (benchmarks/floor.c, libcurl multi): one list, then
#          yopf's two writes per object (server-side apply of the child, merge patch of the
#          status), 16 objects in flight — as fast as the server takes them;
#   yopf   `yopf run` with default flags (the release build);
#   kopf   Kopf with the same handler, when `pip install kopf kubernetes` was done.
# It prints one table: seconds until every object is handled, peak RSS, CPU seconds and
# API writes per object. Writes come from the server's own apiserver_request_total when
# it serves /metrics (resources items and configmaps; Events separately), else from the
# dev-cluster's request log. Not a test: it measures and prints.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

yopf=${YOPF:-}
if [ -z "$yopf" ]; then
  swift build -c release --product yopf >/dev/null
  yopf=$PWD/.build/release/yopf
fi

devlog=""
if [ -z "${KUBECONFIG:-}" ]; then
  port=$((20000 + RANDOM % 10000))
  devlog="$work/requests.log"
  "$yopf" dev-cluster --listen 127.0.0.1:$port --write-kubeconfig "$work/kubeconfig" --verbose 2>"$devlog" &
  for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
  export KUBECONFIG="$work/kubeconfig"
  where="yopf dev-cluster (in-memory)"
else
  where="$(kubectl version -o json 2>/dev/null | python3 -c 'import sys,json; v=json.load(sys.stdin)["serverVersion"]; print("kube-apiserver " + v["gitVersion"])' 2>/dev/null || echo "the cluster of $KUBECONFIG")"
fi

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
    versions:
      - name: v1
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
              status: {type: object, x-kubernetes-preserve-unknown-fields: true}
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
kubectl wait --for=condition=Established crd/items.bench.yopf.dev --timeout=60s >/dev/null

# N objects in a fresh namespace per contender.
seed() {  # seed NAMESPACE (a namespace left by an earlier, interrupted run goes first)
  kubectl delete namespace "$1" --ignore-not-found --wait=true --timeout=300s >/dev/null
  kubectl create namespace "$1" >/dev/null
  python3 - "$n" "$1" <<'PY' | kubectl apply -f - >/dev/null
import sys
n, ns = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print(f"---\napiVersion: bench.yopf.dev/v1\nkind: Item\nmetadata: {{name: item-{i}, namespace: {ns}}}\nspec: {{i: {i}}}")
PY
}

# Waits until every object in NAMESPACE has FIELD in its status: one list, then a watch
# from there, so the end is seen when it happens (polling lists of N objects cost the
# contender's cores more and saw the end up to a poll late).
cat >"$work/wait.py" <<'PY'
import sys, kubernetes
ns, field, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
kubernetes.config.load_kube_config()
api = kubernetes.client.CustomObjectsApi()
args = ("bench.yopf.dev", "v1", ns, "items")
listed = api.list_namespaced_custom_object(*args)
done = {i["metadata"]["name"] for i in listed["items"] if field in (i.get("status") or {})}
version = listed["metadata"]["resourceVersion"]
while len(done) < n:
    for event in kubernetes.watch.Watch().stream(api.list_namespaced_custom_object, *args,
                                                 resource_version=version, timeout_seconds=60):
        item = event["object"]
        version = item["metadata"]["resourceVersion"]
        if field in (item.get("status") or {}):
            done.add(item["metadata"]["name"])
            if len(done) >= n:
                break
PY
# API writes so far: "objects events" — from the server's metrics, or the dev-cluster's log.
writes() {
  if [ -n "$devlog" ]; then
    local all ev
    all=$(grep -cE '^debug: (POST|PUT|PATCH|DELETE) ' "$devlog" || true)
    ev=$(grep -cE '^debug: (POST|PATCH) /api/v1/namespaces/[^/]+/events' "$devlog" || true)
    echo "$((all - ev)) $ev"
  else
    kubectl get --raw /metrics | python3 -c '
import sys, re
obj = ev = 0
for line in sys.stdin:
    if not line.startswith("apiserver_request_total{"): continue
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", line))
    if labels.get("verb") not in ("POST", "PUT", "PATCH", "DELETE", "APPLY"): continue
    value = float(line.rsplit(" ", 1)[1])
    if labels.get("resource") in ("items", "configmaps"): obj += value
    elif labels.get("resource") == "events": ev += value
print(int(obj), int(ev))'
  fi
}

rows=()
measure() {  # measure NAME NAMESPACE FIELD CMD...: runs CMD until every object has FIELD
  local name=$1 ns=$2 field=$3; shift 3
  # The controller-manager reads each seeded object (garbage collector, quota) and the
  # previous contender's children: let it finish, so each contender starts on a quiet server.
  sleep "${SETTLE_SECONDS:-10}"
  read -r w0 e0 < <(writes)
  local start=$(date +%s.%N)
  "$@" >"$work/$name.log" 2>&1 &
  local pid=$! peak=0
  python3 "$work/wait.py" "$ns" "$field" "$n" &
  local waiter=$!
  while kill -0 $waiter 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    if ! kill -0 $pid 2>/dev/null; then echo "$name exited early:"; tail -5 "$work/$name.log"; kill $waiter; return 1; fi
    sleep 0.1
  done
  local end=$(date +%s.%N)
  local cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat)
  kill $pid; wait $pid 2>/dev/null || true
  sleep 1
  read -r w1 e1 < <(writes)
  rows+=("$(printf '%-6s | %7.1f | %8.1f MB | %7.2f s | %6.2f (+%.2f Events)' "$name" "$(echo "$end - $start" | bc)" \
    "$(echo "$peak / 1024" | bc -l)" "$cpu" "$(echo "($w1 - $w0) / $n" | bc -l)" "$(echo "($e1 - $e0) / $n" | bc -l)")")
}

# The floor: benchmarks/floor.c, compiled here — one list, then yopf's two writes per
# object, FLOOR_WORKERS (default 16) objects in flight over libcurl's multi interface.
cc -O2 -o "$work/floor" benchmarks/floor.c -lcurl
# The kubeconfig's server and credentials as files for libcurl (inline *-data decoded).
python3 - "$work" >"$work/floor.args" <<'PY'
import base64, os, sys, yaml
work = sys.argv[1]
cfg = yaml.safe_load(open(os.environ["KUBECONFIG"]))
ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == cfg["current-context"])
cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
user = next((u["user"] for u in cfg.get("users") or [] if u["name"] == ctx.get("user")), {}) or {}
def path(entry, key):
    if entry.get(key + "-data"):
        name = os.path.join(work, key)
        open(name, "wb").write(base64.b64decode(entry[key + "-data"]))
        return name
    return entry.get(key, "")
for value in (cluster["server"], path(cluster, "certificate-authority"), path(user, "client-certificate"), path(user, "client-key"), user.get("token", "")):
    print(value)
PY
mapfile -t floor_args <"$work/floor.args"

seed bench-floor
measure floor bench-floor floor "$work/floor" "${floor_args[0]}" bench-floor "${FLOOR_WORKERS:-16}" "${floor_args[@]:1}"

seed bench-yopf
# shellcheck disable=SC2086  # YOPF_FLAGS: extra flags, word-split on purpose
measure yopf bench-yopf create_fn "$yopf" run "$work/op" -n bench-yopf ${YOPF_FLAGS:-}

if python3 -c 'import kopf, kubernetes' 2>/dev/null; then
  cat >"$work/kopf_op.py" <<'PY'
import kopf, kubernetes
kubernetes.config.load_kube_config()
api = kubernetes.client.CoreV1Api()
@kopf.on.startup()
def configure(settings, **_):
    settings.posting.enabled = False
    settings.persistence.progress_storage = kopf.StatusProgressStorage(field='status.kopf.progress')
@kopf.on.create('bench.yopf.dev', 'v1', 'items', id='create_fn_result')
def create_fn(name, namespace, uid, **_):
    api.create_namespaced_config_map(namespace, {"metadata": {"name": f"{name}-kopf",
        "ownerReferences": [{"apiVersion": "bench.yopf.dev/v1", "kind": "Item", "name": name, "uid": uid}]}, "data": {"owner": name}})
    return {"child": f"{name}-kopf"}
PY
  seed bench-kopf
  measure kopf bench-kopf create_fn_result kopf run --standalone -n bench-kopf "$work/kopf_op.py"
else
  rows+=("kopf   | not installed (pip install kopf kubernetes)")
fi

echo
echo "$n objects, one create handler (one owned ConfigMap, result in status); $where; $(nproc) cores"
echo "who    | seconds |  peak RSS   |   CPU     | API writes/object"
echo "-------|---------|-------------|-----------|------------------"
printf '%s\n' "${rows[@]}"
for ns in bench-floor bench-yopf bench-kopf; do kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done
