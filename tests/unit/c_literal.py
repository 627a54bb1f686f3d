"""c_literal.py: Python strings as C string literals, for the gen_*.py
scripts that print known-answer tables."""


def c_str(s):
    """s as a C literal: UTF-8, '"' and '\\' escaped, other bytes outside
    printable ASCII in octal."""
    out = '"'
    for b in s.encode():
        if b in (0x22, 0x5C):
            out += "\\" + chr(b)
        elif 0x20 <= b < 0x7F:
            out += chr(b)
        else:
            out += "\\%03o" % b
    return out + '"'
