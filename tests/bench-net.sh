#!/bin/sh
# bench-net.sh: "bouncescan scan" end to end over the network, against a private
# Dovecot (dovecot.sh) on this machine: N RFC 3464 bounces in INBOX, then
#   1. IMAPS, processed = move:Processed   (fetch, classify, store, MOVE)
#   2. POP3S, processed = delete           (RETR, classify, store, DELE, QUIT)
# each into a new database. Prints messages/s and the scan's peak resident
# memory (GNU time's %M). Client and server share the machine's cores, so
# compare runs made on the same machine, in the same state.
#
# Usage: bench-net.sh BOUNCESCAN [N]      (make -C tests bench-net [BENCH_NET_MESSAGES=N])
set -eu
bouncescan=$1
n=${2:-10000}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/bench-net.XXXXXX)
chmod 711 "$dir"
trap 'sh "$here/dovecot.sh" kill "$dir/dovecot" >/dev/null 2>&1; rm -rf "$dir"' EXIT
[ -x /usr/bin/time ] || { echo "bench-net.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

sh "$here/dovecot.sh" start "$dir/dovecot"
. "$dir/dovecot/env"

# run NAME URL PROCESSED: one timed scan of N fresh messages into a new database
run() {
	sh "$here/dovecot.sh" load-dsn "$dir/dovecot" "$n" >/dev/null
	rm -f "$dir"/db.sqlite*
	cat >"$dir/conf" <<CONF
[database]
path = $dir/db.sqlite
[source bench]
url = $2
password_file = $PASSWORD_FILE
tls_ca_file = $CA_FILE
processed = $3
CONF
	chmod 600 "$dir/conf"
	start=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$dir/rss" "$bouncescan" -c "$dir/conf" scan -q bench
	end=$(date +%s.%N)
	left=$(sh "$here/dovecot.sh" count "$dir/dovecot" INBOX)
	awk -v name="$1" -v n="$n" -v s="$start" -v e="$end" -v rss="$(cat "$dir/rss")" \
	    -v left="$left" 'BEGIN {
		printf "%-34s %6d messages in %6.2f s: %7.0f messages/s, peak %5.1f MB;" \
		    " %d left in INBOX\n", name, n, e - s, n / (e - s), rss / 1024, left }'
}

run "imaps, processed = move:Processed" "imaps://bounces@localhost:$IMAPS_PORT/INBOX" \
    move:Processed
run "pop3s, processed = delete" "pop3s://bounces@localhost:$POP3S_PORT" delete
