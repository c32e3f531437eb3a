#!/usr/bin/env bash
# End to end with real programs: a MariaDB server on this machine, the MySQL operator in
# `yopf run --dev-exec local` (exec steps and Job containers run as local processes with
# the pod's environment), kubectl against the embedded cluster.
#
# Checks: create without a dump ("without restore-job"); a rotation that fails (exit
# code and stderr in the progress message, Deployment untouched); password rotation (the
# new password works, the old one no longer does); delete takes a dump first; a re-created
# instance gets its row back from that dump ("with restore-job"); a dump in a ConfigMap
# streamed in on demand (spec.restoreFrom); no password in yopf's log or in the Events.
#
# Needs: mariadb-server (mariadbd, mysql, mysqladmin, mysqldump), kubectl. Runs as root
# (mariadbd --user=root). Usage: examples/mysql/e2e-local.sh   (YOPF=path to use a built binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
source examples/mysql/mariadb.sh
require_tools_and_yopf e2e-local

WORK=$(mktemp -d /tmp/yopf-mysql-e2e.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
PW1='first-Secret-4821'
PW2='second-Secret-7310'
YOPF_PID=
cleanup() {
  local status=$?
  [ -n "$YOPF_PID" ] && kill "$YOPF_PID" 2>/dev/null && wait "$YOPF_PID" 2>/dev/null || true
  [ -f "$WORK/mysqld.pid" ] && kill "$(cat "$WORK/mysqld.pid")" 2>/dev/null || true
  # A failed run keeps its logs (yopf's, MariaDB's) for whoever looks into it.
  if [ "${KEEP:-}" = 1 ] || [ "$status" -ne 0 ]; then echo "kept $WORK (logs: yopf.log, mysqld.log)" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- yopf log (tail)" >&2; tail -40 "$WORK/yopf.log" >&2 || true; exit 1; }
step() { echo "== $*"; }

step "local MariaDB on 127.0.0.1:$PORT (datadir $WORK/data)"
start_mariadb "$PORT" "$PW1" || fail "MariaDB did not start"
cr() { mysql_resource e2e "$1"; }
cr "$PW1" >"$WORK/mysql.yaml"

step "yopf run handlers/mysql --dev-exec local"
"$YOPF" run handlers/mysql --dev-exec local --dev-kubeconfig "$WORK/kubeconfig" \
  --dev-apply "$WORK/mysql.yaml" >"$WORK/yopf.log" 2>&1 &
YOPF_PID=$!
export KUBECONFIG=$WORK/kubeconfig
until_ok "kubectl get mysqls" 60 || fail "the embedded cluster did not come up"
status() { kubectl get mysql e2e -o "jsonpath={.status.$1.message}" 2>/dev/null; }

step "create: no dump yet"
until_ok '[ -n "$(status mysql_on_create)" ]' 90 || fail "create handler did not finish"
[ "$(status mysql_on_create)" = "mysql-instance created without restore-job" ] || fail "create: $(status mysql_on_create)"
sql "$PW1" "CREATE TABLE notes (id INT PRIMARY KEY, text VARCHAR(64)); INSERT INTO notes VALUES (1, 'written before delete');"

step "update: a rotation that fails says why"
# Someone changed the password behind the operator's back: mysqladmin cannot log in.
sql "$PW1" "ALTER USER root@localhost IDENTIFIED BY 'changed-by-hand'"
kubectl patch mysql e2e --type=merge -p "{\"spec\":{\"password\":\"$PW2\"}}" >/dev/null
progress() { kubectl get mysql e2e -o 'jsonpath={.status.yopf.progress.mysql_on_update.message}' 2>/dev/null; }
until_ok '[ -n "$(progress)" ]' 60 || fail "the failed rotation left no message"
echo "   $(progress | head -2 | tr '\n' ' ')"
progress | grep -q "exited with 1" || fail "no exit code in: $(progress)"
progress | grep -q "Access denied" || fail "no stderr in: $(progress)"
[ "$(kubectl get deployment e2e -o jsonpath='{.spec.template.spec.containers[0].env[0].value}')" = "$PW1" ] || fail "the Deployment changed although the rotation failed"

step "update: rotate the password"
# Put it back: the handler's retry (with backoff) now succeeds.
MYSQL_PWD=changed-by-hand mysql --no-defaults --host=127.0.0.1 --port="$PORT" --user=root -e "ALTER USER root@localhost IDENTIFIED BY '$PW1'"
until_ok '[ "$(status mysql_on_update)" = "password updated" ]' 90 || fail "update: $(kubectl get mysql e2e -o jsonpath='{.status.yopf.progress}')"
[ "$(sql "$PW2" 'SELECT COUNT(*) FROM notes')" = 1 ] || fail "the new password does not work"
if sql "$PW1" 'SELECT 1' 2>/dev/null; then fail "the old password still works"; fi
[ "$(kubectl get deployment e2e -o jsonpath='{.spec.template.spec.containers[0].env[0].value}')" = "$PW2" ] || fail "the Deployment's env was not updated"

step "delete: the backup Job dumps first"
kubectl delete mysql e2e --timeout=120s >/dev/null || fail "delete did not finish"
grep -q "written before delete" "$WORK/backup/e2e-dump.sql" || fail "no row in the dump $WORK/backup/e2e-dump.sql"
kubectl get pv backup-e2e-pv >/dev/null || fail "the backup volume did not outlive the resource"
# The data volume went with the resource: the database is lost.
sql "$PW2" "DROP DATABASE otus_database"

step "create again: the dump is restored"
cr "$PW2" | kubectl create -f - >/dev/null
until_ok '[ -n "$(status mysql_on_create)" ]' 90 || fail "second create did not finish"
[ "$(status mysql_on_create)" = "mysql-instance created with restore-job" ] || fail "re-create: $(status mysql_on_create)"
[ "$(sql "$PW2" 'SELECT text FROM notes WHERE id = 1')" = "written before delete" ] || fail "the row is not back"

step "restore on demand: a dump streamed from a ConfigMap"
printf "INSERT INTO notes VALUES (2, 'streamed from a configmap');\n" >"$WORK/more.sql"
kubectl create configmap more-notes --from-file=dump.sql="$WORK/more.sql" >/dev/null
kubectl patch mysql e2e --type=merge -p '{"spec":{"restoreFrom":{"configMap":"more-notes"}}}' >/dev/null
until_ok '[ -n "$(status mysql_restore)" ]' 60 || fail "restore handler did not finish"
[ "$(sql "$PW2" 'SELECT text FROM notes WHERE id = 2')" = "streamed from a configmap" ] || fail "the streamed row is missing"
echo "   $(status mysql_restore)"

step "no password in yopf's log, the Events or the progress"
kubectl get events -o yaml >"$WORK/events.yaml"
grep -q HandlerSucceeded "$WORK/events.yaml" || fail "no Events read"
# The messages only: status.yopf.handled keeps the spec as last handled (the diff base
# for updates), password included, exactly as readable as the spec itself.
kubectl get mysql e2e -o jsonpath='{.status.yopf.progress.*.message} {.status.*.message}' >"$WORK/messages.txt"
grep -q "stream restore\|restored" "$WORK/messages.txt" || fail "no messages read from the status"
for f in yopf.log events.yaml messages.txt; do
  if grep -q -e "$PW1" -e "$PW2" "$WORK/$f"; then fail "a password appears in $f"; fi
done

echo "PASS: create, failed and successful rotation, backup on delete, restore on create, stream restore"
