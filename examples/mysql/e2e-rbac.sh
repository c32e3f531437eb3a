#!/usr/bin/env bash
# The generated manifests, proven with kubectl over https and a ServiceAccount token:
#
#   yopf dev-cluster --authorization=rbac --exec local   (https; kubectl is the admin)
#   yopf manifests handlers/mysql --image IMG | kubectl apply -f -
#   kubectl create token mysql-operator -n yopf-system   -> the operator's kubeconfig
#   yopf run handlers/mysql                              (as system:serviceaccount:yopf-system:mysql-operator)
#
# Checks: the operator, holding exactly the generated RBAC, handles a MySQL resource
# through create, update (password rotation by exec + scale) and delete (backup Job)
# against a real MariaDB; with the generated rule for Deployments removed from the
# ClusterRole, a new resource shows a Forbidden failure in its status and a Warning Event.
#
# Needs: mariadb-server, kubectl. Runs as root (mariadbd --user=root).
# Usage: examples/mysql/e2e-rbac.sh   (YOPF=path to use a built binary; KEEP=1 keeps the work dir)
set -euo pipefail
cd "$(dirname "$0")/../.."
source examples/mysql/mariadb.sh
require_tools_and_yopf e2e-rbac

WORK=$(mktemp -d /tmp/yopf-mysql-rbac.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
PW1='first-Secret-5930'
PW2='second-Secret-1147'
CLUSTER_PID= YOPF_PID=
cleanup() {
  local status=$?
  [ -n "$YOPF_PID" ] && kill "$YOPF_PID" 2>/dev/null && wait "$YOPF_PID" 2>/dev/null || true
  [ -n "$CLUSTER_PID" ] && kill "$CLUSTER_PID" 2>/dev/null && wait "$CLUSTER_PID" 2>/dev/null || true
  [ -f "$WORK/mysqld.pid" ] && kill "$(cat "$WORK/mysqld.pid")" 2>/dev/null || true
  # A failed run keeps its logs for whoever looks into it.
  if [ "${KEEP:-}" = 1 ] || [ "$status" -ne 0 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- yopf log (tail)" >&2; tail -40 "$WORK/yopf.log" >&2 || true
  echo "--- dev-cluster log (tail)" >&2; tail -20 "$WORK/dev-cluster.log" >&2 || true
  exit 1
}
step() { echo "== $*"; }

step "local MariaDB on 127.0.0.1:$PORT"
start_mariadb "$PORT" "$PW1" || fail "MariaDB did not start"

step "yopf dev-cluster --authorization=rbac --exec local (https)"
"$YOPF" dev-cluster --listen 127.0.0.1:0 --authorization=rbac --exec local \
  --write-kubeconfig "$WORK/admin.kubeconfig" >"$WORK/dev-cluster.log" 2>&1 &
CLUSTER_PID=$!
until_ok "[ -s '$WORK/admin.kubeconfig' ]" 30 || fail "the dev-cluster wrote no kubeconfig"
export KUBECONFIG=$WORK/admin.kubeconfig
grep -q 'server: "https://' "$KUBECONFIG" || fail "the dev-cluster does not serve https with RBAC on"
kubectl auth whoami | grep -q 'Username *admin' || fail "kubectl is not the admin: $(kubectl auth whoami 2>&1)"

step "yopf manifests handlers/mysql --image … | kubectl apply -f -"
"$YOPF" manifests handlers/mysql --image registry.example/yopf-mysql:1 >"$WORK/manifests.yaml"
kubectl apply -f "$WORK/manifests.yaml" >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log" >&2; fail "kubectl apply of the manifests"; }
sed 's/^/   /' "$WORK/apply.log"

step "the operator's kubeconfig: a token for its ServiceAccount"
TOKEN=$(kubectl create token mysql-operator -n yopf-system --duration=10m) || fail "kubectl create token"
cp "$KUBECONFIG" "$WORK/operator.kubeconfig"
kubectl --kubeconfig "$WORK/operator.kubeconfig" config set-credentials yopf-dev --token="$TOKEN" >/dev/null
SA=system:serviceaccount:yopf-system:mysql-operator
kubectl --kubeconfig "$WORK/operator.kubeconfig" auth whoami | grep -q "Username *$SA" || fail "the token is not the ServiceAccount's"
if kubectl --kubeconfig "$WORK/operator.kubeconfig" get secrets -n default >/dev/null 2>&1; then
  fail "the ServiceAccount may read Secrets: the generated RBAC is wider than the steps need"
fi

step "yopf run handlers/mysql as $SA"
KUBECONFIG=$WORK/operator.kubeconfig "$YOPF" run handlers/mysql >"$WORK/yopf.log" 2>&1 &
YOPF_PID=$!
status() { kubectl get mysql "$1" -o "jsonpath={.status.$2.message}" 2>/dev/null; }

step "create"
mysql_resource e2e "$PW1" | kubectl apply -f - >/dev/null
until_ok '[ -n "$(status e2e mysql_on_create)" ]' 90 || fail "create handler did not finish: $(kubectl get mysql e2e -o jsonpath='{.status}')"
[ "$(status e2e mysql_on_create)" = "mysql-instance created without restore-job" ] || fail "create: $(status e2e mysql_on_create)"
kubectl get deployment e2e >/dev/null || fail "no Deployment"
sql "$PW1" "CREATE TABLE notes (id INT PRIMARY KEY, text VARCHAR(64)); INSERT INTO notes VALUES (1, 'written before delete');"

step "update: rotate the password (exec, then scale 0 -> 1)"
kubectl patch mysql e2e --type=merge -p "{\"spec\":{\"password\":\"$PW2\"}}" >/dev/null
until_ok '[ "$(status e2e mysql_on_update)" = "password updated" ]' 90 || fail "update: $(kubectl get mysql e2e -o jsonpath='{.status.yopf.progress}')"
[ "$(sql "$PW2" 'SELECT COUNT(*) FROM notes')" = 1 ] || fail "the new password does not work"

step "delete: the backup Job dumps first"
kubectl delete mysql e2e --timeout=120s >/dev/null || fail "delete did not finish"
grep -q "written before delete" "$WORK/backup/e2e-dump.sql" || fail "no row in the dump $WORK/backup/e2e-dump.sql"

step "one generated rule removed: create/patch/delete on apps/deployments"
rules=$(kubectl get clusterrole mysql-operator -o jsonpath='{range .rules[*]}{.apiGroups[0]}/{.resources[0]}{"\n"}{end}')
line=$(grep -n '^apps/deployments$' <<<"$rules" | cut -d: -f1)
[ -n "$line" ] || fail "the generated ClusterRole has no rule for apps/deployments:"$'\n'"$rules"
kubectl patch clusterrole mysql-operator --type=json -p "[{\"op\":\"remove\",\"path\":\"/rules/$((line - 1))\"}]" >/dev/null
[ "$(kubectl auth can-i create deployments.apps -n default --as="$SA" 2>/dev/null || true)" = no ] || fail "the ServiceAccount may still create Deployments"
mysql_resource denied "$PW1" | kubectl apply -f - >/dev/null
progress() { kubectl get mysql denied -o 'jsonpath={.status.yopf.progress.mysql_on_create.message}' 2>/dev/null; }
until_ok 'progress | grep -q forbidden' 60 || fail "no Forbidden failure in the status: $(kubectl get mysql denied -o jsonpath='{.status}')"
echo "   status: $(progress | head -1)"
progress | grep -Eq "User \"$SA\" cannot (create|patch) resource \"deployments\" in API group \"apps\"" || fail "the message does not say who and what: $(progress)"
warnings() { kubectl get events -n default -o jsonpath='{range .items[*]}{.type} {.involvedObject.name} {.message}{"\n"}{end}'; }
until_ok 'warnings | grep -q "^Warning denied .*forbidden"' 30 || fail "no Warning Event: $(warnings)"
echo "   event: $(warnings | grep '^Warning denied' | head -1 | cut -c1-160)"
! kubectl get deployment denied >/dev/null 2>&1 || fail "a Deployment was created without the rule"

echo "PASS: generated manifests applied with kubectl; the operator as its ServiceAccount handled create, update and delete; without one rule: Forbidden in status and an Event"
