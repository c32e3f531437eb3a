#!/usr/bin/env bash
# kubectl as the referee of the dev-cluster: real kubectl flows against the HTTP front,
# each step asserting on what kubectl prints.
#
# Usage: KUBECONFIG=FILE kubectl-referee.sh FLOW [WORKDIR]
#   FLOW: crd crud patch apply server-side-apply status scale finalizer watch wait gc exec logs
#   (exec and logs need the server to run the workload simulator, as `yopf dev-cluster` does)
# Prints "ok - STEP" per passing step; on the first failure prints "FAIL - STEP" with
# kubectl's output and exits 1. Exits 2 on usage errors.
set -u

flow="${1:-}"
work="${2:-$(mktemp -d)}"
: "${KUBECONFIG:?set KUBECONFIG to the dev-cluster kubeconfig}"
mkdir -p "$work"

# Each flow works in a namespace of its own, so flows can share one server.
ns="referee-${flow}"
k() { kubectl --kubeconfig "$KUBECONFIG" --cache-dir "$work/cache" --request-timeout=20s -n "$ns" "$@"; }

# run, fails_with, expect, expect_not: the step helpers.
source "$(dirname "${BASH_SOURCE[0]}")/referee-lib.sh"

# eventually STEP PATTERN CMD...: polls (at most ~20 s) until the output matches.
eventually() {
    local step="$1" pattern="$2"; shift 2
    for _ in $(seq 1 100); do
        out="$("$@" 2>&1)"
        if grep -qE -- "$pattern" <<<"$out"; then echo "ok - $step"; return 0; fi
        sleep 0.2
    done
    printf 'FAIL - %s (never matched /%s/; last output:)\n%s\n' "$step" "$pattern" "$out"
    exit 1
}

write_crd() {
    cat >"$work/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      additionalPrinterColumns:
        - {name: Size, type: integer, jsonPath: .spec.size}
        - {name: Phase, type: string, jsonPath: .status.phase}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              description: What the widget should be.
              properties:
                size: {type: integer, description: How big the widget is.}
                color: {type: string}
            status:
              type: object
              properties:
                phase: {type: string}
                conditions:
                  type: array
                  items: {type: object, x-kubernetes-preserve-unknown-fields: true}
YAML
    run "apply the CRD" k apply -f "$work/crd.yaml"
    expect "the CRD is applied" "customresourcedefinition.apiextensions.k8s.io/widgets.example.com (created|unchanged)"
}

write_configmap() {  # NAME [EXTRA YAML LINES under metadata]
    cat >"$work/$1.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1
  labels: {app: web}
$2
data:
  a: "1"
YAML
}

flow_crd() {
    write_crd
    eventually "kubectl api-resources lists the CRD's resource" "^widgets +wd +example.com/v1 +true +Widget" k api-resources
    cat >"$work/w1.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3, color: blue}
YAML
    run "create a custom resource (client-side validation on)" k create -f "$work/w1.yaml"
    expect "the custom resource is created" "widget.example.com/w1 created"
    run "get the custom resource as a table" k get widgets
    expect "the table shows the CRD's printer columns" "^NAME +SIZE +PHASE"
    expect "the row has the spec value" "^w1 +3"
    run "get by short name" k get wd w1 -o jsonpath='{.spec.color}'
    expect "the object is served as stored" "^blue$"
    run "explain the custom resource" k explain widgets.spec
    expect "kubectl explain shows the CRD schema" "size.*<integer>"
    # kubectl validates strictly by default (fieldValidation=Strict): a typo fails.
    cat >"$work/w2.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w2}
spec: {size: 3, colour: blue}
YAML
    fails_with "an undeclared field fails the create" \
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"' k create -f "$work/w2.yaml"
    fails_with "and server-side apply" \
        'failed to create typed patch object \(example.com/v1, Kind=Widget\): .spec.colour: field not declared in schema' k apply --server-side -f "$work/w2.yaml"
    run "with --validate=false it is pruned" k create --validate=false -f "$work/w2.yaml"
    run "read it back" k get widget w2 -o jsonpath='{.spec}'
    expect "only the declared field is stored" '^\{"size":3\}$'
}

flow_crud() {
    write_configmap c1 ""
    run "create a ConfigMap" k create -f "$work/c1.yaml"
    expect "create reports it" "configmap/c1 created"
    fails_with "a second create is refused" 'configmaps "c1" already exists' k create -f "$work/c1.yaml"
    run "get -o yaml" k get configmap c1 -o yaml
    expect "the YAML has the data" '^  a: "1"'
    expect "the YAML has a resourceVersion" 'resourceVersion: "[0-9]+"'
    expect "the YAML has a uid" 'uid: [0-9a-f-]+'
    run "create another with a typed command (a protobuf body)" k create configmap other --from-literal=x=y
    expect "the typed create reports it" "configmap/other created"
    run "list with a label selector" k get configmaps -l app=web
    expect "the labelled ConfigMap is listed" "^c1 +1 +"
    expect_not "the other ConfigMap is not" "^other "
    run "list everything" k get configmaps
    expect "both are listed" "^other +1 +"
    fails_with "a missing object is NotFound" 'configmaps "nope" not found' k get configmap nope
}

flow_patch() {
    write_configmap c1 ""
    run "create" k create -f "$work/c1.yaml"
    run "merge patch" k patch configmap c1 --type merge -p '{"data":{"b":"2"}}'
    expect "merge patch reports it" "configmap/c1 patched"
    run "read after merge patch" k get configmap c1 -o jsonpath='{.data.a},{.data.b}'
    expect "merge patch added a key and kept the other" "^1,2$"
    run "JSON patch" k patch configmap c1 --type json -p '[{"op":"remove","path":"/data/a"},{"op":"replace","path":"/data/b","value":"3"}]'
    expect "JSON patch reports it" "configmap/c1 patched"
    run "read after JSON patch" k get configmap c1 -o jsonpath='{.data}'
    expect "JSON patch removed and replaced" '^\{"b":"3"\}$'
    run "strategic merge patch (kubectl's default)" k patch configmap c1 -p '{"metadata":{"labels":{"tier":"front"}}}'
    run "read after strategic merge patch" k get configmap c1 -o jsonpath='{.metadata.labels.tier}'
    expect "strategic merge patch added a label" "^front$"
    fails_with "a JSON patch that does not apply is refused" "Unprocessable|invalid|not|unable" \
        k patch configmap c1 --type json -p '[{"op":"test","path":"/data/b","value":"nope"}]'
}

flow_apply() {
    write_configmap c1 ""
    run "first client-side apply" k apply -f "$work/c1.yaml"
    expect "first apply creates" "configmap/c1 created"
    run "second client-side apply" k apply -f "$work/c1.yaml"
    expect "second apply is unchanged" "configmap/c1 unchanged"
    sed -i 's/a: "1"/a: "2"/' "$work/c1.yaml"
    run "apply a change" k apply -f "$work/c1.yaml"
    expect "a changed apply configures" "configmap/c1 configured"
    run "read after apply" k get configmap c1 -o jsonpath='{.data.a}'
    expect "the change is stored" "^2$"
    run "the last-applied annotation" k get configmap c1 -o yaml
    expect "client-side apply keeps last-applied-configuration" "kubectl.kubernetes.io/last-applied-configuration"
    cat >"$work/d1.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: d1, labels: {app: d1}}
spec:
  replicas: 1
  selector: {matchLabels: {app: d1}}
  template:
    metadata: {labels: {app: d1}}
    spec:
      containers:
        - name: main
          image: nginx:1.27
          ports: [{containerPort: 80}]
          env: [{name: A, value: "1"}]
YAML
    run "apply a Deployment (validation on)" k apply -f "$work/d1.yaml"
    expect "the Deployment is created" "deployment.apps/d1 created"
    sed -i 's/value: "1"/value: "2"/' "$work/d1.yaml"
    run "apply a change to a container (strategic merge)" k apply -f "$work/d1.yaml"
    expect "the Deployment is configured" "deployment.apps/d1 configured"
    run "read the container env" k get deployment d1 -o jsonpath='{.spec.template.spec.containers[0].env[0].value},{.spec.template.spec.containers[0].image}'
    expect "the env changed, the image stayed" "^2,nginx:1.27$"
    run "apply it again" k apply -f "$work/d1.yaml"
    expect "unchanged the second time" "deployment.apps/d1 unchanged"
}

flow_server_side_apply() {
    write_configmap c1 ""
    run "server-side apply" k apply --server-side -f "$work/c1.yaml"
    expect "server-side apply reports it" "configmap/c1 serverside-applied"
    run "managedFields name the manager" k get configmap c1 -o yaml --show-managed-fields
    expect "the field manager is kubectl" "manager: kubectl"
    expect "the operation is Apply" "operation: Apply"
    sed -i 's/a: "1"/a: "other"/' "$work/c1.yaml"
    fails_with "a second manager conflicts" "[Cc]onflict.*kubectl|conflict" \
        k apply --server-side --field-manager=intruder -f "$work/c1.yaml"
    run "the value is unchanged after the conflict" k get configmap c1 -o jsonpath='{.data.a}'
    expect "still the first manager's value" "^1$"
    run "force the conflict" k apply --server-side --field-manager=intruder --force-conflicts -f "$work/c1.yaml"
    expect "forced apply succeeds" "configmap/c1 serverside-applied"
    run "the forced value is stored" k get configmap c1 -o jsonpath='{.data.a}'
    expect "the second manager's value" "^other$"
}

flow_status() {
    write_crd
    eventually "the CRD is served" "^widgets " k api-resources
    cat >"$work/w1.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3}
YAML
    run "create" k create -f "$work/w1.yaml"
    run "patch the status subresource" k patch widget w1 --subresource=status --type merge -p '{"status":{"phase":"Ready"},"spec":{"size":99}}'
    expect "status patch reports it" "widget.example.com/w1 patched"
    run "read status and spec" k get widget w1 -o jsonpath='{.status.phase},{.spec.size}'
    expect "status changed, spec ignored" "^Ready,3$"
    run "a main-resource patch ignores status" k patch widget w1 --type merge -p '{"status":{"phase":"Hacked"},"spec":{"size":4}}'
    run "read again" k get widget w1 -o jsonpath='{.status.phase},{.spec.size}'
    expect "spec changed, status kept" "^Ready,4$"
}

flow_scale() {
    run "create a Deployment (typed command: protobuf body)" k create deployment d1 --image=nginx:1.27 --replicas=1
    expect "created" "deployment.apps/d1 created"
    run "scale it" k scale deployment d1 --replicas=3
    expect "scale reports it" "deployment.apps/d1 scaled"
    run "read replicas" k get deployment d1 -o jsonpath='{.spec.replicas}|{.spec.selector.matchLabels.app}|{.spec.template.spec.containers[0].image}'
    expect "spec.replicas follows the scale; the protobuf body was decoded whole" "^3\|d1\|nginx:1.27$"
    run "read the scale subresource" k get --raw "/apis/apps/v1/namespaces/$ns/deployments/d1/scale"
    expect "the scale subresource is a Scale" '"kind":"Scale".*"replicas":3'
}

flow_finalizer() {
    write_configmap held "  finalizers: [example.com/hold]"
    run "create an object with a finalizer" k create -f "$work/held.yaml"
    run "delete it without waiting" k delete configmap held --wait=false
    expect "delete reports it" 'configmap "held" deleted'
    run "it is still there" k get configmap held -o jsonpath='{.metadata.deletionTimestamp}|{.metadata.finalizers}'
    expect "with a deletionTimestamp and its finalizer" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*\|.*example.com/hold'
    run "remove the finalizer" k patch configmap held --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
    fails_with "then it is gone" 'configmaps "held" not found' k get configmap held
    write_configmap plain ""
    run "create an object without finalizers" k create -f "$work/plain.yaml"
    run "delete and wait" k delete configmap plain
    expect "delete --wait returns" 'configmap "plain" deleted'
    fails_with "it is gone at once" 'configmaps "plain" not found' k get configmap plain
}

flow_watch() {
    # kubectl lists, prints, then watches from the list's resourceVersion: once the first
    # object is printed, later changes reach the watch.
    write_configmap w0 ""
    run "create before watching" k create -f "$work/w0.yaml"
    k get configmaps -w >"$work/watch.out" 2>&1 &
    local watcher=$!
    eventually "kubectl get -w prints the list" "^w0 +1 +" cat "$work/watch.out"
    write_configmap w1 ""
    run "create while watching" k create -f "$work/w1.yaml"
    eventually "the watch shows the new object" "^w1 +1 +" cat "$work/watch.out"
    run "change it" k patch configmap w1 --type merge -p '{"data":{"b":"2"}}'
    eventually "the watch shows the change" "^w1 +2 +" cat "$work/watch.out"
    kill "$watcher" 2>/dev/null
    wait "$watcher" 2>/dev/null
    run "JSON watch events" k get --raw "/api/v1/namespaces/$ns/configmaps?watch=1&timeoutSeconds=1"
    expect "a raw watch streams JSON events" '^\{"type":"ADDED","object":\{.*"name":"w1"'
}

flow_wait() {
    write_crd
    eventually "the CRD is served" "^widgets " k api-resources
    cat >"$work/w1.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: 1}
YAML
    run "create" k create -f "$work/w1.yaml"
    k wait --for=condition=Ready widget/w1 --timeout=60s >"$work/wait.out" 2>&1 &
    local waiter=$!
    run "set the Ready condition" k patch widget w1 --subresource=status --type merge \
        -p '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Done","message":"ok"}]}}'
    wait "$waiter"
    local rc=$?
    out="$(cat "$work/wait.out")"
    [ $rc -eq 0 ] || { printf 'FAIL - kubectl wait exits 0 (exit %d)\n%s\n' "$rc" "$out"; exit 1; }
    expect "kubectl wait sees the condition" "widget.example.com/w1 condition met"
    k delete widget w1 --wait=true --timeout=60s >"$work/delete.out" 2>&1 &
    local deleter=$!
    wait "$deleter"
    out="$(cat "$work/delete.out")"
    expect "delete waits until the object is gone" 'widget.example.com "w1" deleted'
    fails_with "it is gone" 'not found' k get widget w1
}

flow_gc() {
    write_configmap owner ""
    run "create the owner" k create -f "$work/owner.yaml"
    uid="$(k get configmap owner -o jsonpath='{.metadata.uid}')"
    cat >"$work/child.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: child
  ownerReferences:
    - {apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid"}
data: {y: "2"}
YAML
    run "create the dependent" k create -f "$work/child.yaml"
    run "delete the owner" k delete configmap owner
    expect "owner deleted" 'configmap "owner" deleted'
    eventually "the dependent is collected" 'configmaps "child" not found' k get configmap child
}

# kubectl exec over WebSocket (v5.channel.k8s.io): stdout, exit codes, piped stdin ended by
# the v5 close signal. The pod is a Deployment's, made Running by the workload simulator.
flow_exec() {
    run "create a deployment" k create deployment web --image=busybox
    eventually "its pod runs" '^Running$' k get pods -l app=web -o 'jsonpath={.items[0].status.phase}'
    local pod
    pod="$(k get pods -l app=web -o 'jsonpath={.items[0].metadata.name}')"
    run "exec echo" k exec "$pod" -- echo hi
    expect "stdout comes back" '^hi$'
    out="$(k exec "$pod" -- sh -c 'exit 3' 2>&1)"
    local rc=$?
    [ $rc -eq 3 ] || { printf 'FAIL - the exit code is propagated (exit %d, expected 3)\n%s\n' "$rc" "$out"; exit 1; }
    expect "the exit code is propagated" 'command terminated with exit code 3'
    printf 'line one\nline two\n' >"$work/in.txt"
    run "exec -i cat < file" k exec -i "$pod" -- cat <"$work/in.txt"
    expect "piped stdin comes back" '^line two$'
    expect "all of it" '^line one$'
    out="$(echo x | k exec -i "$pod" -- wc -c 2>&1)"
    rc=$?
    [ $rc -eq 0 ] || { printf 'FAIL - echo x | exec -i wc -c (exit %d)\n%s\n' "$rc" "$out"; exit 1; }
    expect "stdin ends, wc counts it" '^2$'
    head -c 3000000 /dev/zero >"$work/big.bin"
    run "3 MB through exec -i" k exec -i "$pod" -- wc -c <"$work/big.bin"
    expect "every byte arrives" '^3000000$'
    fails_with "exec in a missing pod" 'pods "nope" not found' k exec nope -- true
    fails_with "exec in an unknown container" 'container db is not valid' k exec "$pod" -c db -- true
}

# kubectl logs: a Job's pod with a scripted log.
flow_logs() {
    cat >"$work/job.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: hello}
spec:
  template:
    metadata:
      annotations:
        yopf.dev/simulate-log: "first line\nsecond line\n"
        yopf.dev/simulate-exit-code: "0"
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: [echo, hi]}]
YAML
    run "create the job" k create -f "$work/job.yaml"
    eventually "its pod succeeds" '^Succeeded$' k get pods -l job-name=hello -o 'jsonpath={.items[0].status.phase}'
    local pod
    pod="$(k get pods -l job-name=hello -o 'jsonpath={.items[0].metadata.name}')"
    run "logs" k logs "$pod"
    expect "the whole log" '^first line$'
    expect "to the end" '^second line$'
    run "logs --tail=1" k logs --tail=1 "$pod"
    expect "the last line" '^second line$'
    expect_not "only the last line" 'first line'
    fails_with "logs of a missing pod" 'pods "nope" not found' k logs nope
    run "logs -f of a finished container returns its log" k logs -f "$pod"
    expect "all of it" '^second line$'

    # logs -f stays with a running container until it terminates.
    cat >"$work/slow.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: slow}
spec:
  template:
    metadata:
      annotations:
        yopf.dev/simulate-log: "working\n"
        yopf.dev/simulate-duration: "3s"
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
YAML
    run "create a job that runs for 3 s" k create -f "$work/slow.yaml"
    eventually "its pod runs" '^Running$' k get pods -l job-name=slow -o 'jsonpath={.items[0].status.phase}'
    run "logs -f follows it" k logs -f job/slow
    expect "its log" '^working$'
    run "and returned when it ended" k get pods -l job-name=slow -o 'jsonpath={.items[0].status.phase}'
    expect "the pod had succeeded" '^Succeeded$'
}

start() {
    out="$(kubectl --kubeconfig "$KUBECONFIG" --cache-dir "$work/cache" create namespace "$ns" 2>&1)"
    kubectl --kubeconfig "$KUBECONFIG" --cache-dir "$work/cache" get namespace "$ns" >/dev/null 2>&1 || {
        printf 'FAIL - create the namespace %s\n%s\n' "$ns" "$out"; exit 1; }
}

all_flows="crd crud patch apply server-side-apply status scale finalizer watch wait gc exec logs"
case "$flow" in
    crd|crud|patch|apply|server-side-apply|status|scale|finalizer|watch|wait|gc|exec|logs) start ;;
esac
case "$flow" in
    crd) flow_crd ;;
    crud) flow_crud ;;
    patch) flow_patch ;;
    apply) flow_apply ;;
    server-side-apply) flow_server_side_apply ;;
    status) flow_status ;;
    scale) flow_scale ;;
    finalizer) flow_finalizer ;;
    watch) flow_watch ;;
    wait) flow_wait ;;
    gc) flow_gc ;;
    exec) flow_exec ;;
    logs) flow_logs ;;
    *) echo "usage: KUBECONFIG=FILE $0 FLOW [WORKDIR]; FLOW is one of: $all_flows" >&2; exit 2 ;;
esac
echo "PASS $flow"
