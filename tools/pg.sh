#!/bin/sh
# pg.sh: a private PostgreSQL cluster for development and tests.
#   pg.sh dir BUILD         print the cluster folder make run uses for BUILD
#   pg.sh init DIR          create a cluster in DIR/data if missing
#   pg.sh start DIR         start it (unix socket DIR/sock, no TCP) if down
#   pg.sh stop DIR          stop it
#   pg.sh createdb DIR NAME create database NAME if missing
#   pg.sh url DIR NAME      print the libpq URI of database NAME
# initdb and postgres refuse to run as root: as root, they run as the
# "postgres" user, and the cluster lives where that user can enter.
# PG_FAST=1 turns fsync off (throwaway test clusters only).
set -eu

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "pg.sh: PostgreSQL server binaries not found (make deps)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

cmd=$1; shift
case $cmd in
dir)
	build=$(cd "$1" && pwd)
	if [ "$(id -u)" = 0 ]; then
		# The build folder may sit where postgres cannot enter
		# (/root/...): keep the cluster in /var/tmp, named after it.
		sum=$(printf %s "$build" | sha256sum | cut -c1-12)
		echo "/var/tmp/restauth-pg-$sum"
	else
		echo "$build/pg"
	fi
	;;
init)
	dir=$1
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$dir"
		chmod 700 "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner mkdir -p "$dir/sock"
		as_owner "$PGBIN/initdb" -D "$dir/data" -U restauth \
			--auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	;;
start)
	dir=$1
	if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
			-o "-k $dir/sock -c listen_addresses= -c max_connections=200 ${PG_FAST:+-c fsync=off -c synchronous_commit=off}" \
			start >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; exit 1; }
	fi
	;;
stop)
	dir=$1
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
createdb)
	dir=$1 name=$2
	if ! echo "SELECT 1 FROM pg_database WHERE datname = :'name'" |
		"$PGBIN/psql" -h "$dir/sock" -U restauth -d postgres -tA \
			-v name="$name" | grep -q 1; then
		"$PGBIN/createdb" -h "$dir/sock" -U restauth "$name"
	fi
	;;
url)
	echo "postgresql:///$2?host=$1/sock&user=restauth"
	;;
*)
	echo "pg.sh: unknown command $cmd" >&2
	exit 2
	;;
esac
