"""genutil.py: what the gen_*.py scripts that print known-answer tables
share (run with /usr/bin/python3, Debian's Django)."""
import datetime


def c_str(s):
    """s (str, or bytes as they are) as a C literal: UTF-8, '"' and '\\'
    escaped, other bytes outside printable ASCII in octal."""
    out = '"'
    for b in s if isinstance(s, bytes) else s.encode():
        if b in (0x22, 0x5C):
            out += "\\" + chr(b)
        elif 0x20 <= b < 0x7F:
            out += chr(b)
        else:
            out += "\\%03o" % b
    return out + '"'


def at_fixed_time(base):
    """A subclass of the token generator class base made with
    (secret, now): its clock stands at epoch second now, as a naive UTC
    time (restauth counts seconds since 2001-01-01 in UTC)."""
    class Gen(base):
        def __init__(self, secret, now):
            self.secret = secret
            self.now = now
            super().__init__()

        def _now(self):
            return datetime.datetime.utcfromtimestamp(self.now)
    return Gen
