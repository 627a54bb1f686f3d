#!/bin/sh
# run.sh BUILD PORT CONFIG: serve the API on http://127.0.0.1:PORT/auth/
# in the foreground until Ctrl-C, through the web server SERVER names:
#   lighttpd      lighttpd + mod_fastcgi (the default)
#   apache        Apache 2.4 + mod_fcgid
#   nginx         nginx + one spawn-fcgi pool per program (tools/spawn-pools.sh)
#   apache-cgi    Apache 2.4 + mod_cgi: plain CGI, one process per request
#   lighttpd-cgi  lighttpd + mod_cgi: plain CGI
# Without a DATABASE_URL (environment or config) it uses a private
# PostgreSQL cluster (tools/pg.sh) and a database named restauth_PORT.
# Every server's config is made from PROGRAMS below and a template in www/,
# into build/run-PORT/. As root, Apache and nginx (and the programs they
# start) run as RUN_USER: www-data, or the owner of the database's unix
# socket folder when www-data cannot reach it (the private cluster's).
#
# run.sh --configs OUTDIR (make install): the same configs for an installed
# restauth, in OUTDIR, from the environment: BINDIR (the built programs),
# CGIDIR, CONFIG, WWWDIR (error pages), SOCKDIR (sockets, pids, logs),
# PROCS (processes per program, 4).
# No secrets: an installed restauth keeps them in its config file.
#
# Every exit says why on stderr, in one line starting "run: ": each
# command that can fail below ends in || die "...".
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/auth/}
SERVER=${SERVER:-lighttpd}
# program:path below the prefix; longer paths first, because lighttpd
# and Apache give a request to the first prefix that matches. Programs
# whose binary is not built are left out.
PROGRAMS="password_reset_confirm:password/reset/confirm
password_change:password/change password_reset:password/reset
login:login logout:logout user:user
token_verify:token/verify token_refresh:token/refresh
verify_email:registration/verify-email resend_email:registration/resend-email
registration:registration mfa:mfa"
nl='
'

die() {
	echo "run: $*" >&2
	exit 1
}

# Fill a template: each @NAME@ becomes $T_NAME (multi-line values too).
fill() {
	awk '
	function subst(line,    out, i, j, rest, name) {
		out = ""
		while ((i = index(line, "@")) > 0) {
			rest = substr(line, i + 1)
			j = index(rest, "@")
			name = substr(rest, 1, j - 1)
			if (j > 1 && name ~ /^[A-Z_]+$/ && ("T_" name) in ENVIRON) {
				out = out substr(line, 1, i - 1) ENVIRON["T_" name]
				line = substr(rest, j + 1)
			} else {
				out = out substr(line, 1, i)
				line = rest
			}
		}
		return out line
	}
	{ print subst($0) }' "$1"
}

# pieces SERVER: the parts of SERVER's config made from PROGRAMS (those
# built in BINDIR) and EXTRA_ENV ("NAME=value" lines the programs get
# besides RESTAUTH_CONFIG), as T_* for fill; the program names in NAMES.
pieces() {
	env= NAMES= paths= fastcgi= routes= locations=
	while IFS= read -r kv; do
		[ -n "$kv" ] || continue
		case $1 in
		lighttpd) env="$env			\"${kv%%=*}\" => \"${kv#*=}\",$nl" ;;
		lighttpd-cgi) env="$env	\"${kv%%=*}\" => \"${kv#*=}\",$nl" ;;
		apache) env="${env}FcgidInitialEnv ${kv%%=*} \"${kv#*=}\"$nl" ;;
		apache-cgi) env="$env	SetEnv ${kv%%=*} \"${kv#*=}\"$nl" ;;
		esac
	done <<EOF
$EXTRA_ENV
EOF
	for entry in $PROGRAMS; do
		p=${entry%%:*} path=${entry#*:}
		[ -x "$BINDIR/$p.fcgi" ] || continue
		NAMES="$NAMES $p"
		paths="$paths${paths:+|}$path"
		case $1 in
		lighttpd)
			fastcgi="$fastcgi	\"$PREFIX$path/\" => ((
		\"socket\" => \"$SOCKDIR/$p.sock\",
		\"bin-path\" => \"${WRAP:-}$CGIDIR/$p.fcgi\",
		\"min-procs\" => $PROCS,
		\"max-procs\" => $PROCS,
		\"check-local\" => \"disable\",
		\"bin-environment\" => (
			\"RESTAUTH_CONFIG\" => \"$CONFIG\",
$env		),
	)),
"
			;;
		lighttpd-cgi)
			# The target's "/" makes what follows the path
			# PATH_INFO (a family's route, mfa/ + "status/").
			routes="$routes	\"$PREFIX$path/\" => \"$CGIDIR/$p.fcgi/\",$nl"
			;;
		apache | apache-cgi)
			alias=AliasMatch
			[ "$1" = apache-cgi ] && alias=ScriptAliasMatch
			routes="$routes$alias \"^$PREFIX$path/\$\" \"$CGIDIR/$p.fcgi\"
$alias \"^$PREFIX$path/(.+)\$\" \"$CGIDIR/$p.fcgi/\$1\"
"
			;;
		nginx)
			locations="$locations	location $PREFIX$path/ {
		fastcgi_split_path_info \"(?s)^($PREFIX$path/)(.*)\$\";
		include /etc/nginx/fastcgi_params;
		fastcgi_param PATH_INFO \$fastcgi_path_info;
		fastcgi_pass unix:$SOCKDIR/$p.sock;
	}
"
			;;
		esac
	done
	[ -n "$NAMES" ] || die "no programs built in $BINDIR"
	export T_PATHS="$paths" T_FASTCGI="$fastcgi" T_ROUTES="${routes%"$nl"}" \
		T_LOCATIONS="${locations%"$nl"}" T_ENV="${env%"$nl"}" \
		T_PREFIX="$PREFIX" T_CGIDIR="$CGIDIR" T_CONFIG="$CONFIG" \
		T_PROCS="$PROCS" T_SOCKDIR="$SOCKDIR" T_WWWDIR="$WWWDIR"
}

# Values go into the server configs between double quotes: nothing there
# may end the string, escape, or (Apache) expand a variable.
check_values() {
	case "$*" in
	*\"* | *\\* | *"$nl"*) die "DATABASE_URL, SECRET_KEY and the paths may not contain \", \\ or a newline" ;;
	*'${'*) die "Apache would expand \${ in DATABASE_URL, SECRET_KEY or a path" ;;
	esac
}

if [ "${1:-}" = --configs ]; then
	[ $# -eq 2 ] || die "usage: run.sh --configs OUTDIR"
	: "${BINDIR:?}" "${CGIDIR:?}" "${CONFIG:?}" "${WWWDIR:?}" "${SOCKDIR:?}"
	check_values "$CGIDIR$CONFIG$WWWDIR$SOCKDIR$PREFIX"
	EXTRA_ENV= PROCS=${PROCS:-4}
	mkdir -p "$2" || die "cannot make $2"
	export T_PORT="${PORT:-80}" T_RUNDIR="$SOCKDIR"
	pieces lighttpd
	fill "$SRC/www/lighttpd.conf.in" >"$2/lighttpd.conf" ||
		die "cannot write $2/lighttpd.conf"
	pieces lighttpd-cgi
	fill "$SRC/www/cgi/lighttpd-cgi.conf.in" >"$2/lighttpd-cgi.conf" ||
		die "cannot write $2/lighttpd-cgi.conf"
	pieces apache
	fill "$SRC/www/apache-fcgid.conf.in" >"$2/apache-fcgid.conf" ||
		die "cannot write $2/apache-fcgid.conf"
	pieces apache-cgi
	fill "$SRC/www/cgi/apache-cgi.conf.in" >"$2/apache-cgi.conf" ||
		die "cannot write $2/apache-cgi.conf"
	pieces nginx
	fill "$SRC/www/nginx-restauth.conf.in" >"$2/nginx-restauth.conf" ||
		die "cannot write $2/nginx-restauth.conf"
	exit 0
fi

[ $# -eq 3 ] || die "usage: run.sh BUILD PORT CONFIG, or run.sh --configs OUTDIR"
BUILD=$(cd "$1" && pwd) || die "$1: no such build folder"
# RESTAUTH_WRAP="valgrind ...": a command lighttpd puts before each
# program (make valgrind); lighttpd splits bin-path at spaces.
WRAP=${RESTAUTH_WRAP:+$RESTAUTH_WRAP }
PORT=$2
PROCS=${PROCS:-2}
case $PORT in
'' | *[!0-9]*) die "PORT=$PORT: not a port number" ;;
esac
CONFIG=$(cd "$(dirname "$3")" && pwd)/$(basename "$3") ||
	die "$3: its folder does not exist"
RUNDIR=$BUILD/run-$PORT
BINDIR=$BUILD/cgi-bin CGIDIR=$BUILD/cgi-bin WWWDIR=$SRC/www SOCKDIR=$RUNDIR
[ "$SERVER" = nginx ] && SOCKDIR=$RUNDIR/pools

[ -f "$CONFIG" ] || die "$CONFIG: no such config file"
case $SERVER in
lighttpd | lighttpd-cgi) need=lighttpd ;;
apache | apache-cgi) need=apache2 ;;
nginx) need=nginx ;;
*) die "SERVER=$SERVER: not lighttpd, apache, nginx, apache-cgi or lighttpd-cgi" ;;
esac
PATH=$PATH:/usr/sbin:/sbin
command -v $need >/dev/null || die "$need missing (make deps)"
if [ "$SERVER" = apache ] && ! [ -f /usr/lib/apache2/modules/mod_fcgid.so ]; then
	die "mod_fcgid missing (make deps)"
fi
mkdir -p "$RUNDIR" && chmod 700 "$RUNDIR" || die "cannot make $RUNDIR"

# A development secret, made once per build folder, unless one is given:
# 64 hex digits from /dev/urandom (256 bits), always long and varied
# enough for the programs' SECRET_KEY rule. A key file left by an older
# make run that is shorter than 50 characters is made again.
new_secret() {
	(umask 077
	od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$BUILD/secret_key.new" &&
		mv "$BUILD/secret_key.new" "$BUILD/secret_key") ||
		die "cannot write a SECRET_KEY to $BUILD/secret_key"
}
if [ -z "${SECRET_KEY:-}" ] && ! grep -q '"SECRET_KEY"' "$CONFIG"; then
	key=$(cat "$BUILD/secret_key" 2>/dev/null) || key=
	if [ ${#key} -lt 50 ]; then
		new_secret
		key=$(cat "$BUILD/secret_key") || die "cannot read $BUILD/secret_key"
	fi
	[ ${#key} -ge 50 ] || die "$BUILD/secret_key: too short (is /dev/urandom readable?)"
	SECRET_KEY=$key
	export SECRET_KEY
fi

PGDIR=
if [ -z "${DATABASE_URL:-}" ] && ! grep -q '"DATABASE_URL"' "$CONFIG"; then
	PGDIR=$("$SRC/tools/pg.sh" dir "$BUILD") ||
		die "no folder for the private PostgreSQL cluster (tools/pg.sh dir)"
	"$SRC/tools/pg.sh" init "$PGDIR" ||
		die "cannot make the private PostgreSQL cluster in $PGDIR"
	[ "$(id -u)" = 0 ] && ln -sfn "$PGDIR" "$BUILD/pg" 2>/dev/null || true
	if ! [ -f "$PGDIR/data/postmaster.pid" ]; then
		"$SRC/tools/pg.sh" start "$PGDIR" ||
			die "cannot start the private PostgreSQL cluster in $PGDIR"
		touch "$PGDIR/started-by-run" || die "cannot write in $PGDIR"
	fi
	"$SRC/tools/pg.sh" createdb "$PGDIR" "restauth_$PORT" ||
		die "cannot make the database restauth_$PORT in $PGDIR"
	DATABASE_URL=$("$SRC/tools/pg.sh" url "$PGDIR" "restauth_$PORT") ||
		die "no URL for the database restauth_$PORT (tools/pg.sh url)"
	export DATABASE_URL
fi
# (restauth names the config key or database error in the line above.)
"$BUILD/restauth" -c "$CONFIG" migrate ||
	die "restauth migrate failed with $CONFIG (the line above says why)"

# For the admin tool in another shell: . build/run-PORT/env
(umask 077
printf 'export RESTAUTH_CONFIG=%s\nexport DATABASE_URL=%s\n' "'$CONFIG'" "'${DATABASE_URL:-}'" >"$RUNDIR/env"
if [ -n "${SECRET_KEY:-}" ]; then
	printf 'export SECRET_KEY=%s\n' "'$SECRET_KEY'" >>"$RUNDIR/env"
fi) || die "cannot write $RUNDIR/env"

# Register this run, so the last one out stops the cluster.
echo $$ >"$RUNDIR/run.pid" || die "cannot write $RUNDIR/run.pid"

check_values "${DATABASE_URL:-}${SECRET_KEY:-}$CONFIG$BUILD$SRC"
EXTRA_ENV="${DATABASE_URL:+DATABASE_URL=$DATABASE_URL$nl}${SECRET_KEY:+SECRET_KEY=$SECRET_KEY$nl}"

# As root, who Apache's and nginx's workers and programs run as.
RUN_USER=${RUN_USER:-} RUN_GROUP=
case $SERVER in apache | apache-cgi | nginx)
	if [ "$(id -u)" = 0 ]; then
		if [ -z "$RUN_USER" ]; then
			RUN_USER=www-data
			id "$RUN_USER" >/dev/null 2>&1 || RUN_USER=nobody
			sock=$(printf %s "${DATABASE_URL:-}" |
				sed -n 's/.*[?& ]host=\(\/[^& ]*\).*/\1/p')
			if [ -n "$sock" ] && [ -d "$sock" ] &&
				! runuser -u "$RUN_USER" -- test -x "$sock"; then
				RUN_USER=$(stat -c %U "$sock")
			fi
		fi
		RUN_GROUP=$(id -gn "$RUN_USER") || die "RUN_USER=$RUN_USER: no such user"
		runuser -u "$RUN_USER" -- test -r "$CONFIG" ||
			die "$RUN_USER (RUN_USER) cannot read $CONFIG: it and each folder above it must be open to others"
		runuser -u "$RUN_USER" -- test -x "$CGIDIR" ||
			die "$RUN_USER (RUN_USER) cannot enter $CGIDIR: each folder above it must be searchable by others"
		# The run folder: open to RUN_USER's group, its files root's.
		{ chgrp "$RUN_GROUP" "$RUNDIR" && chmod 750 "$RUNDIR" &&
			mkdir -p "$RUNDIR/mail" &&
			chown "$RUN_USER:$RUN_GROUP" "$RUNDIR/mail"; } ||
			die "cannot open $RUNDIR to $RUN_USER"
	fi
	;;
esac

# Folders the server's workers use: the group's, like the run folder.
case $SERVER in
apache) subdirs="apache fcgid" ;;
apache-cgi) subdirs=apache ;;
nginx) subdirs="nginx pools" ;;
*) subdirs= ;;
esac
for d in $subdirs; do
	mkdir -p "$RUNDIR/$d" || die "cannot make $RUNDIR/$d"
	if [ -n "$RUN_USER" ]; then
		{ chgrp "$RUN_GROUP" "$RUNDIR/$d" && chmod 750 "$RUNDIR/$d"; } ||
			die "cannot open $RUNDIR/$d to $RUN_USER"
	fi
done
if [ -n "$RUN_USER" ] && [ "$SERVER" = apache ]; then
	chown "$RUN_USER" "$RUNDIR/fcgid" || die "cannot give $RUNDIR/fcgid to $RUN_USER"
fi

pieces "$SERVER"
export T_PORT="$PORT" T_RUNDIR="$RUNDIR" T_WWWDIR="$WWWDIR"
umask 077
case $SERVER in
lighttpd | lighttpd-cgi)
	CONF=$RUNDIR/lighttpd.conf
	fill "$SRC/www/lighttpd.conf.in" >"$CONF" || die "cannot write $CONF"
	if [ "$SERVER" = lighttpd-cgi ]; then
		{ fill "$SRC/www/cgi/lighttpd-cgi.conf.in" >"$RUNDIR/restauth-cgi.conf" &&
			echo "include \"$RUNDIR/restauth-cgi.conf\"" >>"$CONF"; } ||
			die "cannot write $RUNDIR/restauth-cgi.conf"
	fi
	lighttpd -tt -f "$CONF" >/dev/null || die "lighttpd refuses $CONF"
	set -- lighttpd -D -f "$CONF"
	;;
apache | apache-cgi)
	CONF=$RUNDIR/apache.conf
	if [ "$SERVER" = apache ]; then
		T_MODULES="LoadModule fcgid_module /usr/lib/apache2/modules/mod_fcgid.so"
		tpl=$SRC/www/apache-fcgid.conf.in
	else
		T_MODULES="LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so"
		tpl=$SRC/www/cgi/apache-cgi.conf.in
	fi
	fill "$tpl" >"$RUNDIR/restauth-apache.conf" ||
		die "cannot write $RUNDIR/restauth-apache.conf"
	T_USER_GROUP=
	[ -n "$RUN_USER" ] && T_USER_GROUP="User $RUN_USER${nl}Group $RUN_GROUP"
	export T_MODULES T_USER_GROUP T_RESTAUTH_CONF="$RUNDIR/restauth-apache.conf"
	fill "$SRC/www/apache-server.conf.in" >"$CONF" || die "cannot write $CONF"
	out=$(apache2 -t -f "$CONF" 2>&1) || { echo "$out" >&2; die "apache2 refuses $CONF"; }
	# Apache's own group: stopping, Apache signals its whole process
	# group, which would end this script before its cleanup.
	set -- setsid apache2 -f "$CONF" -DFOREGROUND
	;;
nginx)
	CONF=$RUNDIR/nginx.conf
	T_USER=
	[ -n "$RUN_USER" ] && T_USER="user $RUN_USER $RUN_GROUP;"
	export T_USER T_RESTAUTH_CONF="$RUNDIR/nginx-restauth.conf"
	{ fill "$SRC/www/nginx-restauth.conf.in" >"$RUNDIR/nginx-restauth.conf" &&
		fill "$SRC/www/nginx.conf.in" >"$CONF"; } || die "cannot write $CONF"
	nginx -t -q -p "$RUNDIR/nginx" -e "$RUNDIR/error.log" -c "$CONF" ||
		die "nginx refuses $CONF"
	set -- nginx -p "$RUNDIR/nginx" -e "$RUNDIR/error.log" -c "$CONF" -g "daemon off;"
	;;
esac
umask 022

cleanup() {
	trap - INT TERM EXIT
	# (Apache exits non-zero on SIGTERM: that must not end the cleanup.)
	if [ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null; then
		wait "$LPID" 2>/dev/null || true
	fi
	if [ "$SERVER" = nginx ]; then
		"$SRC/tools/spawn-pools.sh" stop "$SOCKDIR" || true
	fi
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
# A stop by signal says so, and exits as the signal would have.
trap 'cleanup; echo "run: stopped by SIGINT" >&2; exit 130' INT
trap 'cleanup; echo "run: stopped by SIGTERM" >&2; exit 143' TERM
trap cleanup EXIT

if [ "$SERVER" = nginx ]; then
	# The programs get the environment: RESTAUTH_CONFIG, and DATABASE_URL
	# and SECRET_KEY, exported above when this run chose them.
	# shellcheck disable=SC2086 # $NAMES is the list of programs
	RESTAUTH_CONFIG=$CONFIG \
		"$SRC/tools/spawn-pools.sh" start -n "$PROCS" \
		${RUN_USER:+-u "$RUN_USER" -w "$RUN_USER"} \
		"$CGIDIR" "$SOCKDIR" $NAMES ||
		die "cannot start the spawn-fcgi pools in $SOCKDIR"
fi

echo "restauth: serving http://127.0.0.1:$PORT$PREFIX with $SERVER (Ctrl-C stops; log: $RUNDIR/error.log)"
"$@" &
LPID=$!
# (A signal to this script runs its trap above, which exits.)
rc=0
wait "$LPID" || rc=$?
die "$SERVER stopped by itself with status $rc (see $RUNDIR/error.log)"
