# Sourced by the end-to-end scripts (from the repository's root): the tools they need and
# the yopf binary, a throwaway MariaDB server as the mysql image would start it (root
# password and database set on first start), and the waiting helper. start_mariadb and
# mysql_resource need WORK (a scratch directory).

# require_tools_and_yopf NAME: exits 2 naming a missing tool; sets YOPF (built when unset).
require_tools_and_yopf() {
  for tool in mariadbd mariadb-install-db mysql mysqladmin mysqldump kubectl; do
    command -v "$tool" >/dev/null || { echo "$1: $tool is not installed (apt-get install -y mariadb-server; kubectl)" >&2; exit 2; }
  done
  YOPF=${YOPF:-}
  if [ -z "$YOPF" ]; then
    swift build --product yopf >&2
    YOPF=$PWD/.build/debug/yopf
  fi
}

# Waits (up to $2 seconds, default 60) until the command $1 succeeds.
until_ok() {
  local tries=$(( ${2:-60} * 5 ))
  for _ in $(seq "$tries"); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

# start_mariadb PORT PASSWORD: mariadbd on 127.0.0.1:PORT with data in $WORK/data, root's
# password PASSWORD and the database otus_database; its pid is in $WORK/mysqld.pid.
start_mariadb() {
  local port=$1 password=$2
  mariadb-install-db --user=root --datadir="$WORK/data" --auth-root-authentication-method=normal >"$WORK/install.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$WORK/data" --socket="$WORK/mysqld.sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$WORK/mysqld.pid" --log-error="$WORK/mysqld.err" >"$WORK/mysqld.out" 2>&1 &
  until_ok "mysqladmin --no-defaults --socket='$WORK/mysqld.sock' -uroot ping" 60 || { echo "mariadbd did not start (see $WORK/mysqld.err)" >&2; return 1; }
  mysql --no-defaults --socket="$WORK/mysqld.sock" -uroot \
    -e "ALTER USER root@localhost IDENTIFIED BY '$password'; CREATE DATABASE otus_database;"
  MARIADB_PORT=$port
}

# sql PASSWORD STATEMENT: runs STATEMENT in otus_database over TCP as root.
sql() { MYSQL_PWD=$1 mysql --no-defaults --host=127.0.0.1 --port="$MARIADB_PORT" --user=root --batch --skip-column-names otus_database -e "$2"; }

# mysql_resource NAME PASSWORD: a MySQL resource for this server, backups under $WORK/backup.
mysql_resource() {
  cat <<YAML
apiVersion: otus.homework/v1
kind: MySQL
metadata: {name: $1, namespace: default}
spec:
  image: mysql:5.7
  database: otus_database
  password: '$2'
  storage_size: 1Gi
  host: 127.0.0.1
  port: $MARIADB_PORT
  backupDir: $WORK/backup
YAML
}
