#!/bin/sh
# fuzz.sh: build tests/fuzz_classify.c with clang and libFuzzer, then fuzz classify()
# for a bounded time over a seed corpus made from tests/fixtures ("make fuzz").
#
#     fuzz.sh SRCDIR WORKDIR [SECONDS]
#
# The classifier is configured and built a second time in WORKDIR/build with clang's
# coverage instrumentation and ASan+UBSan, since a gcc-built library gives libFuzzer
# nothing to steer by. Exit status 0 when the run found nothing; otherwise the
# fuzzer's output ends the log and the input that broke it is in WORKDIR/findings/.
set -eu
src=$(cd "$1" && pwd)
work=$2
seconds=${3:-60}
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

command -v clang >/dev/null 2>&1 || { echo "fuzz.sh: clang is not installed" >&2; exit 1; }
mkdir -p "$work/build" "$work/corpus" "$work/findings"
work=$(cd "$work" && pwd)
cd "$work/build"
if [ ! -f config.status ]; then
	echo "fuzz.sh: configuring a clang build in $work/build"
	"$src/configure" -q CC=clang \
	    CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $sanitize"
fi
make -s -C classifier libclassifier.a
libs=$(sed -n 's/^LIBETPAN_LIBS = //p; s/^PCRE2_LIBS = //p' Makefile | tr '\n' ' ')
# shellcheck disable=SC2086
clang -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer $sanitize \
    -include config.h -I"$src/classifier" "$src/tests/fuzz_classify.c" \
    classifier/libclassifier.a $libs -o fuzz_classify

# Seeds: the fixtures (bounces of every kind we know); libFuzzer adds what it finds.
for f in "$src"/tests/fixtures/*.eml; do
	cp "$f" "$work/corpus/seed-$(basename "$f")"
done
echo "fuzz.sh: fuzzing classify() for $seconds s (log: $work/fuzz.log)"
if ./fuzz_classify -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/findings/" \
    "$work/corpus" >"$work/fuzz.log" 2>&1; then
	grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/fuzz.log" || true
	echo "fuzz.sh: no finding"
	exit 0
fi
tail -n 60 "$work/fuzz.log"
echo "fuzz.sh: FINDING: reproduce with $work/build/fuzz_classify $work/findings/*" >&2
exit 1
