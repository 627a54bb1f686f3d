#!/bin/sh
# run.sh BUILD [TEST...]: run the unit tests, then the HTTP tests against
# a throwaway PostgreSQL cluster and lighttpd stacks on free ports.
# With TEST arguments (tests/http/test_x.py or build/tests/test_y), only
# those. Ends with one line "N passed, M failed"; exit 1 on any failure.
set -u
BUILD=$(cd "$1" && pwd); shift
SRC=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
pass=0 fail=0
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"

# Add up one test program's "X: N passed, M failed" lines; a program that
# fails without saying so counts as one failure.
tally() {
	name=$1 rc=$2 out=$3
	p=$(sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p' "$out" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "FAIL $name exited $rc" >>"$out"
	fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" != 0 ]; then
		echo "== $name: $p passed, $f failed"
		grep -E "^(FAIL|Traceback|  File|[A-Za-z]*Error)" "$out" | head -n 40
	else
		echo "== $name: $p passed"
	fi
}

units= https=
if [ $# -gt 0 ]; then
	for t in "$@"; do
		case $t in *.py) https="$https $t" ;; *) units="$units $t" ;; esac
	done
else
	units=$(ls "$BUILD"/tests/test_* 2>/dev/null)
	fuzz=yes
	https=$(ls "$SRC"/tests/http/test_*.py "$SRC"/tests/interop/test_*.py \
		2>/dev/null)
fi

for t in $units; do
	out=$LOGDIR/$(basename "$t").log
	(cd "$SRC" && "$t") >"$out" 2>&1
	tally "$(basename "$t")" $? "$out"
done

# Each libFuzzer target briefly from its seeds (tests/fuzz/run_short.sh).
if [ -n "${fuzz:-}" ]; then
	out=$LOGDIR/fuzz.log
	(cd "$SRC" && make -s -j"$(nproc)" BUILD="$BUILD" fuzz-bin &&
		tests/fuzz/run_short.sh "$BUILD") >"$out" 2>&1
	tally fuzz $? "$out"
fi

if [ -n "$https" ]; then
	PGDIR=$(mktemp -d /tmp/restauth-test-pg.XXXXXX)
	chmod 755 "$PGDIR"
	cleanup() {
		"$SRC/tools/pg.sh" stop "$PGDIR/cluster" >/dev/null 2>&1
		rm -rf "$PGDIR"
	}
	trap cleanup EXIT INT TERM
	if ! PG_FAST=1 "$SRC/tools/pg.sh" init "$PGDIR/cluster" ||
	   ! PG_FAST=1 "$SRC/tools/pg.sh" start "$PGDIR/cluster"; then
		echo "FAIL: could not start the test PostgreSQL cluster"
		fail=$((fail + 1))
		https=
	fi
	export RESTAUTH_TEST_PGDIR="$PGDIR/cluster" RESTAUTH_BUILD="$BUILD" \
		RESTAUTH_SRC="$SRC"
	for t in $https; do
		out=$LOGDIR/$(basename "$t").log
		$PY "$t" >"$out" 2>&1
		tally "$(basename "$t")" $? "$out"
	done
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
