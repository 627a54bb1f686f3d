#!/bin/sh
# devmail.sh: the development "sendmail" of config/restauth.json. Keeps
# each message as a file in $RESTAUTH_MAILDIR (make run sets it to
# build/run-PORT/mail) and logs its recipient and first link to stderr,
# which the FastCGI programs share with lighttpd: make run's terminal.
set -eu
dir=${RESTAUTH_MAILDIR:-${TMPDIR:-/tmp}/restauth-mail}
mkdir -p "$dir"
f="$dir/$(date +%Y%m%d-%H%M%S)-$$.eml"
cat >"$f"
to=$(sed -n 's/^To: //p' "$f" | head -n 1)
link=$(grep -o 'https\?://[^ ]*' "$f" | head -n 1 || true)
echo "devmail: to $to: $link (saved in $f)" >&2
