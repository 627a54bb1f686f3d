#!/bin/sh
# spawn-pools.sh: one FastCGI pool per restauth program, for nginx (or any
# server that connects to FastCGI sockets and does not start programs).
#
#   spawn-pools.sh start [-n PROCS] [-u USER] [-w WEBUSER] CGIDIR RUNDIR [PROGRAM...]
#       For each PROGRAM (default: every CGIDIR/*.fcgi), spawn-fcgi binds
#       RUNDIR/PROGRAM.sock and starts multiwatch, which runs PROCS (2)
#       copies of CGIDIR/PROGRAM.fcgi on that socket and restarts one that
#       dies (SIGTERM stops them: libfcgi takes multiwatch's default,
#       SIGUSR1, as "stop after the next request"). The pool's pid goes to RUNDIR/PROGRAM.pid. Returns once every
#       socket is there; the pools run on in the background.
#       As root: -u runs the programs as USER (and its group), -w gives the
#       sockets to WEBUSER (the user nginx's workers run as), mode 0660.
#   spawn-pools.sh stop RUNDIR
#       Stops every pool that has a pid file in RUNDIR, and waits for it.
#
# The programs get this script's environment (RESTAUTH_CONFIG, and
# DATABASE_URL/SECRET_KEY if they are not in the config file) and its
# standard error, where they log. spawn-fcgi runs with -n, so nothing is
# daemonised: a process supervisor (systemd, www/systemd/) or the caller
# keeps the pools.
set -eu

die() {
	echo "spawn-pools: $*" >&2
	exit 1
}

# A pid file names a live pool only if that process is still multiwatch
# (pids are reused).
alive() {
	[ -f "$1" ] || return 1
	pid=$(cat "$1" 2>/dev/null) || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q multiwatch
}

# A process that is there and not a zombie (a pool outlives the shell that
# started it, and its new parent may be slow to reap it).
running() {
	kill -0 "$1" 2>/dev/null || return 1
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$state" != Z ]
}

stop_pools() {
	dir=$1
	pids=
	for f in "$dir"/*.pid; do
		[ -f "$f" ] || continue
		if alive "$f"; then
			kill -TERM "$pid" 2>/dev/null || true
			pids="$pids $pid"
		fi
	done
	# multiwatch passes the signal on and exits when its children have.
	i=0
	for pid in $pids; do
		while running "$pid" && [ $i -lt 200 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		if running "$pid"; then
			pkill -KILL -P "$pid" 2>/dev/null || true
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for f in "$dir"/*.pid; do
		[ -f "$f" ] || continue
		rm -f "$f" "${f%.pid}.sock"
	done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
start)
	procs=2 user= webuser=
	while getopts n:u:w: opt; do
		case $opt in
		n) procs=$OPTARG ;;
		u) user=$OPTARG ;;
		w) webuser=$OPTARG ;;
		*) exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 2 ] || die "usage: spawn-pools.sh start [-n PROCS] [-u USER] [-w WEBUSER] CGIDIR RUNDIR [PROGRAM...]"
	case $procs in '' | *[!0-9]* | 0) die "-n wants a number of processes" ;; esac
	cgidir=$1 dir=$2
	shift 2
	command -v spawn-fcgi >/dev/null || die "spawn-fcgi missing (make deps)"
	command -v multiwatch >/dev/null || die "multiwatch missing (make deps)"
	[ -d "$cgidir" ] || die "$cgidir: no such folder"
	if [ $# -eq 0 ]; then
		for f in "$cgidir"/*.fcgi; do
			[ -x "$f" ] || continue
			f=${f##*/}
			set -- "$@" "${f%.fcgi}"
		done
	fi
	[ $# -gt 0 ] || die "no programs in $cgidir"
	mkdir -p "$dir"
	owner=
	if [ -n "$user" ]; then
		owner="-u $user -g $(id -gn "$user")"
	fi
	if [ -n "$webuser" ]; then
		owner="$owner -U $webuser -G $(id -gn "$webuser")"
	fi
	for p in "$@"; do
		[ -x "$cgidir/$p.fcgi" ] || { stop_pools "$dir"; die "$cgidir/$p.fcgi: no such program"; }
		alive "$dir/$p.pid" && { stop_pools "$dir"; die "$p: a pool already runs ($dir/$p.pid)"; }
		# shellcheck disable=SC2086 # $owner is a list of options
		spawn-fcgi -n -s "$dir/$p.sock" -M 0660 $owner -- \
			"$(command -v multiwatch)" -f "$procs" -s TERM -- "$cgidir/$p.fcgi" &
		echo $! >"$dir/$p.pid"
	done
	# spawn-fcgi binds the socket, then becomes multiwatch: wait for both.
	i=0
	for p in "$@"; do
		until [ -S "$dir/$p.sock" ] && alive "$dir/$p.pid"; do
			if ! running "$(cat "$dir/$p.pid")" || [ $i -ge 200 ]; then
				stop_pools "$dir"
				die "$p: the pool did not start"
			fi
			sleep 0.05
			i=$((i + 1))
		done
	done
	;;
stop)
	[ $# -eq 1 ] || die "usage: spawn-pools.sh stop RUNDIR"
	stop_pools "$1"
	;;
*)
	echo "usage: spawn-pools.sh start [-n PROCS] [-u USER] [-w WEBUSER] CGIDIR RUNDIR [PROGRAM...]" >&2
	echo "       spawn-pools.sh stop RUNDIR" >&2
	exit 2
	;;
esac
