#!/bin/sh
# Starts Debian's PostgreSQL 15 (cluster 15/main) when it is not running, makes a role that may
# create databases, and prints a URL for it: what the store tests and `wsbridge bench dispatch
# --store` use (TCP on loopback; `--socket`: the server's Unix socket, for daemons in network
# namespaces). Works without systemd (pg_ctlcluster). Run as root.
#   contrib/postgres/start.sh [--socket] [ROLE]     (default role: wsbridge_test)
set -eu
socket=
if [ "${1:-}" = --socket ]; then socket=1; shift; fi
role=${1:-wsbridge_test}
command -v pg_ctlcluster >/dev/null || { echo "$0: postgresql is not installed (contrib/setup-debian.sh test)" >&2; exit 1; }
if ! pg_lsclusters -h 2>/dev/null | grep -q "^15 *main"; then
    pg_createcluster 15 main >&2
fi
if ! pg_lsclusters -h | grep -q "^15 *main .* online"; then
    pg_ctlcluster 15 main start >&2  # it may say "Removed stale pid file." on stdout
fi
port=$(pg_lsclusters -h | awk '$1 == 15 && $2 == "main" { print $3 }')
# The role also logs in with its password over the Unix socket (daemons in other network
# namespaces of this machine reach the server there), before Debian's peer rule for local users.
hba=/etc/postgresql/15/main/pg_hba.conf
if ! grep -q "^local all $role scram-sha-256" "$hba"; then
    sed -i "0,/^local/s//local all $role scram-sha-256\n&/" "$hba"
    pg_ctlcluster 15 main reload >&2
fi
# The password is made once and kept beside the cluster's own files, readable by root only.
secret=/etc/postgresql/15/main/$role.password
if [ ! -s "$secret" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$secret")
fi
password=$(cat "$secret")
su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" >/dev/null <<SQL
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
        CREATE ROLE $role LOGIN CREATEDB;
    END IF;
END \$\$;
ALTER ROLE $role PASSWORD '$password';
SQL
# Databases that earlier test runs made (one per test) are dropped.
for db in $(su postgres -c "psql -At -p $port -c \"SELECT datname FROM pg_database WHERE datname LIKE 'wsbtest\\_%'\""); do
    su postgres -c "dropdb -p $port $db"
done
if [ -n "$socket" ]; then
    echo "postgresql://$role:$password@/postgres?host=/var/run/postgresql&port=$port"
else
    echo "postgresql://$role:$password@127.0.0.1:$port/postgres"
fi
