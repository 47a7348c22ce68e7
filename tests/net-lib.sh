# net-lib.sh: shared helpers of the network tests (imap.test, pop3.test,
# tls.test, kill.test, watch.test), sourced by them. Each test runs its own
# private Dovecot (tests/dovecot.sh) in a fresh temporary directory, writes a
# bouncescan.conf with [database] and [source NAME], scans, and checks what a
# list manager sees: status exit codes, the export, and the mailbox contents.
# Skips (exit 77) when Dovecot is not installed.
set -u
bin=${BOUNCESCAN:-../scanner/bouncescan}
srcdir=${srcdir:-.}
fixtures=$srcdir/fixtures
dovecot_sh=$srcdir/dovecot.sh
fail=0

if ! command -v dovecot >/dev/null 2>&1 && ! test -x /usr/sbin/dovecot; then
	echo "SKIP: Dovecot is not installed (dovecot-imapd, dovecot-pop3d)"
	exit 77
fi
for tool in doveadm openssl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done

tmp=$(mktemp -d) || exit 99
# As root the mail runs as nobody, which must reach DIR/mail below $tmp.
test "$(id -u)" -ne 0 || chmod 711 "$tmp"
servers=
background=
net_cleanup() {
	for pid in $background; do kill -KILL "$pid" 2>/dev/null; done
	for dir in $servers; do sh "$dovecot_sh" kill "$dir"; done
	rm -rf "$tmp"
}
trap net_cleanup EXIT
trap 'exit 99' HUP INT TERM

check() {	# check DESCRIPTION COMMAND...: the command must succeed
	desc=$1; shift
	if "$@"; then echo "ok - $desc"; else echo "FAIL - $desc"; fail=1; fi
}
status_is() {	# status_is WANT COMMAND...: the command's exit status is WANT
	want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	test $? -eq "$want"
}
equals() {	# equals GOT WANT: numbers or strings, and says what differed
	test "$1" = "$2" && return 0
	echo "    got '$1', want '$2'"
	return 1
}

# server_start DIR [VAR=VALUE...]: a private Dovecot in DIR; its env is sourced
# (IMAPS_PORT, CA_FILE, ...). A harness failure is a hard error (99), not a FAIL.
server_start() {
	dir=$1; shift
	env "$@" sh "$dovecot_sh" start "$dir" || { echo "ERROR: dovecot.sh start $dir failed"; exit 99; }
	case " $servers " in *" $dir "*) ;; *) servers="$servers $dir" ;; esac
	. "$dir/env"
}
server_load() {	# server_load DIR FILE...
	sh "$dovecot_sh" load "$@" || { echo "ERROR: dovecot.sh load failed"; exit 99; }
}
server_count() {	# server_count DIR MAILBOX: messages in it
	sh "$dovecot_sh" count "$1" "$2"
}
maildir_of() {	# maildir_of DIR: the account's Maildir
	echo "$1/mail/bounces/Maildir"
}

# write_conf CONF DATABASE NAME URL [KEY=VALUE...]: a bouncescan.conf, mode 600.
# password_file and tls_ca_file default to the running server's; a later KEY
# replaces an earlier one, and KEY= (empty) leaves the key out.
write_conf() {
	conf=$1 database=$2 name=$3 url=$4
	shift 4
	(
		umask 077
		printf '[database]\npath = %s\n\n[source %s]\nurl = %s\n' "$database" "$name" "$url"
		printf '%s\n' "password_file=$PASSWORD_FILE" "tls_ca_file=$CA_FILE" "$@" |
		    awk -F= '{ key = $1; sub(/^[^=]*=/, ""); if (!(key in value)) order[++n] = key; value[key] = $0 }
			END { for (i = 1; i <= n; i++) if (value[order[i]] != "") print order[i] " = " value[order[i]] }'
	) >"$conf"
	chmod 600 "$conf"
}

# The mixed mailbox: hard, soft, block, delayed, a complaint (ARF), an
# auto-reply and one message that is no bounce at all. 11 messages, 10 of them
# bounces and reports; 5 addresses are suppressed afterwards.
MIXED_FIXTURES="rfc3464-three-recipients gmx-rcpt mcafee-nouser postfix-no-dsn
kddi-mailboxfull chinese-qq-mailboxfull barracuda-blocked amavis-spam arf-microsoft-jmrp"
MIXED_MESSAGES=11
MIXED_BOUNCES=10
MIXED_SUPPRESSED="alice@example.com
hare.meadow@example.jp
mallory@example.com
peggy@example.com
plover.dune@example.com"
# soft, block, delayed and the auto-reply's sender: all stay active.
MIXED_ACTIVE="quinn@example.org kuma.river@h1234567.dion.ne.jp crane.lake@example.com
vole.bank@example.jp newt.marsh@example.com bob@example.org carol@example.net olive@example.org"

write_mixed_extras() {	# the auto-reply and the non-bounce, in $tmp
	cat >"$tmp/autoreply.eml" <<'EOF'
From: Olive Grove <olive@example.org>
To: Weekly News <bounces@lists.example.org>
Subject: Out of office: Weekly news, issue 12
Date: Mon, 23 Nov 2026 09:00:00 +0000
Message-ID: <ooo-1@example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

I am away until 30 November with no access to mail. Your message will
be read when I return.
EOF
	cat >"$tmp/not-a-bounce.eml" <<'EOF'
From: Victor Reed <victor@example.net>
To: Weekly News <bounces@lists.example.org>
Subject: Re: Weekly news, issue 12
Date: Mon, 23 Nov 2026 09:30:00 +0000
Message-ID: <reply-1@example.net>
In-Reply-To: <issue-12@lists.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Thanks for the issue. Could you add the meeting notes to the archive
next time? The link in the footer did not work for me.

Victor
EOF
}

load_mixed() {	# load_mixed DIR: deliver the mixed mailbox into INBOX
	write_mixed_extras
	target=$1
	set --
	for name in $MIXED_FIXTURES; do set -- "$@" "$fixtures/$name.eml"; done
	server_load "$target" "$@" "$tmp/autoreply.eml" "$tmp/not-a-bounce.eml"
}

# check_mixed_stored CONF LABEL: the suppressions and states the mixed mailbox gives.
check_mixed_stored() {
	"$bin" -c "$1" export --format plain >"$tmp/export" 2>"$tmp/err"
	check "$2: export exits 0" test $? -eq 0
	printf '%s\n' "$MIXED_SUPPRESSED" >"$tmp/want"
	check "$2: export lists exactly the 5 hard and complaint addresses" cmp -s "$tmp/export" "$tmp/want"
	for address in $MIXED_SUPPRESSED; do
		check "$2: status $address exits 1 (suppressed)" status_is 1 "$bin" -c "$1" status "$address"
	done
	# shellcheck disable=SC2086
	check "$2: soft, block, delayed and auto-reply addresses stay active (exit 0)" \
	    status_is 0 "$bin" -c "$1" status $MIXED_ACTIVE
	check "$2: the non-bounce's sender is unknown" \
	    status_is 0 "$bin" -c "$1" status victor@example.net
	check "$2: ... and says so" grep -q "unknown" "$tmp/out"
}

# scan CONF [ARGS...]: run a scan, output in $tmp/scan.out and $tmp/scan.err.
scan() {
	conf=$1; shift
	"$bin" -c "$conf" scan "$@" >"$tmp/scan.out" 2>"$tmp/scan.err"
	scan_status=$?
	test $scan_status -eq 0 || sed 's/^/    stderr: /' "$tmp/scan.err"
	return 0
}

# no_password_leak LABEL: the password is in no output of the scan.
no_password_leak() {
	password=$(head -n 1 "$PASSWORD_FILE")
	check "$1: the password appears in no output" \
	    test -z "$(grep -F -- "$password" "$tmp/scan.out" "$tmp/scan.err")"
}

# stats_class CONF CLASS: the number of events of CLASS ("By class:" in stats).
stats_class() {
	"$bin" -c "$1" stats 2>/dev/null | awk -v class="$2" '
		/^By class:/ { inside = 1; next }
		inside && NF == 0 { exit }
		inside && $2 == class { print $1; found = 1; exit }
		END { if (!found) print 0 }'
}

# log_mark: the current length of DOVECOT_LOG, for log_since.
log_mark() {
	wc -l <"$DOVECOT_LOG" | tr -d ' '
}
log_since() {	# log_since MARK: the log lines written after MARK
	tail -n "+$(($1 + 1))" "$DOVECOT_LOG"
}

# no_login_since MARK: the server saw the connection end without any LOGIN,
# USER or AUTH: a "no auth attempts" line appears ("disconnected before auth
# was ready" when the instance is fresh; login processes log when the client
# goes away, so wait up to 3 s) and nothing names the user bounces.
no_auth='no auth attempts|disconnected before auth was ready'
no_login_since() {
	n=0
	until log_since "$1" | grep -Eq "$no_auth" || test $n -ge 30; do
		sleep 0.1
		n=$((n + 1))
	done
	log_since "$1" >"$tmp/log.part"
	grep -Eq "$no_auth" "$tmp/log.part" &&
	    ! grep -Eq "user=<bounces>|passwd-file\(bounces" "$tmp/log.part" ||
	    { sed 's/^/    log: /' "$tmp/log.part"; return 1; }
}

# wait_for TENTHS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
	limit=$1; shift
	n=0
	until "$@" >/dev/null 2>&1; do
		test $n -ge "$limit" && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# alive PID: true while PID runs (an exited child stays a zombie until waited for).
alive() {
	test -r "/proc/$1/stat" || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	test -n "$state" && test "$state" != Z && test "$state" != X
}

# files_in MAILDIR_FOLDER: messages in new/ and cur/ (cheap; for tight polling).
files_in() {
	set -- "$1"/new/* "$1"/cur/*
	n=0
	for file in "$@"; do test -e "$file" && n=$((n + 1)); done
	echo $n
}

# dsn_expected N: "HARD SOFT BLOCK" results of "dovecot.sh load-dsn DIR N"
# (sequence number % 4: 0 hard, 1 soft, 2 block, 3 two hard recipients).
dsn_expected() {
	n0=$(($1 / 4)) n1=$((($1 + 3) / 4)) n2=$((($1 + 2) / 4)) n3=$((($1 + 1) / 4))
	echo "$((n0 + 2 * n3)) $n1 $n2"
}
