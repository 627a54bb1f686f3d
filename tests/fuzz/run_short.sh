#!/bin/sh
# run_short.sh BUILD [SECONDS]: run every built libFuzzer target in
# BUILD/fuzz/ at once for SECONDS (FUZZ_SHORT_TIME, default 10) from its
# seeds in tests/fuzz/corpus/NAME/. A clean run is one passed test; a
# crash, leak or timeout is one failure, its reproducer left in
# BUILD/fuzz/NAME-*. Ends with "run_short: N passed, M failed" (tests/run.sh
# adds it up). Longer runs: make fuzz FUZZ_TIME=36000.
set -u
BUILD=$(cd "$1" && pwd)
SECS=${2:-${FUZZ_SHORT_TIME:-10}}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0 names=
for bin in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	names="$names $name"
	# What the fuzzer finds goes to a scratch folder, not to git's seeds.
	work=$BUILD/fuzz/short-$name
	rm -rf "$work" "$BUILD/fuzz/$name.rc"
	mkdir -p "$work"
	("$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$BUILD/fuzz/$name-" "$work" \
		"$SRC/tests/fuzz/corpus/$name" >"$BUILD/fuzz/$name.log" 2>&1
	echo $? >"$BUILD/fuzz/$name.rc") &
done
wait
for name in $names; do
	if [ "$(cat "$BUILD/fuzz/$name.rc" 2>/dev/null)" = 0 ]; then
		pass=$((pass + 1))
		echo "ok fuzz_$name ($(ls "$BUILD/fuzz/short-$name" | wc -l) new inputs)"
	else
		fail=$((fail + 1))
		echo "FAIL fuzz_$name: see $BUILD/fuzz/$name.log"
		grep -E "^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" \
			"$BUILD/fuzz/$name.log" | head -n 5
	fi
	rm -rf "$BUILD/fuzz/short-$name" "$BUILD/fuzz/$name.rc"
done
[ -n "$names" ] || { echo "FAIL no fuzz targets in $BUILD/fuzz"; fail=1; }
echo "run_short: $pass passed, $fail failed"
[ "$fail" = 0 ]
