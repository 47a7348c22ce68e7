#!/bin/sh
# dovecot.sh: a private Dovecot 2.3 for the network tests, one instance per test
# directory, on random loopback ports, with its own CA and certificates.
#
#   dovecot.sh start DIR          certificates, configuration, start; writes DIR/env
#   dovecot.sh load DIR FILE...   deliver messages into INBOX (Maildir new/)
#   dovecot.sh load-dsn DIR N     deliver N generated RFC 3464 DSNs
#   dovecot.sh count DIR MAILBOX  print the number of messages in MAILBOX
#   dovecot.sh stop DIR           graceful stop (about 1.2 s: the master sleeps 1 s)
#   dovecot.sh kill DIR           SIGKILL the whole instance; silent, for traps
#
# DIR/env is sourceable: IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT CA_FILE
# OTHER_CA_FILE CERT_PIN USER PASSWORD_FILE DOVECOT_LOG DOVEADM. CERT_SAN in the
# environment of "start" replaces the server certificate's subjectAltName (default
# DNS:localhost,IP:127.0.0.1), e.g. CERT_SAN=DNS:wrong.example. DOVECOT_EXTRA
# is appended to the configuration (e.g. an imap_capability without MOVE). "start" on a DIR
# that was stopped or killed restarts with the same ports, password and certificates,
# so a client's configuration stays valid.
#
# Runs as root (CI) or as an ordinary user with a passwd entry. Dovecot never
# lets mail run as uid 0, so as root the mailbox belongs to nobody and DIR is
# made 0755 (it must be reachable by nobody: a directory under /tmp works).
# Exit 77 (automake's SKIP) when Dovecot is not installed.
#
# What the log says about logins (Dovecot 2.3.19, login_log_format defaults;
# imap-login and pop3-login are alike):
#   a login:      imap-login: Info: Login: user=<bounces>, method=PLAIN, rip=127.0.0.1, ...
#   no LOGIN/USER/AUTH ever sent, client refused the certificate in the handshake:
#                 imap-login: Info: Disconnected: Connection closed: SSL_accept() failed:
#                 error:0A000418:SSL routines::tlsv1 alert unknown ca: SSL alert number 48
#                 (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1,
#                 TLS handshaking: SSL_accept() failed: ..., session=<...>
#   no LOGIN/USER/AUTH ever sent, client hung up after the handshake (a pin mismatch):
#                 imap-login: Info: Disconnected: Connection closed (no auth attempts
#                 in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, TLS, session=<...>
#   the same, on an instance whose auth process is not up yet (just started):
#                 imap-login: Info: Disconnected: Connection closed: ... (disconnected
#                 before auth was ready, waited 0 secs): user=<>, rip=127.0.0.1, ...
#   pop3-login writes the same lines with "pop3-login:".
#   wrong password: auth: passwd-file(bounces,127.0.0.1,<...>): Password mismatch, and
#                 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<bounces>, ...
# So "the password never reached the server" is: a "no auth attempts" line for the
# connection and no "user=<bounces>" and no "passwd-file(bounces" anywhere after it.
set -u

die() {
	echo "dovecot.sh: $*" >&2
	exit 1
}

# proc_alive PID: true while PID runs. A killed process stays a zombie until PID 1
# reaps it, which takes 1-2 s in some containers, so kill -0 is not enough.
proc_alive() {
	test -r "/proc/$1/stat" || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	test -n "$state" && test "$state" != Z && test "$state" != X
}

master_pid() {
	test -s "$dir/run/master.pid" && head -n 1 "$dir/run/master.pid"
}

# random_number: 0..65535 from the kernel.
random_number() {
	od -An -N2 -tu2 /dev/urandom | tr -d ' '
}

# identity: who owns the mail and who the Dovecot services run as.
identity() {
	if test "$(id -u)" -eq 0; then
		mail_user=nobody
		mail_uid=$(id -u nobody) || die "as root the mail runs as nobody, and there is no such user"
		mail_gid=$(id -g nobody)
		internal_user=dovecot
		internal_group=dovecot
		login_user=dovenull
		id dovecot >/dev/null 2>&1 && id dovenull >/dev/null 2>&1 ||
		    die "the users dovecot and dovenull are missing (Debian's dovecot-core creates them)"
	else
		mail_user=$(id -un 2>/dev/null) ||
		    die "uid $(id -u) has no passwd entry; Dovecot needs a user name"
		mail_uid=$(id -u)
		mail_gid=$(id -g)
		internal_user=$mail_user
		internal_group=$(id -gn)
		login_user=$mail_user
	fi
}

# make_certificates: EC P-256 (fast to generate): a CA, a server certificate it
# signs, and an unrelated second CA for the wrong-CA test.
make_certificates() {
	tls=$dir/tls
	mkdir -p "$tls" || exit 1
	new_ca "$tls/ca" "bouncescan test CA" &&
	    new_ca "$tls/other-ca" "bouncescan unrelated test CA" &&
	    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/O=bouncescan tests/CN=private dovecot" \
		-keyout "$tls/key.pem" -out "$tls/server.csr" 2>"$tls/openssl.log" &&
	    printf '%s\n' "basicConstraints = critical,CA:FALSE" \
		"keyUsage = critical,digitalSignature" \
		"extendedKeyUsage = serverAuth" \
		"subjectAltName = ${CERT_SAN:-DNS:localhost,IP:127.0.0.1}" >"$tls/server.ext" &&
	    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
		-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 7 \
		-extfile "$tls/server.ext" -out "$tls/cert.pem" 2>>"$tls/openssl.log" ||
	    { cat "$tls/openssl.log" >&2; die "openssl failed"; }
	chmod 600 "$tls/key.pem" "$tls/ca-key.pem" "$tls/other-ca-key.pem"
}

new_ca() {	# new_ca BASE NAME: BASE.pem and BASE-key.pem
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/O=bouncescan tests/CN=$2" -days 7 \
	    -addext "basicConstraints = critical,CA:TRUE" \
	    -addext "keyUsage = critical,keyCertSign,cRLSign" \
	    -keyout "$1-key.pem" -out "$1.pem" 2>>"$dir/tls/openssl.log"
}

# listener NAME PORT [ssl]: one inet_listener block (Dovecot refuses one-line blocks).
listener() {
	printf '  inet_listener %s {\n    address = 127.0.0.1\n    port = %s\n' "$1" "$2"
	test $# -lt 3 || printf '    ssl = yes\n'
	printf '  }\n'
}

write_config() {
	instance=bouncescan-test-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
	cat >"$dir/etc/dovecot.conf" <<EOF
# Written by tests/dovecot.sh for one test run; see that script.
base_dir = $dir/run
state_dir = $dir/state
instance_name = $instance
listen = 127.0.0.1
protocols = imap pop3
shutdown_clients = yes
log_path = $dir/log/dovecot.log
info_log_path = $dir/log/dovecot.log
debug_log_path = $dir/log/dovecot.log
auth_verbose = yes
verbose_ssl = no
ssl = yes
ssl_cert = <$dir/tls/cert.pem
ssl_key = <$dir/tls/key.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
disable_plaintext_auth = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/etc/passwd
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u
}
first_valid_uid = 1
first_valid_gid = 0
mail_location = maildir:~/Maildir
mail_fsync = never
pop3_uidl_format = %08Xu%08Xv
# Processed exists from the start; Unrecognized does not, so the client's CREATE
# is exercised too.
namespace inbox {
  inbox = yes
  separator = /
  mailbox Processed {
    auto = create
  }
}
default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
service imap-login {
$(listener imap "$IMAP_PORT")
$(listener imaps "$IMAPS_PORT" ssl)
}
service pop3-login {
$(listener pop3 "$POP3_PORT")
$(listener pop3s "$POP3S_PORT" ssl)
}
${DOVECOT_EXTRA:-}
EOF
	test "$(id -u)" -eq 0 && return 0
	# Not root: no chroot, or the login processes and anvil fail with EPERM.
	for service in imap-login pop3-login anvil ipc old-stats; do
		printf 'service %s {\n  chroot =\n}\n' "$service"
	done >>"$dir/etc/dovecot.conf"
}

write_env() {
	fingerprint=$(openssl x509 -noout -fingerprint -sha256 -in "$dir/tls/cert.pem") ||
	    fail_start "cannot read $dir/tls/cert.pem"
	cat >"$dir/env" <<EOF
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
POP3_PORT=$POP3_PORT
POP3S_PORT=$POP3S_PORT
CA_FILE='$dir/tls/ca.pem'
OTHER_CA_FILE='$dir/tls/other-ca.pem'
CERT_PIN=${fingerprint#*=}
USER=bounces
PASSWORD_FILE='$dir/password'
DOVECOT_LOG='$dir/log/dovecot.log'
DOVEADM='doveadm -c $dir/etc/dovecot.conf'
EOF
}

# pick_ports: four consecutive ports from a random base (20000-59999).
pick_ports() {
	base=$((20000 + $(random_number) % 10000 * 4))
	IMAP_PORT=$base
	IMAPS_PORT=$((base + 1))
	POP3_PORT=$((base + 2))
	POP3S_PORT=$((base + 3))
}

# listening PORT: true when something listens on 127.0.0.1:PORT (/proc/net/tcp).
listening() {
	hex=$(printf '%04X' "$1")
	grep -q "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A " /proc/net/tcp
}

# launch: run the master and wait up to 5 s for all four listeners. 0 up, 2 a
# port was taken (try others), 1 any other failure.
launch() {
	log=$dir/log/dovecot.log
	lines=$(cat "$log" 2>/dev/null | wc -l)
	rm -f "$dir/run/master.pid"
	"$dovecot" -c "$dir/etc/dovecot.conf" >"$dir/log/start.out" 2>&1
	started=$?
	tries=0
	while test $tries -lt 250; do
		if tail -n "+$((lines + 1))" "$log" 2>/dev/null | grep -q "Address already in use" ||
		    grep -q "Address already in use" "$dir/log/start.out"; then
			return 2
		fi
		pid=$(master_pid) || pid=
		if test -n "$pid" && listening "$IMAP_PORT" && listening "$IMAPS_PORT" &&
		    listening "$POP3_PORT" && listening "$POP3S_PORT"; then
			proc_alive "$pid" && return 0
		fi
		test $started -eq 0 || break
		sleep 0.02
		tries=$((tries + 1))
	done
	return 1
}

start() {
	command -v openssl >/dev/null || die "openssl is needed for the test certificates"
	mkdir -p "$dir/etc" "$dir/log" "$dir/mail/bounces/Maildir/new" \
	    "$dir/mail/bounces/Maildir/cur" "$dir/mail/bounces/Maildir/tmp" || exit 1
	pid=$(master_pid) && proc_alive "$pid" && die "$dir: already running (pid $pid)"
	identity
	test -s "$dir/tls/cert.pem" || make_certificates
	if test ! -s "$dir/password"; then
		(umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$dir/password" &&
		    echo >>"$dir/password") || exit 1
	fi
	chmod 600 "$dir/password"
	printf 'bounces:{PLAIN}%s::::::\n' "$(head -n 1 "$dir/password")" >"$dir/etc/passwd"
	chmod 640 "$dir/etc/passwd"
	if test "$(id -u)" -eq 0; then
		chgrp "$internal_group" "$dir/etc/passwd" &&
		    chmod 755 "$dir" && chown -R "$mail_uid:$mail_gid" "$dir/mail" || exit 1
		! command -v setpriv >/dev/null ||
		    setpriv --reuid="$mail_uid" --regid="$mail_gid" --clear-groups \
		    test -w "$dir/mail/bounces/Maildir/new" 2>/dev/null ||
		    die "$dir/mail is not writable by $mail_user (is a parent directory private?)"
	fi
	restart=no
	if test -s "$dir/env"; then
		. "$dir/env"
		restart=yes
	else
		pick_ports
	fi
	attempt=1
	while :; do
		write_config
		launch
		case $? in
		0)	break ;;
		2)	test $restart = no && test $attempt -lt 10 ||
			    fail_start "ports $IMAP_PORT-$POP3S_PORT are taken"
			kill_instance
			pick_ports
			attempt=$((attempt + 1)) ;;
		*)	fail_start "Dovecot failed to start, or was not listening within 5 s" ;;
		esac
	done
	write_env
}

fail_start() {
	echo "dovecot.sh: $dir: $1; the end of the log:" >&2
	tail -n 20 "$dir/log/start.out" "$dir/log/dovecot.log" >&2 2>/dev/null
	kill_instance
	exit 1
}

# wait_gone PID TENTHS: poll every 20 ms.
wait_gone() {
	n=0
	while proc_alive "$1" && test $n -lt $(($2 * 5)); do
		sleep 0.02
		n=$((n + 1))
	done
	! proc_alive "$1"
}

# group_running PGID: some process of the group has not exited yet (a zombie
# has). Reads /proc directly, as procps may be missing; the state and the group
# follow the ")" that closes the command name, which may itself hold spaces.
group_running() {
	cat /proc/[0-9]*/stat 2>/dev/null |
	    awk -v group="$1" '{ sub(/.*\) /, "") } $3 == group && $1 != "Z" && $1 != "X" { found = 1 }
		END { exit !found }'
}

# kill_instance: SIGKILL the process group (the master calls setsid: pgid = pid),
# wait until each of its processes has exited, and then remove the dotlocks
# they may have left in the mail. Dovecot breaks a dotlock at once when the PID
# written in it is gone, but an imap process killed between creating the lock
# and writing its PID leaves an empty one, which a restarted Dovecot waits 2
# minutes for. With the whole instance dead, every lock in its mail is stale.
kill_instance() {
	pid=$(master_pid) || return 0
	case $pid in *[!0-9]*|'') return 0 ;; esac
	proc_alive "$pid" || group_running "$pid" || { rm -f "$dir/run/master.pid"; return 0; }
	# "kill -KILL -- -PID" is an error in dash; "kill -KILL -PID" works everywhere.
	kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	n=0
	while group_running "$pid" && test $n -lt 150; do
		sleep 0.02
		n=$((n + 1))
	done
	if group_running "$pid"; then
		echo "dovecot.sh: $dir: killed processes still running after 3 s" >&2
	else
		find "$dir/mail" -name '*.lock' -type f -exec rm -f {} + 2>/dev/null
	fi
	rm -f "$dir/run/master.pid"
}

stop() {
	pid=$(master_pid) || return 0
	proc_alive "$pid" || { rm -f "$dir/run/master.pid"; return 0; }
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid" 50 || { echo "dovecot.sh: $dir: no exit within 5 s after SIGTERM; killing" >&2; kill_instance; }
	rm -f "$dir/run/master.pid"
}

maildir() {
	echo "$dir/mail/bounces/Maildir"
}

# deliver: move everything named DELIVER.* from tmp/ into new/, as Maildir
# delivery does: written in tmp/, then renamed.
deliver() {
	md=$(maildir)
	if test "$(id -u)" -eq 0; then
		identity
		find "$md/tmp" -name 'deliver.*' -exec chown "$mail_uid:$mail_gid" {} + || exit 1
	fi
	find "$md/tmp" -name 'deliver.*' -exec mv -t "$md/new" {} + || exit 1
}

load() {
	md=$(maildir)
	test -d "$md/tmp" || die "$dir: not started"
	stamp=$(date +%s)
	n=0
	for file in "$@"; do
		n=$((n + 1))
		cp "$file" "$md/tmp/deliver.$stamp.M${n}P$$.bouncescan-test" || exit 1
	done
	deliver
}

# load_dsn N: N RFC 3464 DSNs in four variants by sequence number modulo 4:
#   0 hard: 5.1.1 user unknown, with text/rfc822-headers
#   1 soft: 4.2.2 mailbox full, action failed, with the whole message/rfc822
#   2 block: 5.7.1 blocked using Spamhaus (the sending side's problem)
#   3 two recipients, both 5.1.1, one Diagnostic-Code folded
# Recipients are userN@example.net (and userN-b@example.org in variant 3), so
# every message's addresses are distinct. Expected per N: hard = n0 + 2 n3,
# soft = n1, block = n2, where nK = messages with sequence number % 4 == K.
load_dsn() {
	md=$(maildir)
	test -d "$md/tmp" || die "$dir: not started"
	case $1 in ''|*[!0-9]*) die "load-dsn: N must be a number" ;; esac
	awk -v n="$1" -v dir="$md/tmp" -v tag="$(date +%s).$$" \
	    -v date="$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')" -f /dev/stdin <<'EOF' || exit 1
function part(f, s) { printf "%s", s > f }
function recipient(f, rcpt, action, status, diagnostic) {
	part(f, "\nFinal-Recipient: rfc822; " rcpt "\nAction: " action "\nStatus: " status \
	    "\nRemote-MTA: dns; mx.example.net\nDiagnostic-Code: smtp; " diagnostic "\n")
}
BEGIN {
	for (i = 1; i <= n; i++) {
		f = dir "/deliver." tag ".M" i ".dsn"
		v = i % 4
		rcpt = "user" i "@example.net"
		b = "=_bound." i "." tag
		part(f, "Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mail.lists.example.org>\n")
		part(f, "To: bounces@lists.example.org\nDate: " date "\n")
		part(f, "Message-ID: <dsn." i "." tag "@mail.lists.example.org>\n")
		part(f, "X-Test-Sequence: " i "\n")
		part(f, "Subject: " (v == 1 ? "Delivery Status Notification (Delay and failure)" : "Undelivered Mail Returned to Sender") "\n")
		part(f, "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"" b "\"\n\n")
		part(f, "This is a delivery status notification in MIME format.\n\n--" b "\n")
		part(f, "Content-Type: text/plain; charset=us-ascii\n\n")
		part(f, "Your message to the list could not be delivered to one or more recipients.\n")
		part(f, ". A line starting with a dot, for the POP3 dot-stuffing check.\n\n--" b "\n")
		part(f, "Content-Type: message/delivery-status\n\n")
		part(f, "Reporting-MTA: dns; mail.lists.example.org\nArrival-Date: " date "\n")
		if (v == 0)
			recipient(f, rcpt, "failed", "5.1.1", "550 5.1.1 <" rcpt ">: Recipient address rejected: User unknown in virtual mailbox table")
		else if (v == 1)
			recipient(f, rcpt, "failed", "4.2.2", "452 4.2.2 <" rcpt ">: Mailbox full, quota exceeded")
		else if (v == 2)
			recipient(f, rcpt, "failed", "5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org")
		else {
			recipient(f, rcpt, "failed", "5.1.1", "550 5.1.1 <" rcpt ">: Recipient address rejected: User unknown in local recipient table")
			other = "user" i "-b@example.org"
			recipient(f, other, "failed", "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist.\n    550 5.1.1 Please check the address <" other "> for typos")
		}
		part(f, "\n--" b "\n")
		part(f, (v == 1 ? "Content-Type: message/rfc822\n\n" : "Content-Type: text/rfc822-headers\n\n"))
		part(f, "From: Weekly News <news@lists.example.org>\nTo: " rcpt "\nSubject: Weekly news, issue " i "\n")
		part(f, "Message-ID: <orig." i "." tag "@lists.example.org>\nX-Campaign-ID: weekly-" (i % 7) "\n")
		if (v == 1)
			part(f, "\nThis week on the list: nothing much.\n.\n.. two dots\n")
		part(f, "\n--" b "--\n")
		close(f)
	}
}
EOF
	deliver
}

count() {
	test $# -eq 1 || die "usage: dovecot.sh count DIR MAILBOX"
	out=$(doveadm -c "$dir/etc/dovecot.conf" -f flow mailbox status -u bounces messages "$1" 2>&1)
	# flow format: "MAILBOX messages=N" (the mailbox name may contain spaces)
	case $out in
	*"doesn't exist"*|*"does not exist"*) echo 0 ;;
	*" messages="*[0-9]) echo "${out##* messages=}" ;;
	*)	die "count $1: $out" ;;
	esac
}

test $# -ge 2 || die "usage: dovecot.sh start|load|load-dsn|count|stop|kill DIR [ARGS]"
command=$1
dir=$2
shift 2
dovecot=$(command -v dovecot || echo /usr/sbin/dovecot)
if test ! -x "$dovecot"; then
	test "$command" = kill || test "$command" = stop && exit 0
	echo "dovecot.sh: Dovecot is not installed (dovecot-imapd, dovecot-pop3d)" >&2
	exit 77
fi
case $dir in
/*)	;;
*)	if test ! -d "$dir"; then
		test "$command" = start || exit 0
		mkdir -p "$dir" || exit 1
	fi
	dir=$(cd "$dir" && pwd) ;;
esac
case $command in
start)	start ;;
load)	load "$@" ;;
load-dsn) test $# -eq 1 || die "usage: dovecot.sh load-dsn DIR N"; load_dsn "$1" ;;
count)	count "$@" ;;
stop)	stop ;;
kill)	kill_instance ;;
*)	die "unknown command $command" ;;
esac
