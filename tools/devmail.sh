#!/bin/sh
# devmail.sh [DIR]: the development "sendmail" of config/restauth.json.
# Keeps each message as a file in DIR (default: build/mail beside this
# script's folder; sendmail commands get no environment of ours, so the
# folder cannot come from there) and logs its recipient and first link
# to stderr, which the mail drainer shares with lighttpd: make run's
# terminal. Options after DIR (-t, -i) are ignored.
set -eu
case ${1:-} in
"" | -*) dir=$(dirname "$0")/../build/mail ;;
*) dir=$1 ;;
esac
mkdir -p "$dir"
f="$dir/$(date +%Y%m%d-%H%M%S)-$$.eml"
cat >"$f"
to=$(sed -n 's/^To: //p' "$f" | head -n 1)
link=$(grep -o 'https\?://[^ ]*' "$f" | head -n 1 || true)
echo "devmail: to $to: $link (saved in $f)" >&2
