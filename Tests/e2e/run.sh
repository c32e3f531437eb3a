#!/usr/bin/env bash
# The end-to-end suite: the examples' and the runtime's scenarios against the cluster that
# KUBECONFIG names — a real kube-apiserver is the judge —, or against a `yopf dev-cluster`
# it starts when KUBECONFIG is unset. .ci/run runs it that way (E2E_QUICK=1, the static binary).
#
#   Tests/e2e/run.sh [scenario…]      (all when none is named)
#
# It builds yopf (debug; YOPF_BINARY overrides), runs each operator as a process with
# kubectl as the client, and prints "ok - STEP" or "FAIL - STEP" with what it saw. Each run
# uses its own namespaces (e2e-<random>-…) and deletes them at the end. Scenarios that need
# pods to run (the MySQL example) are skipped on a cluster without nodes.
set -uo pipefail
cd "$(dirname "$0")/../.."
source Tests/DevClusterTests/referee-lib.sh

if [ -z "${YOPF_BINARY:-}" ]; then
  swift build --product yopf >/dev/null || { echo "FAIL - build"; exit 1; }
  YOPF_BINARY=$PWD/.build/debug/yopf
fi
yopf=$YOPF_BINARY
WORK=$(mktemp -d /tmp/yopf-e2e.XXXXXX)
export E2E_DIR=$WORK
RUN=e2e-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
PIDS=()
cleanup() {
  local status=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  # The operators are gone, so nothing would remove their finalizers: take them off the
  # objects left behind, or their namespaces stay Terminating on a long-lived cluster.
  local kinds ns
  kinds=$(kubectl api-resources --namespaced --verbs=list -o name 2>/dev/null | grep -E '\.(yopf\.dev|otus\.homework)$' | paste -sd, -)
  for ns in $(kubectl get ns -o name 2>/dev/null | grep "namespace/$RUN" | cut -d/ -f2); do
    [ -n "$kinds" ] && kubectl get "$kinds" -n "$ns" -o name 2>/dev/null |
      xargs -r kubectl patch -n "$ns" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1
    kubectl delete ns "$ns" --wait=false >/dev/null 2>&1
  done
  kubectl delete crd gadgets.late.e2e.yopf.dev --ignore-not-found --wait=false >/dev/null 2>&1
  if [ "$status" -ne 0 ] || [ "${KEEP:-}" = 1 ]; then echo "kept $WORK (operator logs)" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

if [ -z "${KUBECONFIG:-}" ]; then
  port=$((20000 + RANDOM % 20000))
  "$yopf" dev-cluster --listen 127.0.0.1:$port --write-kubeconfig "$WORK/kubeconfig" 2>"$WORK/dev-cluster.log" &
  PIDS+=($!)
  for _ in $(seq 200); do [ -s "$WORK/kubeconfig" ] && break; sleep 0.05; done
  export KUBECONFIG=$WORK/kubeconfig
  echo "# against yopf dev-cluster (KUBECONFIG unset)"
else
  echo "# against $(kubectl version -o json 2>/dev/null | python3 -c 'import sys,json; print("kube-apiserver " + json.load(sys.stdin)["serverVersion"]["gitVersion"])' 2>/dev/null || echo "$KUBECONFIG")"
fi

# eventually STEP SECONDS CMD...: retries CMD (its output in $out) until it succeeds.
eventually() {
  local step="$1" limit="$2"; shift 2
  local deadline=$((SECONDS + limit))
  while :; do
    out="$("$@" 2>&1)" && { echo "ok - $step"; return 0; }
    if [ $SECONDS -ge $deadline ]; then printf 'FAIL - %s (not within %ss)\n$ %s\n%s\n' "$step" "$limit" "$*" "$out"; exit 1; fi
    sleep 0.5
  done
}

# start_operator NAME DIR ARGS…: runs `yopf run DIR ARGS…` in the background.
start_operator() {
  local name=$1 dir=$2; shift 2
  "$yopf" run "$dir" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "${name//-/_}_pid=$!"
}

stop_operator() {  # stop_operator NAME
  local var="${1//-/_}_pid"
  kill "${!var}" 2>/dev/null; wait "${!var}" 2>/dev/null
}

crds() {  # crds DIR: the operator's CRD from `yopf manifests`, applied and Established
  "$yopf" manifests "$1" --image none --no-leader-elect \
    | python3 -c 'import sys,yaml; print(yaml.safe_dump_all([d for d in yaml.safe_load_all(sys.stdin) if d and d["kind"]=="CustomResourceDefinition"]))' \
    | kubectl apply -f - >/dev/null
}

lines() {  # lines FILE NAME: how many lines of FILE are NAME
  grep -cx -- "$2" "$WORK/$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------
scenario_runtime() {
  local ns=$RUN-rt
  run "namespaces" kubectl create namespace "$ns"
  run "spread namespaces" sh -c "kubectl create namespace $ns-a && kubectl create namespace $ns-b"
  crds Tests/e2e/runtime
  run "CRD established" kubectl wait --for=condition=Established crd/probes.e2e.yopf.dev --timeout=60s
  kubectl delete crd gadgets.late.e2e.yopf.dev --ignore-not-found --wait=true >/dev/null 2>&1
  start_operator runtime Tests/e2e/runtime -n "$ns"
  eventually "the operator is up" 60 grep -q "operator starting" "$WORK/runtime.log"

  # A multi-step delete handler runs each step exactly once, for each of 5 objects.
  for i in 1 2 3 4 5; do
    kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: del-$i, namespace: $ns}
spec: {}
YAML
  done
  eventually "five probes Ready" 120 sh -c "kubectl get probes -n $ns -o json | python3 -c 'import sys,json; items=json.load(sys.stdin)[\"items\"]; ok=[i for i in items if any(c[\"type\"]==\"Ready\" and c[\"status\"]==\"True\" for c in i.get(\"status\",{}).get(\"conditions\",[]))]; sys.exit(0 if len(ok)>=5 else 1)'"
  run "delete the five" kubectl delete probes -n "$ns" del-1 del-2 del-3 del-4 del-5 --wait=true --timeout=120s
  sleep 3
  for i in 1 2 3 4 5; do
    for s in 1 2 3; do
      n=$(lines delete-step$s del-$i)
      [ "$n" = 1 ] || { echo "FAIL - delete step $s ran $n times for del-$i"; exit 1; }
    done
  done
  echo "ok - each delete step ran exactly once for each of 5 objects"

  # Owned children: a deleted or edited ConfigMap is put back; nothing runs while nothing changes.
  kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: owner, namespace: $ns}
spec: {color: green}
YAML
  eventually "the child is made" 60 kubectl get configmap owner-desired -n "$ns" -o jsonpath='{.data.color}'
  expect "its data" '^green$'
  sleep 3
  runs_before=$(grep -c 'handler=desired object='"$ns"'/owner .*handler succeeded\|handler succeeded.*handler=desired object='"$ns"'/owner' "$WORK/runtime.log")
  sleep 5
  runs_after=$(grep -c 'handler=desired object='"$ns"'/owner .*handler succeeded\|handler succeeded.*handler=desired object='"$ns"'/owner' "$WORK/runtime.log")
  [ "$runs_before" = "$runs_after" ] || { echo "FAIL - the reconcile handler ran again while nothing changed ($runs_before → $runs_after)"; exit 1; }
  echo "ok - quiet while nothing changes"
  run "delete the child" kubectl delete configmap owner-desired -n "$ns"
  eventually "the deleted child is back within 10s" 10 kubectl get configmap owner-desired -n "$ns" -o jsonpath='{.data.color}'
  run "edit the child" kubectl patch configmap owner-desired -n "$ns" --type=merge -p '{"data":{"color":"red"}}'
  eventually "edited data restored within 10s" 10 sh -c "test \"\$(kubectl get configmap owner-desired -n $ns -o jsonpath='{.data.color}')\" = green"
  run "reason" kubectl get probe owner -n "$ns" -o jsonpath='{.status.desired.reason}'
  expect "the reconcile said why" 'child-changed'

  # A CRD created after start-up is found by an apply step on the next attempt.
  kubectl delete crd gadgets.late.e2e.yopf.dev --ignore-not-found --wait=true >/dev/null 2>&1
  kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: late, namespace: $ns}
spec: {gadget: true}
YAML
  eventually "the apply fails for want of the kind" 60 sh -c "kubectl get probe late -n $ns -o jsonpath='{.status.yopf.progress.gadget.message}' | grep -q 'serves no resource of kind late.e2e.yopf.dev/v1 Gadget'"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.late.e2e.yopf.dev}
spec:
  group: late.e2e.yopf.dev
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
YAML
  eventually "the Gadget is made after its CRD appeared" 90 kubectl get gadget late -n "$ns"

  # Concurrency group: four objects with the same key never overlap.
  for i in 1 2 3 4; do
    kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: grp-$i, namespace: $ns}
spec: {group: db-a}
YAML
  done
  eventually "the four ran" 120 sh -c "test \$(grep -c '^end' $WORK/groups 2>/dev/null || echo 0) -ge 4"
  python3 - "$WORK/groups" <<'PY' || { echo "FAIL - runs of one concurrency group overlapped"; cat "$WORK/groups"; exit 1; }
import sys
running = peak = 0
for line in open(sys.argv[1]):
    running += 1 if line.startswith("start") else -1
    peak = max(peak, running)
sys.exit(0 if peak == 1 else 1)
PY
  echo "ok - four handlers sharing a concurrency key with limit 1 never overlapped"

  # yopf.dev/retry runs a handler that failed for good again.
  touch "$WORK/refuse-again"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: again, namespace: $ns}
spec: {}
YAML
  eventually "it failed for good" 60 sh -c "kubectl get probe again -n $ns -o jsonpath='{.status.conditions[?(@.type==\"Degraded\")].status}' | grep -q True"
  rm -f "$WORK/refuse-again"
  run "ask for a re-run" kubectl annotate probe again -n "$ns" yopf.dev/retry="$(date +%s)" --overwrite
  eventually "the re-run succeeded" 60 sh -c "kubectl get probe again -n $ns -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True"

  # Children a forEach made in other namespaces go with their owner.
  kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: spread, namespace: $ns}
spec: {spread: [$ns-a, $ns-b]}
YAML
  eventually "children in two namespaces" 60 sh -c "kubectl get configmap from-spread -n $ns-a && kubectl get configmap from-spread -n $ns-b"
  run "delete the owner" kubectl delete probe spread -n "$ns" --wait=true --timeout=60s
  eventually "the children went with it" 30 sh -c "! kubectl get configmap from-spread -n $ns-a 2>/dev/null && ! kubectl get configmap from-spread -n $ns-b 2>/dev/null"

  # A schedule running each minute, with lastRun and nextRun in status.
  if [ "${E2E_QUICK:-}" != 1 ]; then
    kubectl apply -f - >/dev/null <<YAML
apiVersion: e2e.yopf.dev/v1
kind: Probe
metadata: {name: ticker, namespace: $ns}
spec: {tick: true}
YAML
    eventually "nextRun in status" 30 kubectl get probe ticker -n "$ns" -o jsonpath='{.status.yopf.schedules.tick.nextRun}'
    expect "a whole minute" ':00Z$'
    eventually "two runs, a minute apart" 150 sh -c "test \"\$(kubectl get probe ticker -n $ns -o jsonpath='{.status.ticks}')\" -ge 2"
    run "lastRun" kubectl get probe ticker -n "$ns" -o jsonpath='{.status.yopf.schedules.tick.lastRun} {.status.yopf.schedules.tick.lastResult}'
    expect "lastRun on the minute, succeeded" ':00Z Succeeded$'
  fi
  stop_operator runtime
}

# ---------------------------------------------------------------------------------------
scenario_certificates() {
  local ns=$RUN-certs
  run "namespace" kubectl create namespace "$ns"
  run "cert-manager's Certificate CRD" kubectl apply -f handlers/certificates/crds/certificate.yaml
  crds handlers/certificates
  run "Tenant CRD established" kubectl wait --for=condition=Established crd/tenants.yopf.dev --timeout=60s
  start_operator certificates handlers/certificates -n "$ns"
  sed "s/namespace: default/namespace: $ns/" handlers/certificates/samples/tenant.yaml | kubectl apply -n "$ns" -f - >/dev/null
  eventually "four certificates, one per registrable domain" 90 sh -c "test \$(kubectl get certificates -n $ns -o name | wc -l) -eq 4"
  run "names" kubectl get certificates -n "$ns" -o name
  expect "github.io is a public suffix" 'acme-x-github-io'
  run "delete one certificate" kubectl delete certificate acme-example-com -n "$ns"
  eventually "it is back" 15 kubectl get certificate acme-example-com -n "$ns"
  run "managed: false" kubectl patch tenant acme -n "$ns" --type=merge -p '{"spec":{"managed":false}}'
  eventually "certificates released" 60 sh -c "test \$(kubectl get certificates -n $ns -o name | wc -l) -eq 0"
  run "delete the tenant" kubectl delete tenant acme -n "$ns" --wait=true --timeout=60s

  # A hundred registrable domains: a hundred certificates; the tenant stays small.
  python3 - "$ns" <<'PY' | kubectl apply -f - >/dev/null
import sys, json
ns = sys.argv[1]
domains = [f"www.shop{i}-example.co.uk" for i in range(100)] + [f"api.shop{i}-example.co.uk" for i in range(100)]
print(json.dumps({"apiVersion": "yopf.dev/v1", "kind": "Tenant", "metadata": {"name": "big", "namespace": ns}, "spec": {"domains": domains}}))
PY
  eventually "a hundred certificates in the result" 300 sh -c "test \"\$(kubectl get tenant big -n $ns -o jsonpath='{.status.certificates.certificates}' | python3 -c 'import sys,json; print(len(json.load(sys.stdin)))')\" = 100"
  size=$(kubectl get tenant big -n "$ns" -o json | wc -c)
  [ "$size" -lt 262144 ] || { echo "FAIL - the tenant is $size bytes"; exit 1; }
  echo "ok - the 100-domain tenant is $size bytes (under 256 KiB)"
  stop_operator certificates
}

# ---------------------------------------------------------------------------------------
scenario_mysql() {
  # The MySQL example needs its pods to run (exec, Jobs): examples/mysql/e2e-local.sh and
  # e2e-rbac.sh run it end to end on the dev-cluster with a real MariaDB on this machine.
  if [ -z "$(kubectl get nodes -o name 2>/dev/null)" ]; then
    echo "ok - mysql # SKIP the cluster has no nodes, so pods never run"
  else
    echo "ok - mysql # SKIP it pulls mysql images and needs storage; run it by hand (examples/mysql/README.md)"
  fi
}

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(runtime certificates mysql)
for s in "${scenarios[@]}"; do
  echo "# scenario $s"
  "scenario_$s"
done
echo "# all passed"
