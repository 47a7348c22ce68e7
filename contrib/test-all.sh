#!/bin/sh
# test-all.sh: the whole test suite, exactly as CI runs it (.ci/run calls this).
#
#   1. a plain build and "make check"                       (in build/)
#   2. an ASan+UBSan build and "make check"                 (in build-asan/)
#   3. a bounded libFuzzer run on classify() ("make fuzz")  (FUZZ_SECONDS, default 60)
#
# Builds are out of tree, beside the sources, so both can exist at once; run it from
# anywhere. Needs the packages listed in README.md. Exit status 0 when all passed.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-60}

if [ -f "$src/config.status" ]; then
	echo "test-all.sh: the source tree is configured in place;" \
	    "run \"make distclean\" there first" >&2
	exit 1
fi
[ -x "$src/configure" ] || ./autogen.sh

# build_and_check DIR [CONFIGURE-ARGS...]: configure once, build, make check.
build_and_check() {
	dir=$1
	shift
	mkdir -p "$src/$dir"
	cd "$src/$dir"
	[ -f config.status ] || "$src/configure" -q "$@"
	make -s -j"$jobs"
	if ! make -s -j"$jobs" check; then
		cat tests/test-suite.log >&2 || true
		echo "test-all.sh: make check failed in $dir" >&2
		exit 1
	fi
	passed=$((passed + $(sed -n 's/^# PASS: *//p' tests/test-suite.log)))
	cd "$src"
}

passed=0
echo "== make check (build/)"
build_and_check build
echo "== make check under AddressSanitizer and UBSan (build-asan/)"
build_and_check build-asan --enable-sanitizers
echo "== make fuzz, $fuzz_seconds s (build/)"
make -s -C "$src/build" fuzz FUZZ_SECONDS="$fuzz_seconds"
passed=$((passed + 1))
echo "test-all: $passed passed, 0 failed"
