#!/bin/sh
# bench-store-pg.sh: "make bench-store-pg": the store's ingest rate on a
# private PostgreSQL server (postgres.sh, with fsync and synchronous commits
# on, as a real one runs), for one bench_store and for SCANNERS of them at once
# (different messages, the same 200,000 recipients), each beside its floor
# measured in the same run: bench_pg_floor's plain prepared INSERTs of
# event-shaped rows, one round trip per row, in transactions of the same size.
# Over the server's Unix socket. Not part of "make check".
#
# usage: bench-store-pg.sh [RESULTS [SCANNERS [BATCH]]]   (100000 4 10000)
set -u
here=$(cd "$(dirname "$0")" && pwd)
results=${1:-100000}
scanners=${2:-4}
batch=${3:-10000}
dir=$(mktemp -d /tmp/bench-store-pg.XXXXXX)
PG_DURABLE=1 sh "$here/postgres.sh" start "$dir" || { rm -rf "$dir"; exit 1; }
trap 'sh "$here/postgres.sh" stop "$dir"; rm -rf "$dir"' EXIT
. "$dir/env"

now() { date +%s.%N; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }

url=$(sh "$here/postgres.sh" createdb "$dir" one) || exit 1
./bench_pg_floor "$url" "$results" "$batch" || exit 1
BENCH_STORE_URL=$url ./bench_store "$results" "$batch" 200000 || exit 1

url=$(sh "$here/postgres.sh" createdb "$dir" many) || exit 1
per=$((results / scanners))
start=$(now)
for k in $(seq 1 "$scanners"); do
	BENCH_STORE_PART=$k ./bench_pg_floor "$url" "$per" "$batch" >/dev/null &
done
wait
echo "floor, $scanners at once: $results rows: $(rate "$results" "$start" "$(now)") rows/s"
start=$(now)
for k in $(seq 1 "$scanners"); do
	BENCH_STORE_URL=$url BENCH_STORE_PART=$k ./bench_store "$per" "$batch" 200000 \
	    >"$dir/part$k" 2>&1 &
done
wait
echo "store, $scanners at once: $results results: $(rate "$results" "$start" "$(now)") results/s"
cat "$dir"/part*
