#!/usr/bin/python3
"""
gen_pwval.py: where the known answers in tests/unit/test_pwval.c come
from. Run with Debian's python3 and python3-django (make deps):

    tests/unit/gen_pwval.py cases    # the known answers in test_pwval.c

(The Unicode tables the validators use are tools/gen_pystr.py's.)
`cases` runs django.contrib.auth.password_validation on a table
of passwords and users. Debian 12 ships Django 3.2.25, whose four
validators are, line for line, those of Django 4.2 (the similarity
shortcut exceeds_maximum_length_ratio and quick_ratio() on lower-cased
strings were backported in 3.2.x). The common-password list restauth
uses is the one Debian's package ships (the Makefile decompresses it into
build/share/); Django 4.2 ships a newer list, so one case ("ПАРОЛЬ",
only in the newer list) was edited by hand in test_pwval.c.

Paste the output over the generated block, which clang-format leaves
alone.
"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SHARE_LIST = os.path.join(TOP, "share", "common-passwords.txt")

# The custom list test_pwval.c writes for CommonPasswordValidator's
# password_list_path: CRLF and CR line ends, padding, a blank line (so ""
# is in the set), an entry that is not lower-case, Cyrillic.
CUSTOM_LIST = "Hunter2\r\n  spaced out \nfoo\rbar\r\n\n\u043f\u0430\u0440\u043e\u043b\u044c\nlast"


# --- cases ------------------------------------------------------------

def cstr(s):
    out = []
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\?':
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def cases():
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        USE_I18N=False)
    django.setup()
    from django.contrib.auth import password_validation as pv
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    fd, custom = tempfile.mkstemp(suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(CUSTOM_LIST)

    sim = pv.UserAttributeSimilarityValidator
    # Validator sets; test_pwval.c has the same ones under these names.
    vsets = {
        "VS_DJANGO": [sim(), pv.MinimumLengthValidator(),
                      pv.CommonPasswordValidator(SHARE_LIST),
                      pv.NumericPasswordValidator()],
        "VS_MIN8": [pv.MinimumLengthValidator()],
        "VS_MIN1": [pv.MinimumLengthValidator(1)],
        "VS_MIN2": [pv.MinimumLengthValidator(2)],
        "VS_MIN0": [pv.MinimumLengthValidator(0)],
        "VS_COMMON": [pv.CommonPasswordValidator(SHARE_LIST)],
        "VS_CUSTOM": [pv.CommonPasswordValidator(custom)],
        "VS_NUMERIC": [pv.NumericPasswordValidator()],
        "VS_SIM": [sim()],
        "VS_SIM10": [sim(max_similarity=1.0)],
        "VS_SIM09": [sim(max_similarity=0.9)],
        "VS_SIM01": [sim(max_similarity=0.1)],
        "VS_SIM_EU": [sim(user_attributes=["email", "username"])],
        "VS_TWICE": [pv.NumericPasswordValidator(),
                     pv.MinimumLengthValidator(12),
                     pv.NumericPasswordValidator()],
    }
    alice = ("alice", "Alice", "Liddell", "alice@example.com")
    bob = ("zz9", "", "", "bob.smith@example.com")
    table = [
        # MinimumLengthValidator: code points, ngettext
        ("VS_MIN8", "abcdefg", None),
        ("VS_MIN8", "abcdefgh", None),
        ("VS_MIN8", "\u00e9" * 7, None),
        ("VS_MIN8", "\u00e9" * 8, None),
        ("VS_MIN8", "\U0001F600" * 7, None),
        ("VS_MIN8", "\U0001F600" * 8, None),
        ("VS_MIN8", "abc\0defg", None),
        ("VS_MIN1", "", None),
        ("VS_MIN1", "a", None),
        ("VS_MIN2", "a", None),
        ("VS_MIN0", "", None),
        # CommonPasswordValidator: lower() then strip()
        ("VS_COMMON", "password", None),
        ("VS_COMMON", "PassWord ", None),
        ("VS_COMMON", "123456", None),
        ("VS_COMMON", " \t123456\n", None),
        ("VS_COMMON", "\u3000password\u2003", None),
        ("VS_COMMON", "\x1cqwerty\x85", None),
        ("VS_COMMON", "qwerty\u200b", None),
        ("VS_COMMON", "pass word", None),
        ("VS_COMMON", "\u041f\u0410\u0420\u041e\u041b\u042c", None),
        ("VS_COMMON", "correct horse battery staple", None),
        ("VS_COMMON", "", None),
        ("VS_COMMON", "   ", None),
        ("VS_CUSTOM", "Hunter2", None),
        ("VS_CUSTOM", "hunter2", None),
        ("VS_CUSTOM", "SPACED OUT", None),
        ("VS_CUSTOM", "spaced", None),
        ("VS_CUSTOM", "foo", None),
        ("VS_CUSTOM", "BAR", None),
        ("VS_CUSTOM", "last", None),
        ("VS_CUSTOM", "\u043f\u0430\u0440\u043e\u043b\u044c ", None),
        ("VS_CUSTOM", "", None),
        ("VS_CUSTOM", " \u00a0", None),
        ("VS_CUSTOM", "password", None),
        # NumericPasswordValidator: str.isdigit()
        ("VS_NUMERIC", "12345678", None),
        ("VS_NUMERIC", "\u0661\u0662\u0663", None),
        ("VS_NUMERIC", "\u00b2\u00b3", None),
        ("VS_NUMERIC", "\u2460\u2461", None),
        ("VS_NUMERIC", "\U0001D7CE\U0001D7CF", None),
        ("VS_NUMERIC", "\u00bd", None),
        ("VS_NUMERIC", "\u4e00\u4e8c", None),
        ("VS_NUMERIC", "12345678a", None),
        ("VS_NUMERIC", " 123", None),
        ("VS_NUMERIC", "", None),
        # UserAttributeSimilarityValidator
        ("VS_SIM", "alice123", alice),
        ("VS_SIM", "alice123", None),
        ("VS_SIM", "smithbob", bob),
        ("VS_SIM", "bobsmith", bob),
        ("VS_SIM", "Liddell!", alice),
        ("VS_SIM", "ALICE", ("", "", "", "ALICE@example.com")),
        ("VS_SIM", "wonderland", alice),
        ("VS_SIM", "x7#Lq!vR2", alice),
        ("VS_SIM", "", ("", "", "", "bob@")),
        ("VS_SIM", "", ("alice", "", "", "")),
        ("VS_SIM", "a" * 30, ("a", "", "", "")),
        ("VS_SIM", "correcthorsebatterystaple", ("cor", "", "", "")),
        ("VS_SIM", "aliceinwonderlandbythelake", alice),
        ("VS_SIM", "doe", ("john_doe", "", "", "")),
        ("VS_SIM", "doe", ("john.doe", "", "", "")),
        ("VS_SIM", "bob", ("", "", "", "x@bob")),
        ("VS_SIM_EU", "alice123", alice),
        ("VS_SIM10", "ecila", alice),
        ("VS_SIM10", "alice1", alice),
        ("VS_SIM10", "\u03bd\u03af\u03ba\u03bf\u03c2",
         ("\u039d\u038a\u039a\u039f\u03a3", "", "", "")),
        ("VS_SIM10", "\u03bd\u03af\u03ba\u03bf\u03c3",
         ("\u039d\u038a\u039a\u039f\u03a3", "", "", "")),
        ("VS_SIM10", "\u03c3\u03bf\u03c6\u03b9\u03b1",
         ("\u03a3\u039f\u03a6\u0399\u0391", "", "", "")),
        ("VS_SIM10", "a'\u03c2", ("A'\u03a3", "", "", "")),
        ("VS_SIM10", "a'\u03c3", ("A'\u03a3", "", "", "")),
        ("VS_SIM10", "a\u03c3b", ("A\u03a3B", "", "", "")),
        ("VS_SIM09", "ismail", ("\u0130SMA\u0130L", "", "", "")),
        ("VS_SIM09", "i\u0307smai\u0307l", ("\u0130SMA\u0130L", "", "", "")),
        ("VS_SIM09", "abc", ("abc\u0301def", "", "", "")),
        ("VS_SIM09", "\u092a",
         ("", "\u092a\u094d\u0930\u093f\u092f\u093e", "", "")),
        ("VS_SIM09", "\u0930\u093f\u092f\u093e",
         ("", "\u092a\u094d\u0930\u093f\u092f\u093e", "", "")),
        ("VS_SIM09", "ab", ("", "", "ab\u05b0cd", "")),
        ("VS_SIM09", "STRASSE", ("stra\u00dfe", "", "", "")),
        ("VS_SIM01", "zzzzzzzzq", ("qwe", "", "", "")),
        ("VS_SIM01", "zzzzzzzzzz", ("qwe", "", "", "")),
        ("VS_SIM01", "q" + "z" * 40, ("qwe", "", "", "")),
        # several validators, all errors, config order
        ("VS_DJANGO", "alice", alice),
        ("VS_DJANGO", "1234567", None),
        ("VS_DJANGO", "12345678", alice),
        ("VS_DJANGO", "Tr0ub4dor&3x", alice),
        ("VS_TWICE", "123", None),
    ]

    print("/* Generated by tests/unit/gen_pwval.py cases (Django %s). */"
          % django.get_version())
    print("/* clang-format off */")
    print("static const struct kat kats[] = {")
    for vs, pw, u in table:
        user = None
        if u is not None:
            user = User(username=u[0], first_name=u[1], last_name=u[2],
                        email=u[3])
        try:
            pv.validate_password(pw, user, vsets[vs])
            msgs = []
        except ValidationError as e:
            msgs = e.messages
        fields = [vs, cstr(pw), str(len(pw.encode("utf-8")))]
        if u is None:
            fields.append("false, { NULL, NULL, NULL, NULL }")
        else:
            fields.append("true, { %s }" % ", ".join(cstr(x) for x in u))
        fields.append(cstr("\n".join(msgs)))
        print("\t{ %s }," % ", ".join(fields))
    print("};")
    print("/* clang-format on */")
    os.unlink(custom)


if __name__ == "__main__":
    if sys.argv[1:] == ["cases"]:
        cases()
    else:
        sys.exit("usage: gen_pwval.py cases")
