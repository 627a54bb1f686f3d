#!/bin/sh
# run.sh BUILD [--check | --slow] [TEST...]: the test tiers.
#   (no option)  what a release needs: the unit tests, a short fuzz run,
#                then every HTTP and interop file but the slow ones
#   --check      the unit tests and the short fuzz run alone: no servers
#   --slow       the files that must run alone or take long (SLOW below)
#   TEST...      only those (tests/http/test_x.py or build/tests/test_y)
# Unit tests, then HTTP files, run TEST_JOBS (default: the core count) at
# a time; the HTTP files share one throwaway PostgreSQL cluster, each
# with its own databases and ports (tests/http/harness.py). A file in
# ALONE runs after the others, by itself. Each file's output is kept in
# BUILD/test-logs/NAME.log, the results are added up in file order.
# Ends with one line "N passed, M failed"; exit 1 on any failure.
set -u
BUILD=$(cd "$1" && pwd); shift
SRC=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
JOBS=${TEST_JOBS:-$(nproc)}
pass=0 fail=0
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
# The slow tier (make test-slow): a timing measurement and Chromium with
# its own timeouts, both of which a busy machine upsets, and the fault
# sweep (SIGKILLed workers timed back, hundreds of failed allocations).
SLOW="test_timing.py test_browser.py test_faults.py"
# Files that assume nothing else runs beside them: the slow tier, and
# test_dbrestart.py, which stops and starts the shared cluster.
ALONE="$SLOW test_dbrestart.py"

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

# in_list NAME LIST: whether NAME is a word of LIST.
in_list() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# run_files JOBS FILE...: run the test programs (a .py through python,
# a unit test from the source folder), JOBS at a time, each into its log
# and its exit status into the log's .rc; then tally them in order.
run_files() {
	jobs=$1; shift
	[ $# -gt 0 ] || return 0
	for t in "$@"; do rm -f "$LOGDIR/$(basename "$t").log.rc"; done
	printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c '
		out=$1/$(basename "$2").log
		case $2 in
		*.py) "$3" "$2" ;;
		*) cd "$4" && "$2" ;;
		esac >"$out" 2>&1
		echo $? >"$out.rc"' sh "$LOGDIR" {} "$PY" "$SRC"
	for t in "$@"; do
		out=$LOGDIR/$(basename "$t").log
		rc=$(cat "$out.rc" 2>/dev/null || echo "no status")
		rm -f "$out.rc"
		tally "$(basename "$t")" "$rc" "$out"
	done
}

# run_tier FILE...: the files not in ALONE side by side, TEST_JOBS at a
# time, then those in ALONE one after another.
run_tier() {
	together= alone=
	for t in "$@"; do
		if in_list "$(basename "$t")" "$ALONE"; then
			alone="$alone $t"
		else
			together="$together $t"
		fi
	done
	# shellcheck disable=SC2086 # the lists are words (paths without spaces)
	run_files "$JOBS" $together
	# shellcheck disable=SC2086
	run_files 1 $alone
}

units= https= fuzz=
tier=${1:-}
case $tier in
--check | --slow) shift ;;
*) tier= ;;
esac
if [ $# -gt 0 ]; then
	for t in "$@"; do
		case $t in *.py) https="$https $t" ;; *) units="$units $t" ;; esac
	done
elif [ "$tier" = --slow ]; then
	for n in $SLOW; do https="$https $SRC/tests/http/$n"; done
else
	units="$(ls "$BUILD"/tests/test_* 2>/dev/null) $SRC/tools/layers.py"
	fuzz=yes
	if [ "$tier" != --check ]; then
		for t in $(ls "$SRC"/tests/http/test_*.py \
		    "$SRC"/tests/interop/test_*.py 2>/dev/null); do
			in_list "$(basename "$t")" "$SLOW" || https="$https $t"
		done
	fi
fi

# shellcheck disable=SC2086
run_tier $units

# Each libFuzzer target briefly from its seeds (tests/fuzz/run_short.sh).
if [ -n "$fuzz" ]; then
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
	# shellcheck disable=SC2086
	run_tier $https
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
