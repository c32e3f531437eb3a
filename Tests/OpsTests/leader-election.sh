#!/usr/bin/env bash
# Two `yopf run --leader-elect` processes against `yopf dev-cluster`: exactly one leads
# (leader_election_master_status 1) and handles objects; SIGKILL of the leader while a
# multi-step handler is between steps → the other takes over within the lease duration
# plus a retry period and continues at the next step (the finished step is not run again).
#   Usage: leader-election.sh YOPF_BINARY
# Prints "ok - …" lines; on failure "FAIL - …" and exits 1.
set -uo pipefail
yopf=$1
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL - $*"; for f in "$work"/*.log; do echo "--- $f"; tail -n 15 "$f"; done; exit 1; }
ok() { echo "ok - $*"; }
lines() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

port=$((21000 + RANDOM % 8000))
"$yopf" dev-cluster --listen 127.0.0.1:$port --write-kubeconfig "$work/kubeconfig" >"$work/dev.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || fail "the dev-cluster did not start"
k() { kubectl --kubeconfig "$work/kubeconfig" --request-timeout=10s "$@"; }

mkdir -p "$work/op"
cat >"$work/op/operator.yaml" <<YAML
apiVersion: yopf.dev/v1alpha1
kind: Operator
metadata: {name: le}
spec:
  watch: {group: le.yopf.dev, version: v1, plural: jobs}
  crd: {names: {kind: Job}, versions: [{name: v1}]}
  handlers:
    - id: steps
      on: create
      steps:
        - {name: one, run: {command: [sh, -c, 'echo 1 >> $work/s1']}}
        - {name: two, run: {command: [sh, -c, 'sleep 4; echo 2 >> $work/s2']}}
        - {name: three, run: {command: [sh, -c, 'echo 3 >> $work/s3']}}
YAML
cat >"$work/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: jobs.le.yopf.dev}
spec:
  group: le.yopf.dev
  scope: Namespaced
  names: {plural: jobs, singular: job, kind: Job}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
YAML
k apply -f "$work/crd.yaml" >/dev/null || fail "the CRD does not apply"

start() {  # start NAME METRICS_PORT
  "$yopf" run "$work/op" --kubeconfig "$work/kubeconfig" --leader-elect --leader-elect-id "$1" \
    --leader-elect-lease-duration 4s --leader-elect-renew-deadline 3s --leader-elect-retry-period 500ms \
    --metrics-addr 127.0.0.1:$2 >"$work/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
}
ma=$((port + 1)); mb=$((port + 2))
start a $ma
start b $mb
status() { curl -s "127.0.0.1:$1/metrics" | awk '/^leader_election_master_status/{print $2}' | cut -d. -f1; }
leader=""
for _ in $(seq 100); do
  sa=$(status $ma); sb=$(status $mb)
  if [ "$sa" = "1" ] && [ "$sb" = "0" ]; then leader=a; break; fi
  if [ "$sb" = "1" ] && [ "$sa" = "0" ]; then leader=b; break; fi
  sleep 0.1
done
[ -n "$leader" ] || fail "exactly one process reports leader_election_master_status 1 (a=$sa b=$sb)"
ok "exactly one leader ($leader)"
other=$([ $leader = a ] && echo b || echo a)

cat <<YAML | k apply -f - >/dev/null || fail "the resource does not apply"
apiVersion: le.yopf.dev/v1
kind: Job
metadata: {name: j1, namespace: default}
YAML
# Wait until step one is recorded and step two is running, then kill the leader.
for _ in $(seq 200); do
  step=$(k get jobs.le.yopf.dev j1 -o jsonpath='{.status.yopf.progress.steps.step}' 2>/dev/null)
  [ "$step" = "1" ] && break
  sleep 0.05
done
[ "$step" = "1" ] || fail "the leader records step one's progress"
grep -q "handler succeeded" "$work/$other.log" && fail "the standby handled objects"
leader_pid=$(eval echo "\$pid_$leader")
kill -9 "$leader_pid"
killed=$(date +%s.%N)
ok "killed the leader between steps"

for _ in $(seq 300); do [ "$(lines "$work/s3")" -ge 1 ] && break; sleep 0.1; done
done_at=$(date +%s.%N)
[ "$(lines "$work/s3")" = "1" ] || fail "the new leader finishes the handler"
[ "$(lines "$work/s1")" = "1" ] || fail "step one ran once (ran $(lines "$work/s1") times)"
[ "$(status $( [ $other = a ] && echo $ma || echo $mb))" = "1" ] || fail "the new leader reports leader_election_master_status 1"
# Takeover (lease 4 s + retry 0.5 s) plus step two's 4 s sleep and slack.
took=$(echo "$done_at - $killed" | bc)
[ "$(echo "$took < 14" | bc)" = "1" ] || fail "the takeover took ${took}s"
ok "the standby took over and continued at step two (${took}s incl. a 4s step); step one ran once"
echo "PASS"
