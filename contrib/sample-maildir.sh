#!/bin/sh
# sample-maildir.sh DEST: copy the sample bounce mailbox (sample-maildir/, beside
# this script) to DEST, a new directory, for the README's first command.
#
# The copy is what a scan may change (a scan moves each message to .Processed or
# .Unrecognized), so the sample in the source tree stays as it is. Its Date
# headers are moved forward by one amount so that the newest message is ten
# minutes old and the others keep their distance from it: soft bounces count by
# the UTC day of their Date within the soft_window_days (30) before the scan, so
# the sample's own dates would stop counting a month after they were written.
# Needs GNU date (coreutils).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DEST" >&2
	exit 64
fi
sample=$(dirname "$0")/sample-maildir
dest=$1
if [ -e "$dest" ]; then
	echo "$0: $dest exists; give a new directory" >&2
	exit 1
fi

# The Date header of a message (the first, in its header), as Unix seconds.
date_of() {
	date -u -d "$(sed -n '/^$/q; s/^Date: //p' "$1" | head -n 1)" +%s
}

mkdir -p "$dest/tmp"
cp -R "$sample/cur" "$sample/new" "$dest/"
chmod -R u+w "$dest"	# a sample read-only (an unpacked "make distcheck") gives a read-only copy
newest=0
for f in "$dest"/cur/* "$dest"/new/*; do
	t=$(date_of "$f")
	if [ "$t" -gt "$newest" ]; then
		newest=$t
	fi
done
shift=$(($(date +%s) - 600 - newest))
for f in "$dest"/cur/* "$dest"/new/*; do
	t=$(($(date_of "$f") + shift))
	moved=$(LC_ALL=C date -u -d "@$t" '+%a, %d %b %Y %H:%M:%S +0000')
	sed "1,/^\$/ s/^Date: .*/Date: $moved/" "$f" >"$f.new"
	mv "$f.new" "$f"
done
