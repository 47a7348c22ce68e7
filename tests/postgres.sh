#!/bin/sh
# postgres.sh: a private PostgreSQL server for the store's tests, one per test
# directory, reachable only through a Unix socket in that directory.
#
#   postgres.sh start DIR        initdb into DIR/data (once), start; writes DIR/env
#   postgres.sh createdb DIR NAME  a new, empty database; prints its URL
#   postgres.sh stop DIR         fast shutdown
#   postgres.sh kill DIR         immediate shutdown; silent, for traps
#
# DIR/env is sourceable: PGHOST (the socket directory, DIR/run) PGPORT PGUSER
# PGDATABASE PG_URL (postgresql:///bouncescan?host=DIR/run&port=...&user=...,
# the database "bouncescan") PG_BIN.
#
# listen_addresses is empty (no TCP at all) and the socket lies in DIR, so
# nothing else on the machine can reach the server, and two test directories
# never meet. initdb refuses to run as root: as root, the server runs as the
# "postgres" user (Debian's package makes it) and DIR is given to it; a test
# run as root connects as that role through the socket (trust: the socket is
# in a directory only that user and root can reach). Exit 77 (automake's
# SKIP) when the server's programs are not installed.
#
# For the TLS test, start takes two optional variables: PG_TCP_PORT (listen on
# 127.0.0.1 and this port as well, and only there; the socket gets the same
# number) and PG_OPTIONS (more server options, e.g. -c ssl=on).
set -u

die() {
	echo "postgres.sh: $*" >&2
	exit 1
}

test $# -ge 2 || die "usage: postgres.sh start|createdb|stop|kill DIR [NAME]"
command=$1
dir=$2

PG_BIN=
for d in /usr/lib/postgresql/*/bin; do
	test -x "$d/initdb" && PG_BIN=$d
done
if test -z "$PG_BIN"; then
	echo "postgres.sh: PostgreSQL's initdb is not installed" >&2
	exit 77
fi

# as_owner COMMAND...: run as the server's owner (postgres when we are root).
as_owner() {
	if test "$(id -u)" = 0; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

owner() {
	if test "$(id -u)" = 0; then
		echo postgres
	else
		id -un
	fi
}

case $command in
start)
	mkdir -p "$dir/run" || die "cannot make $dir/run"
	if test "$(id -u)" = 0; then
		id postgres >/dev/null 2>&1 || die "running as root and no postgres user"
		chown -R postgres "$dir" || die "cannot give $dir to postgres"
		chmod 0700 "$dir"
	fi
	fresh=0
	if ! test -f "$dir/data/PG_VERSION"; then
		fresh=1
		as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U "$(owner)" \
		    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
	fi
	# A port number only names the socket file: any will do, one per DIR.
	port=$(( 20000 + $(echo "$dir" | cksum | cut -d' ' -f1) % 20000 ))
	listen=
	if test -n "${PG_TCP_PORT:-}"; then
		port=$PG_TCP_PORT
		listen=127.0.0.1
	fi
	# Tests need no durability; PG_DURABLE=1 (benchmarks) keeps the defaults.
	fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	test "${PG_DURABLE:-0}" = 1 && fast=
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-c listen_addresses=$listen -k $dir/run -p $port $fast ${PG_OPTIONS:-}" start \
	    >"$dir/pg_ctl.log" 2>&1 ||
	    { cat "$dir/server.log" >&2; die "the server did not start"; }
	cat >"$dir/env" <<EOF
PGHOST='$dir/run'
PGPORT=$port
PGUSER='$(owner)'
PGDATABASE=bouncescan
PG_BIN='$PG_BIN'
PG_URL='postgresql:///bouncescan?host=$dir/run&port=$port&user=$(owner)'
export PGHOST PGPORT PGUSER PGDATABASE
EOF
	# Started again (after stop): the database is there.
	test $fresh = 0 ||
	    as_owner "$PG_BIN/psql" -h "$dir/run" -p $port -U "$(owner)" -d postgres \
	    -qAt -c "CREATE DATABASE bouncescan" >/dev/null ||
	    die "cannot create the database"
	;;
createdb)
	test $# -eq 3 || die "usage: postgres.sh createdb DIR NAME"
	. "$dir/env"
	PGOPTIONS="-c client_min_messages=warning" as_owner "$PG_BIN/psql" -d postgres -qAt \
	    -c "DROP DATABASE IF EXISTS \"$3\"" -c "CREATE DATABASE \"$3\"" \
	    >/dev/null || die "cannot create database $3"
	echo "postgresql:///$3?host=$PGHOST&port=$PGPORT&user=$PGUSER"
	;;
stop)
	test -f "$dir/data/postmaster.pid" || exit 0
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
	;;
kill)
	test -f "$dir/data/postmaster.pid" || exit 0
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop \
	    >/dev/null 2>&1
	;;
*)
	die "unknown command $command"
	;;
esac
exit 0
