#!/bin/sh
# slow_mail.sh SECONDS [DIR [sendmail options...]]: a sendmail stand-in
# that takes SECONDS (a real MTA hand-off is not instant), then stores the
# message like capture_mail.sh in DIR, or drops it when DIR is absent or
# "-". Its environment goes to DIR/env-PID.txt too, and its scheduling
# (sched-PID.txt: "policy nice", /proc's numbers), so that tests can see
# what the command was given and how it ran.
set -eu
[ $# -ge 1 ] || { echo "usage: slow_mail.sh SECONDS [DIR ...]" >&2; exit 64; }
secs=$1
dir=${2:--}
sleep "$secs"
if [ "$dir" = - ]; then
	cat >/dev/null
	exit 0
fi
env >"$dir/.env-$$"
mv "$dir/.env-$$" "$dir/env-$$.txt"
# /proc/PID/stat after the command name: field 19 is nice, 41 the policy.
read -r stat </proc/$$/stat
set -- ${stat##*) }
echo "${39} ${17}" >"$dir/.sched-$$"
mv "$dir/.sched-$$" "$dir/sched-$$.txt"
exec "$(dirname "$0")/capture_mail.sh" "$dir"
