#!/usr/bin/env bash
# Chaos: N objects, a four-step create handler whose steps leave side effects, and the
# operator killed with SIGKILL at random moments and started again until every object
# is handled. Then a report: objects lost (never Ready), steps whose recorded progress
# said they were done and that ran again (must be 0), extra runs of steps that were in
# flight when a kill came (allowed: at most one per object in flight per kill), and
# children made twice.
#
#   benchmarks/chaos.sh [N] [MAX_KILLS]       (default 300 objects, 40 kills)
#   YOPF=.build-static/release/yopf benchmarks/chaos.sh      # a given binary (default: release build)
#
# Against the cluster KUBECONFIG names, or a `yopf dev-cluster` it starts. Not a test:
# it runs, counts and prints (exit 1 when an object was lost or a recorded step repeated).
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
max_kills=${2:-40}
work=$(mktemp -d /tmp/yopf-chaos.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT

if [ -n "${YOPF:-}" ]; then
  yopf=$(realpath "$YOPF")              # e.g. YOPF=.build-static/release/yopf
else
  swift build -c release --product yopf >/dev/null || exit 1
  yopf=$PWD/.build/release/yopf
fi
if [ -z "${KUBECONFIG:-}" ]; then
  port=$((20000 + RANDOM % 20000))
  "$yopf" dev-cluster --listen 127.0.0.1:$port --write-kubeconfig "$work/kubeconfig" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$work/kubeconfig" ] && break; sleep 0.05; done
  export KUBECONFIG=$work/kubeconfig
fi
ns=chaos-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
export CHAOS_LOG=$work/steps.log

mkdir -p "$work/op"
cat >"$work/op/operator.yaml" <<'YAML'
apiVersion: yopf.dev/v1alpha1
kind: Operator
metadata: {name: chaos}
spec:
  watch: {group: chaos.yopf.dev, version: v1, plural: victims}
  crd:
    scope: Namespaced
    names: {kind: Victim}
    versions:
      - name: v1
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
              status: {type: object, x-kubernetes-preserve-unknown-fields: true}
  handlers:
    - id: four
      on: create
      steps:
        # Each step logs "<name> <step> <next step recorded when the handler started>":
        # a step below the recorded one ran after its progress was recorded.
        - run: {command: [sh, -c, 'sleep 0.05; echo "$0 0 $1" >> "$CHAOS_LOG"', '${{ .metadata.name }}', '${{ .status.yopf.progress.four.step // 0 }}']}
        - apply:
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: '${{ .metadata.name }}-child'}
            data: {owner: '${{ .metadata.name }}'}
        - run: {command: [sh, -c, 'sleep 0.05; echo "$0 2 $1" >> "$CHAOS_LOG"', '${{ .metadata.name }}', '${{ .status.yopf.progress.four.step // 0 }}']}
        - run: {command: [sh, -c, 'sleep 0.05; echo "$0 3 $1" >> "$CHAOS_LOG"', '${{ .metadata.name }}', '${{ .status.yopf.progress.four.step // 0 }}']}
YAML
"$yopf" manifests "$work/op" --image none --no-leader-elect \
  | python3 -c 'import sys,yaml; print(yaml.safe_dump_all([d for d in yaml.safe_load_all(sys.stdin) if d and d["kind"]=="CustomResourceDefinition"]))' \
  | kubectl apply -f - >/dev/null
kubectl wait --for=condition=Established crd/victims.chaos.yopf.dev --timeout=60s >/dev/null
kubectl create namespace "$ns" >/dev/null
python3 - "$n" "$ns" <<'PY' | kubectl apply -f - >/dev/null
import sys
n, ns = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print(f"---\napiVersion: chaos.yopf.dev/v1\nkind: Victim\nmetadata: {{name: v-{i}, namespace: {ns}}}\nspec: {{i: {i}}}")
PY

ready() {
  kubectl get victims -n "$ns" -o json | python3 -c '
import sys, json
items = json.load(sys.stdin)["items"]
print(sum(1 for i in items if any(c["type"] == "Ready" and c["status"] == "True" for c in (i.get("status") or {}).get("conditions", []))))'
}

kills=0
start=$SECONDS
while :; do
  "$yopf" run "$work/op" -n "$ns" --concurrency 8 >>"$work/yopf.log" 2>&1 &
  pid=$!
  pids+=($pid)
  if [ $kills -ge "$max_kills" ]; then
    # Enough chaos: let it finish.
    for _ in $(seq 600); do [ "$(ready)" -ge "$n" ] && break; sleep 1; done
    kill -9 $pid 2>/dev/null
    break
  fi
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 2.5), 2))')"
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  kills=$((kills + 1))
  [ "$(ready)" -ge "$n" ] && break
done

python3 - "$CHAOS_LOG" "$n" "$(ready)" "$kills" "$((SECONDS - start))" "$ns" <<'PY'
import sys, json, subprocess, collections
log, n, ready, kills, seconds, ns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
runs = collections.Counter()
violations = []
for line in open(log):
    name, step, recorded = line.split()
    runs[(name, int(step))] += 1
    if int(step) < int(recorded):
        violations.append(line.strip())
extra = sum(c - 1 for c in runs.values() if c > 1)
missing = sum(1 for i in range(n) for s in (0, 2, 3) if runs[(f"v-{i}", s)] == 0)
children = json.loads(subprocess.run(["kubectl", "get", "configmaps", "-n", ns, "-o", "json"], capture_output=True, text=True).stdout)["items"]
per_owner = collections.Counter(c["data"]["owner"] for c in children if c["metadata"]["name"].endswith("-child"))
print(f"{n} objects, 4-step create handler, {kills} SIGKILLs at random moments, {seconds} s")
print(f"  objects Ready:                         {ready} of {n} (lost: {n - ready})")
print(f"  recorded steps that ran again:         {len(violations)}")
print(f"  steps that never ran:                  {missing}")
print(f"  extra runs of in-flight steps:         {extra} ({extra / max(kills, 1):.2f} per kill)")
print(f"  children: {len(per_owner)} owners, made twice: {sum(1 for c in per_owner.values() if c > 1)}")
for v in violations[:10]: print("  VIOLATION:", v)
sys.exit(1 if ready < n or violations or missing else 0)
PY
