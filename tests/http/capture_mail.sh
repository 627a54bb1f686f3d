#!/bin/sh
# capture_mail.sh DIR [sendmail options...]: a sendmail stand-in for the
# HTTP tests. Stores the message on standard input as a new file in DIR
# and exits 0; options after DIR (-t, -i, ...) are ignored. The file is
# written as DIR/.tmp-PID first, then renamed, so a reader never sees half
# a message. The final name, uptime-in-centiseconds-PID.eml, is unique (a
# PID comes back only long after); order messages by mtime.
# Only two programs run besides the shell (cat, mv): the timing test
# measures the server while this runs.
set -eu
[ $# -ge 1 ] || { echo "usage: capture_mail.sh DIR [-t -i ...]" >&2; exit 64; }
dir=$1
[ -d "$dir" ] || mkdir -p "$dir"
tmp=$dir/.tmp-$$
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
read -r up _ </proc/uptime
mv "$tmp" "$dir/${up%.*}${up#*.}-$$.eml"
trap - EXIT
exit 0
