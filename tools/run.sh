#!/bin/sh
# run.sh BUILD PORT CONFIG: serve the API with lighttpd + FastCGI on
# http://127.0.0.1:PORT/auth/ in the foreground until Ctrl-C.
# Without a DATABASE_URL (environment or config) it uses a private
# PostgreSQL cluster (tools/pg.sh) and a database named restauth_PORT.
set -eu
BUILD=$(cd "$1" && pwd)
PORT=$2
CONFIG=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
PREFIX=${PREFIX:-/auth/}
PROCS=${PROCS:-2}
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNDIR=$BUILD/run-$PORT
# program:path below the prefix; longer paths first, because lighttpd
# gives a request to the first prefix that matches.
PROGRAMS="password_reset_confirm:password/reset/confirm
password_change:password/change password_reset:password/reset
login:login logout:logout user:user
token_verify:token/verify token_refresh:token/refresh
verify_email:registration/verify-email resend_email:registration/resend-email
registration:registration"

[ -f "$CONFIG" ] || { echo "run: $CONFIG: no such config file" >&2; exit 1; }
command -v lighttpd >/dev/null || { echo "run: lighttpd missing (make deps)" >&2; exit 1; }
mkdir -p "$RUNDIR"
chmod 700 "$RUNDIR"

# A development secret, made once per build folder, unless one is given.
if [ -z "${SECRET_KEY:-}" ] && ! grep -q '"SECRET_KEY"' "$CONFIG"; then
	if [ ! -s "$BUILD/secret_key" ]; then
		(umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$BUILD/secret_key")
	fi
	SECRET_KEY=$(cat "$BUILD/secret_key")
	export SECRET_KEY
fi

PGDIR=
if [ -z "${DATABASE_URL:-}" ] && ! grep -q '"DATABASE_URL"' "$CONFIG"; then
	PGDIR=$("$SRC/tools/pg.sh" dir "$BUILD")
	"$SRC/tools/pg.sh" init "$PGDIR"
	[ "$(id -u)" = 0 ] && ln -sfn "$PGDIR" "$BUILD/pg" 2>/dev/null || true
	if ! [ -f "$PGDIR/data/postmaster.pid" ]; then
		"$SRC/tools/pg.sh" start "$PGDIR"
		touch "$PGDIR/started-by-run"
	fi
	"$SRC/tools/pg.sh" createdb "$PGDIR" "restauth_$PORT"
	DATABASE_URL=$("$SRC/tools/pg.sh" url "$PGDIR" "restauth_$PORT")
	export DATABASE_URL
fi
"$BUILD/restauth" -c "$CONFIG" migrate

# For the admin tool in another shell: . build/run-PORT/env
(umask 077
printf 'export RESTAUTH_CONFIG=%s\nexport DATABASE_URL=%s\n' "'$CONFIG'" "'${DATABASE_URL:-}'" >"$RUNDIR/env"
[ -n "${SECRET_KEY:-}" ] && printf 'export SECRET_KEY=%s\n' "'$SECRET_KEY'" >>"$RUNDIR/env")

# Register this run, so the last one out stops the cluster.
echo $$ >"$RUNDIR/run.pid"

FASTCGI= PATHS=
for entry in $PROGRAMS; do
	p=${entry%%:*} path=${entry#*:}
	[ -x "$BUILD/cgi-bin/$p.fcgi" ] || continue
	PATHS="$PATHS $path"
	FASTCGI="$FASTCGI	\"$PREFIX$path/\" => ((
		\"socket\" => \"$RUNDIR/$p.sock\",
		\"bin-path\" => \"$BUILD/cgi-bin/$p.fcgi\",
		\"max-procs\" => $PROCS,
		\"check-local\" => \"disable\",
		\"bin-environment\" => (
			\"RESTAUTH_CONFIG\" => \"$CONFIG\",
			\"DATABASE_URL\" => \"${DATABASE_URL:-}\",
			\"SECRET_KEY\" => \"${SECRET_KEY:-}\",
			\"RESTAUTH_MAILDIR\" => \"$RUNDIR/mail\",
		),
	)),
"
done
# A value lighttpd's parser would take apart must not reach the file.
case "${DATABASE_URL:-}${SECRET_KEY:-}" in
*\"*|*\\*) echo "run: DATABASE_URL and SECRET_KEY may not contain \" or \\" >&2; exit 1 ;;
esac
(umask 077
sed -e "s|@PORT@|$PORT|g" -e "s|@WWWDIR@|$SRC/www|g" -e "s|@RUNDIR@|$RUNDIR|g" \
	-e "s|@PREFIX@|$PREFIX|g" -e "s#@PATHS@#$(echo $PATHS | tr ' ' '|')#g" \
	"$SRC/www/lighttpd.conf.in" |
	awk -v f="$FASTCGI" '{ if ($0 == "@FASTCGI@") printf "%s", f; else print }' \
	>"$RUNDIR/lighttpd.conf")
lighttpd -tt -f "$RUNDIR/lighttpd.conf" >/dev/null

cleanup() {
	trap - INT TERM EXIT
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	rm -f "$RUNDIR/run.pid"
	if [ -n "$PGDIR" ] && [ -f "$PGDIR/started-by-run" ]; then
		others=0
		for f in "$BUILD"/run-*/run.pid; do
			[ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && others=1
		done
		if [ $others = 0 ]; then
			"$SRC/tools/pg.sh" stop "$PGDIR"
			rm -f "$PGDIR/started-by-run"
		fi
	fi
}
trap cleanup INT TERM EXIT

echo "restauth: serving http://127.0.0.1:$PORT$PREFIX (Ctrl-C stops; log: $RUNDIR/error.log)"
lighttpd -D -f "$RUNDIR/lighttpd.conf" &
LPID=$!
wait "$LPID"
