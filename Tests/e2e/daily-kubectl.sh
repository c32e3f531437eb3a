#!/usr/bin/env bash
# daily-kubectl.sh — everyday kubectl against the cluster KUBECONFIG names: a real
# kube-apiserver (where every check passes; it is the judge) or `yopf dev-cluster`.
#
#   KUBECONFIG=FILE Tests/e2e/daily-kubectl.sh [WORKDIR]
#   KUBECTL=/path/to/kubectl overrides the client (default: kubectl in PATH).
#
# Prints "PASS - CHECK" or "FAIL - CHECK" (with what kubectl printed) per check, then
# "TOTAL: P/N passed" and exits 1 when any check failed. Checks never stop the run.
# Works in a namespace of its own (daily-<random>) and cluster-scoped objects named after
# it, deleted at the end. Holds on a cluster without nodes (pods stay Pending there):
# nothing waits for a pod to run. Checks that need authorization print SKIP when every
# request is allowed (the dev-cluster without --authorization=rbac). KNOWN_GAPS (below)
# names checks a cluster is known to fail.
set -u

: "${KUBECONFIG:?set KUBECONFIG to the cluster to judge}"
KUBECTL=${KUBECTL:-kubectl}
work="${1:-$(mktemp -d /tmp/daily-kubectl.XXXXXX)}"
mkdir -p "$work"
RUN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
NS=daily-$RUN
GROUP=d$RUN.example.com

kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG" --cache-dir "$work/cache-$RUN" --request-timeout=30s "$@"; }
k() { kc -n "$NS" "$@"; }

passed=0 failed=0 skipped=0 known=0
# KNOWN_GAPS: check names (one a line) the cluster is known to get wrong (the dev-cluster's
# documented differences): their failures print KNOWN and do not count; if one passes,
# that is a failure, so the list stays true.
is_known() { [ -n "${KNOWN_GAPS:-}" ] && grep -qxF -- "$1" <<<"$KNOWN_GAPS"; }
pass() {
    if is_known "$1"; then failed=$((failed + 1)); echo "FAIL - $1 (listed in KNOWN_GAPS but passes: take it off the list)"; return; fi
    passed=$((passed + 1)); echo "PASS - $1"
}
fail() {
    if is_known "$1"; then known=$((known + 1)); echo "KNOWN - $1"; return; fi
    failed=$((failed + 1)); printf 'FAIL - %s\n%s\n' "$1" "$2" | sed '3,$s/^/    /'
}
skip() { skipped=$((skipped + 1)); echo "SKIP - $1"; }

# ok CHECK PATTERN CMD...: the command succeeds and its output matches the extended regex.
ok() {
    local name="$1" pattern="$2"; shift 2
    out="$("$@" 2>&1)"; local rc=$?
    if [ $rc -eq 0 ] && grep -qE -- "$pattern" <<<"$out"; then pass "$name"
    else fail "$name" "exit $rc, expected /$pattern/; \$ ${*:0:12}"$'\n'"$out"; fi
}
# is CHECK EXPECTED CMD...: the command succeeds and prints exactly EXPECTED.
is() {
    local name="$1" expected="$2"; shift 2
    out="$("$@" 2>&1)"; local rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "$expected" ]; then pass "$name"
    else fail "$name" "exit $rc, expected '$expected'; \$ ${*:0:12}"$'\n'"$out"; fi
}
# no CHECK PATTERN CMD...: the command fails and its output matches.
no() {
    local name="$1" pattern="$2"; shift 2
    out="$("$@" 2>&1)"; local rc=$?
    if [ $rc -ne 0 ] && grep -qE -- "$pattern" <<<"$out"; then pass "$name"
    else fail "$name" "exit $rc, expected a failure matching /$pattern/; \$ ${*:0:12}"$'\n'"$out"; fi
}
# eventually CHECK PATTERN CMD...: polls up to 30 s until the command's output matches.
eventually() {
    local name="$1" pattern="$2"; shift 2
    for _ in $(seq 1 60); do
        out="$("$@" 2>&1)" && grep -qE -- "$pattern" <<<"$out" && { pass "$name"; return; }
        sleep 0.5
    done
    fail "$name" "never matched /$pattern/; \$ ${*:0:12}"$'\n'"$out"
}
# apply_yaml CHECK PATTERN [kubectl apply flags] <<YAML
apply_yaml() { local name="$1" pattern="$2"; shift 2; cat >"$work/in.yaml"; ok "$name" "$pattern" k apply "$@" -f "$work/in.yaml"; }
apply_fails() { local name="$1" pattern="$2"; shift 2; cat >"$work/in.yaml"; no "$name" "$pattern" k apply "$@" -f "$work/in.yaml"; }

cleanup() {
    kc delete namespace "$NS" --wait=false >/dev/null 2>&1
    kc delete crd "gizmos.$GROUP" "scoped.$GROUP" --ignore-not-found --wait=false >/dev/null 2>&1
    kc delete clusterrole "$NS-reader" --ignore-not-found >/dev/null 2>&1
    kc delete clusterrolebinding "$NS-view" --ignore-not-found >/dev/null 2>&1
}
trap cleanup EXIT
echo "# daily kubectl against $(kc version -o json 2>/dev/null | grep -m1 -A3 serverVersion | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p') ($KUBECONFIG), namespace $NS"

# --- the create subcommands (kubectl sends protobuf bodies for most built-in kinds) ---
ok "create namespace" "namespace/$NS created" kc create namespace "$NS"
eventually "the namespace's default ServiceAccount appears" "^default " k get serviceaccounts
ok "create serviceaccount" "serviceaccount/robot created" k create serviceaccount robot
ok "create configmap --from-literal" "configmap/app-config created" k create configmap app-config --from-literal=a=1 --from-literal=b=2
ok "create secret generic" "secret/creds created" k create secret generic creds --from-literal=password=s3cret
is "the secret's data is base64" "czNjcmV0" k get secret creds -o jsonpath='{.data.password}'
ok "create deployment" "deployment.apps/web created" k create deployment web --image=nginx:1.25 --replicas=2 --port=8080
ok "create job" "job.batch/once created" k create job once --image=busybox -- echo hi
ok "create cronjob" "cronjob.batch/nightly created" k create cronjob nightly --image=busybox --schedule="0 3 * * *" -- echo hi
ok "create job --from=cronjob" "job.batch/manual created" k create job manual --from=cronjob/nightly
ok "create role" "role.rbac.authorization.k8s.io/pod-reader created" k create role pod-reader --verb=get,list,watch --resource=pods
ok "create clusterrole" "clusterrole.rbac.authorization.k8s.io/$NS-reader created" kc create clusterrole "$NS-reader" --verb=get,list --resource=configmaps
ok "create rolebinding" "rolebinding.rbac.authorization.k8s.io/robot-reads created" k create rolebinding robot-reads --role=pod-reader --serviceaccount="$NS:robot"
ok "create clusterrolebinding to the default ClusterRole view" "clusterrolebinding.rbac.authorization.k8s.io/$NS-view created" \
    kc create clusterrolebinding "$NS-view" --clusterrole=view --serviceaccount="$NS:robot"
ok "create service clusterip" "service/backend created" k create service clusterip backend --tcp=80:8080
ok "create service nodeport" "service/edge created" k create service nodeport edge --tcp=80:8080
ok "create quota" "resourcequota/quota created" k create quota quota --hard=pods=20,configmaps=20,services=10
is "the quota keeps its hard limits" "20,10" k get quota quota -o jsonpath='{.spec.hard.pods},{.spec.hard.services}'
ok "create ingress" "ingress.networking.k8s.io/web created" k create ingress web --rule="example.com/=web:80"
is "the ingress has its rule" "example.com" k get ingress web -o jsonpath='{.spec.rules[0].host}'
ok "ClusterRoles view, edit, admin, cluster-admin exist" "^cluster-admin$" bash -c \
    "'$KUBECTL' --kubeconfig '$KUBECONFIG' get clusterroles view edit admin cluster-admin -o jsonpath='{range .items[*]}{.metadata.name}{\"\n\"}{end}' | sort | tr '\n' ' ' | grep -q '^admin cluster-admin edit view $' && echo cluster-admin"
no "create an existing object (typed)" 'configmaps "app-config" already exists' k create configmap app-config --from-literal=a=1
k get configmap app-config -o yaml > "$work/exists.yaml"
no "create -f of an existing object" 'Error from server \(AlreadyExists\): error when creating ".*": configmaps "app-config" already exists' k create -f "$work/exists.yaml"
no "an invalid name is refused with kube's wording" 'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of' k create configmap Bad_Name

# --- apply: files, Lists, server-side ---
apply_yaml "apply a Deployment" "deployment.apps/api created" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  replicas: 0
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: main, image: "nginx:1.25", ports: [{containerPort: 80}]}]
YAML
ok "apply it again is unchanged" "deployment.apps/api unchanged" k apply -f "$work/in.yaml"
apply_yaml "apply a List" "configmap/list-a created" <<YAML
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: list-a, labels: {tier: list}}
  data: {k: a}
- apiVersion: v1
  kind: Secret
  metadata: {name: list-b, labels: {tier: list}}
  stringData: {k: b}
YAML
ok "the List's second item is created" "secret/list-b created" echo "$out"
ok "get -o yaml | apply -f - of a List" "configmap/list-a (configured|unchanged)" bash -c \
    "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get configmaps,secrets -l tier=list -o yaml | '$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' apply -f -"
apply_yaml "apply an Ingress (default validation through /openapi/v2)" "ingress.networking.k8s.io/site created" <<YAML
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  rules:
  - host: site.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
YAML
apply_yaml "server-side apply" "configmap/ssa serverside-applied" --server-side --field-manager=alice <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {owner: alice}
YAML
sed -i 's/owner: alice/owner: bob/' "$work/in.yaml"
no "server-side apply by another manager conflicts" 'conflict.*with "alice"' k apply --server-side --field-manager=bob -f "$work/in.yaml"
ok "--force-conflicts takes the field" "configmap/ssa serverside-applied" k apply --server-side --field-manager=bob --force-conflicts -f "$work/in.yaml"
apply_fails "an unknown field of a Deployment fails strict validation" 'unknown field "spec.replica"' <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  replica: 1
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec: {containers: [{name: main, image: nginx}]}
YAML

# --- get ---
ok "get -o yaml" "^kind: Deployment" k get deployment web -o yaml
is "get -o json" "2" bash -c "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get deployment web -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"spec\"][\"replicas\"])'"
is "get -o jsonpath" "nginx:1.25" k get deployment web -o jsonpath='{.spec.template.spec.containers[0].image}'
is "get -o name" "deployment.apps/web" k get deployment web -o name
ok "get -o wide (deployment)" "^NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR" k get deployment web -o wide
ok "get -o wide (service)" "^backend +ClusterIP +[0-9.]+ +<none> +80/TCP +[0-9a-z]+ +app=backend" k get service backend -o wide
k create configmap zz --from-literal=x=1 >/dev/null 2>&1; k label configmap zz sort=yes >/dev/null 2>&1
k create configmap aa --from-literal=x=1 >/dev/null 2>&1; k label configmap aa sort=yes >/dev/null 2>&1
is "get --sort-by" "configmap/aa configmap/zz" bash -c "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get configmaps -l sort=yes --sort-by=.metadata.name -o name | tr '\n' ' ' | sed 's/ \$//'"
is "get -l (equality)" "configmap/list-a" k get configmaps -l tier=list -o name
is "get -l (set-based)" "configmap/aa configmap/zz" bash -c "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get configmaps -l 'sort in (yes,maybe),!tier' -o name | sort | tr '\n' ' ' | sed 's/ \$//'"
is "get --field-selector" "configmap/zz" k get configmaps --field-selector metadata.name=zz -o name
is "get --field-selector on a Secret's type" "secret/creds" k get secrets --field-selector type=Opaque,metadata.name=creds -o name
no "get a missing object" 'Error from server \(NotFound\): deployments.apps "nope" not found' k get deployment nope
ok "get several kinds at once" "service/backend" k get deployments,services -o name
ok "get -A (all namespaces)" "^$NS +app-config " kc get configmaps -A

# --- diff ---
k get configmap app-config -o yaml > "$work/cm.yaml"
sed -i 's/^  a: "1"/  a: "changed"/' "$work/cm.yaml"
out="$(k diff -f "$work/cm.yaml" 2>&1)"; rc=$?
if [ $rc -eq 1 ] && grep -qE '^\+  a: changed' <<<"$out"; then pass "diff shows a change (exit 1)"; else fail "diff shows a change (exit 1)" "exit $rc"$'\n'"$out"; fi
k get configmap app-config -o yaml > "$work/cm-same.yaml"
ok "diff without change exits 0" "^$" k diff -f "$work/cm-same.yaml"

# --- patch ---
ok "patch (strategic merge, the default)" "deployment.apps/web patched" k patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}'
is "the strategic merge kept the container's other fields" "nginx:1.26,8080" k get deployment web -o jsonpath='{.spec.template.spec.containers[0].image},{.spec.template.spec.containers[0].ports[0].containerPort}'
ok "patch --type merge" "configmap/app-config patched" k patch configmap app-config --type merge -p '{"data":{"c":"3"}}'
ok "patch --type json" "configmap/app-config patched" k patch configmap app-config --type json -p '[{"op":"replace","path":"/data/a","value":"9"},{"op":"remove","path":"/data/b"}]'
is "the patches are stored" '{"a":"9","c":"3"}' k get configmap app-config -o jsonpath='{.data}'
no "a JSON patch test that fails is refused" "test|Unprocessable|invalid" k patch configmap app-config --type json -p '[{"op":"test","path":"/data/a","value":"0"}]'

# --- label, annotate ---
ok "label" "configmap/app-config labeled" k label configmap app-config env=prod
no "label without --overwrite refuses to change" "already has a value \(prod\), and --overwrite is false" k label configmap app-config env=dev
ok "label --overwrite" "configmap/app-config labeled" k label configmap app-config env=dev --overwrite
ok "label removal" "configmap/app-config unlabeled" k label configmap app-config env-
ok "annotate" "deployment.apps/web annotated" k annotate deployment web team=platform
is "the annotation is stored" "platform" k get deployment web -o jsonpath='{.metadata.annotations.team}'

# --- scale ---
ok "scale a Deployment" "deployment.apps/web scaled" k scale deployment web --replicas=3
no "scale --current-replicas that does not match" "Expected replicas to be 5, was 3" k scale deployment web --current-replicas=5 --replicas=1
ok "wait --for=jsonpath" "deployment.apps/web condition met" k wait deployment web --for=jsonpath='{.spec.replicas}'=3 --timeout=30s

# --- rollout (replicas 0: completes without nodes) ---
ok "wait --for=condition=Available" "deployment.apps/api condition met" k wait deployment api --for=condition=Available --timeout=30s
ok "rollout status" 'deployment "api" successfully rolled out' k rollout status deployment api --timeout=30s
k set image deployment api main=nginx:1.26 >/dev/null 2>&1
eventually "rollout history lists two revisions" "^2 " k rollout history deployment api
ok "rollout history --revision shows its template" "nginx:1.25" k rollout history deployment api --revision=1
ok "rollout undo" "deployment.apps/api rolled back" k rollout undo deployment api
eventually "undo restored the old image" "^nginx:1.25$" k get deployment api -o jsonpath='{.spec.template.spec.containers[0].image}'
ok "rollout restart" "deployment.apps/api restarted" k rollout restart deployment api
ok "restart stamps the template" "[0-9]{4}-[0-9]{2}-[0-9]{2}T" k get deployment api -o jsonpath='{.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}'
eventually "the Deployment's ReplicaSets are owned by it" "^Deployment api$" k get replicasets -l app=api -o jsonpath='{.items[0].metadata.ownerReferences[0].kind} {.items[0].metadata.ownerReferences[0].name}'

# --- expose, run ---
ok "expose" "service/web-exposed exposed" k expose deployment web --port=80 --target-port=8080 --name=web-exposed
is "the exposed Service selects the Deployment's pods" "app=web 8080" bash -c "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get service web-exposed -o jsonpath='{range .spec.selector}{@}{end}' >/dev/null && '$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get service web-exposed -o jsonpath='app={.spec.selector.app} {.spec.ports[0].targetPort}'"
ok "run" "pod/tmp created" k run tmp --image=busybox --restart=Never --labels=run=tmp -- sleep 3600
is "the pod is as run asked" "Never busybox" k get pod tmp -o jsonpath='{.spec.restartPolicy} {.spec.containers[0].image}'
is "get pods --field-selector spec.restartPolicy" "pod/tmp" k get pods -l run=tmp --field-selector spec.restartPolicy=Never -o name
ok "a field selector that matches nothing" "No resources found in $NS namespace." k get pods -l run=tmp --field-selector spec.restartPolicy=Always

# --- auth can-i ---
ok "auth can-i (the admin)" "^yes" k auth can-i create deployments
ok "auth can-i --as a ServiceAccount that a Role allows" "^yes" k auth can-i list pods --as="system:serviceaccount:$NS:robot"
ok "auth can-i --as through the view ClusterRole" "^yes" k auth can-i get configmaps --as="system:serviceaccount:$NS:robot"
if [ "$(kc auth can-i delete nodes --as=system:serviceaccount:nowhere:nobody 2>/dev/null)" = yes ]; then
    skip "auth can-i --as answers no (every request is allowed here)"
    skip "view does not read Secrets (every request is allowed here)"
else
    no "auth can-i --as answers no" "^no" k auth can-i delete pods --as="system:serviceaccount:$NS:robot"
    no "view does not read Secrets" "^no" k auth can-i get secrets --as="system:serviceaccount:$NS:robot"
fi

# --- events ---
apply_yaml "create an Event" "event/referee-event created" <<YAML
apiVersion: v1
kind: Event
metadata: {name: referee-event}
involvedObject: {apiVersion: v1, kind: ConfigMap, name: app-config, namespace: $NS}
reason: Checked
message: the referee was here
type: Normal
source: {component: daily-kubectl}
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:00:00Z"
count: 1
YAML
ok "kubectl events lists it" "Checked +ConfigMap/app-config +the referee was here" k events
ok "kubectl events --for" "the referee was here" k events --for configmap/app-config
eventually "the deployment controller records scaling events" "ScalingReplicaSet" k get events --field-selector involvedObject.name=web

# --- workload kinds ---
apply_yaml "apply a StatefulSet" "statefulset.apps/db created" <<YAML
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 0
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
YAML
ok "scale a StatefulSet" "statefulset.apps/db scaled" k scale statefulset db --replicas=2
is "the StatefulSet's defaults" "OrderedReady RollingUpdate" k get statefulset db -o jsonpath='{.spec.podManagementPolicy} {.spec.updateStrategy.type}'
apply_yaml "apply a ReplicaSet" "replicaset.apps/solo created" <<YAML
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: solo}
spec:
  replicas: 0
  selector: {matchLabels: {app: solo}}
  template:
    metadata: {labels: {app: solo}}
    spec: {containers: [{name: main, image: busybox}]}
YAML
is "a Job is defaulted" "1 1 6 NonIndexed" k get job once -o jsonpath='{.spec.completions} {.spec.parallelism} {.spec.backoffLimit} {.spec.completionMode}'
is "a Job's template gets its labels" "once" k get job once -o jsonpath='{.spec.template.metadata.labels.batch\.kubernetes\.io/job-name}'
is "a CronJob keeps its schedule and is defaulted" "0 3 * * * Allow" k get cronjob nightly -o jsonpath='{.spec.schedule} {.spec.concurrencyPolicy}'
is "a Service gets a cluster IP and defaults" "TCP ClusterIP SingleStack" bash -c "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get service backend -o jsonpath='{.spec.ports[0].protocol} {.spec.type} {.spec.ipFamilyPolicy} {.spec.clusterIP}' | sed 's/ [0-9][0-9.]*\$//'"
ok "a NodePort Service gets a node port" "^[0-9]{5}$" k get service edge -o jsonpath='{.spec.ports[0].nodePort}'

# --- validation with kube-apiserver's words ---
apply_fails "a Deployment without a selector" "spec.selector: Required value" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: noselector}
spec:
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: main, image: nginx}]}
YAML
apply_fails "a selector that does not match the template" 'spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"other"\}: `selector` does not match template `labels`' <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: mismatch}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: other}}
    spec: {containers: [{name: main, image: nginx}]}
YAML
apply_fails "a Service port out of range" "spec.ports\[0\].port: Invalid value: 70000: must be between 1 and 65535, inclusive" <<YAML
apiVersion: v1
kind: Service
metadata: {name: badport}
spec:
  selector: {app: x}
  ports: [{port: 70000}]
YAML
apply_fails "a container without an image" "spec.template.spec.containers\[0\].image: Required value" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: noimage}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: main}]}
YAML
no "a negative replica count in a patch" "spec.replicas: Invalid value: -1: must be greater than or equal to 0" k patch deployment web --type merge -p '{"spec":{"replicas":-1}}'
apply_fails "a negative replica count in a manifest" "spec.replicas: Invalid value: -1: must be greater than or equal to 0" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: negative}
spec:
  replicas: -1
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: main, image: nginx}]}
YAML

# --- immutable fields ---
apply_yaml "apply an immutable ConfigMap" "configmap/frozen created" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: frozen}
immutable: true
data: {a: "1"}
YAML
no "an immutable ConfigMap's data cannot change" 'data: Forbidden: field is immutable when `immutable` is set' k patch configmap frozen --type merge -p '{"data":{"a":"2"}}'
apply_yaml "apply an immutable Secret" "secret/frozen created" <<YAML
apiVersion: v1
kind: Secret
metadata: {name: frozen}
immutable: true
stringData: {a: "1"}
YAML
no "an immutable Secret's data cannot change" 'data: Forbidden: field is immutable when `immutable` is set' k patch secret frozen --type merge -p '{"stringData":{"a":"2"}}'
no "immutable cannot be unset" 'immutable: Forbidden: field is immutable when `immutable` is set' k patch configmap frozen --type merge -p '{"immutable":false}'
no "a Deployment's selector is immutable" 'spec.selector: Invalid value: .*: field is immutable' k patch deployment web --type merge -p '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}'
no "a Job's template is immutable" 'spec.template: Invalid value: .*: field is immutable' k patch job once --type json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"alpine"}]'
no "a Service's clusterIP is immutable" 'spec.clusterIPs?(\[0\])?: Invalid value: .*(may not change once set|field is immutable)' k patch service backend --type merge -p '{"spec":{"clusterIP":"10.0.0.250","clusterIPs":["10.0.0.250"]}}'

# --- CRDs ---
apply_yaml "apply a CRD" "customresourcedefinition.apiextensions.k8s.io/gizmos.$GROUP created" <<YAML
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.$GROUP}
spec:
  group: $GROUP
  scope: Namespaced
  names: {plural: gizmos, singular: gizmo, kind: Gizmo, shortNames: [gz]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties: {size: {type: integer, minimum: 1}}
YAML
ok "wait --for=condition=Established" "condition met" kc wait "crd/gizmos.$GROUP" --for=condition=Established --timeout=30s
no "a CRD's scope is immutable" 'spec.scope: Invalid value: "Cluster": field is immutable' kc patch crd "gizmos.$GROUP" --type merge -p '{"spec":{"scope":"Cluster"}}'
sleep 1
eventually "create a custom resource" "gizmo.$GROUP/g1 created" bash -c "printf 'apiVersion: $GROUP/v1\nkind: Gizmo\nmetadata: {name: g1}\nspec: {size: 2}\n' | '$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' apply -f -"
eventually "get it by short name" "^2$" k get gz g1 -o jsonpath='{.spec.size}'
no "the CRD's schema is enforced" "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1" k patch "gizmo.$GROUP" g1 --type merge -p '{"spec":{"size":0}}'

# --- replace ---
k get configmap app-config -o yaml > "$work/replace.yaml"
sed -i 's/^  c: "3"/  c: "replaced"/' "$work/replace.yaml"
ok "replace" "configmap/app-config replaced" k replace -f "$work/replace.yaml"
no "replace with a stale resourceVersion conflicts" 'the object has been modified; please apply your changes to the latest version and try again' k replace -f "$work/replace.yaml"
ok "replace --force" "configmap/app-config replaced" k replace --force -f "$work/replace.yaml"

# --- explain ---
ok "explain a built-in field" "replicas.*<integer>" kc explain deployment.spec.replicas
eventually "explain a custom resource" "size.*<integer>" kc explain gizmos.spec --api-version="$GROUP/v1"

# --- wait --for=delete, delete ---
ok "delete --wait=false" 'pod "tmp" deleted' k delete pod tmp --wait=false
ok "wait --for=delete" "" k wait pod/tmp --for=delete --timeout=60s
ok "delete by label selector" 'configmap "aa" deleted' k delete configmaps -l sort=yes
no "delete a missing object" 'Error from server \(NotFound\): configmaps "nope" not found' k delete configmap nope
ok "delete --ignore-not-found" "^$" k delete configmap nope --ignore-not-found
eventually "the ReplicaSet of web exists" "^web-" k get replicasets -l app=web -o name --no-headers -o custom-columns=N:.metadata.name
ok "delete --cascade=orphan" 'deployment.apps "web" deleted' k delete deployment web --cascade=orphan
eventually "orphaned ReplicaSets stay, without owner" "^[1-9][0-9]* left, owners: \[\]$" bash -c "echo \$('$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get replicasets -l app=web -o name | wc -l) left, owners: [\$('$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get replicasets -l app=web -o jsonpath='{.items[*].metadata.ownerReferences[*].name}')]"
ok "delete --cascade=foreground" 'deployment.apps "api" deleted' k delete deployment api --cascade=foreground --timeout=60s
eventually "foreground deletion removed its ReplicaSets" "^0$" bash -c "'$KUBECTL' --kubeconfig '$KUBECONFIG' -n '$NS' get replicasets -l app=api -o name | wc -l"
ok "delete (background cascade)" 'statefulset.apps "db" deleted' k delete statefulset db --cascade=background
ok "delete a cluster-scoped object" "deleted" kc delete crd "gizmos.$GROUP"

echo "TOTAL: $passed/$((passed + failed + known)) passed, $skipped skipped, $known known gaps"
[ "$failed" -eq 0 ]
