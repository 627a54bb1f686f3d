#!/usr/bin/python3
"""layers.py [SRCDIR]: check that lib/ keeps its floors.

The Makefile's LAYERS line names lib/'s folders, lowest first. Every
#include "x.h" in lib/LAYER/*.[ch] must name a header of the same folder
or of a lower one, and no module may reach itself again through the
headers and sources it includes (a circle inside one floor). A module is
a name: x.c and x.h together. Prints a FAIL line for each include that
points up, each circle, and each header found twice or not at all, then
"layers.py: N passed, M failed" (one check per file and one for the
circles); exits 1 on any failure."""
import os
import re
import sys

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), ".."))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layers():
    """The LAYERS line of the Makefile, lowest first."""
    with open(os.path.join(SRC, "Makefile")) as f:
        m = re.search(r"^LAYERS\s*=\s*(.+)$", f.read(), re.M)
    if m is None:
        sys.exit("layers.py: no LAYERS line in the Makefile")
    return m.group(1).split()


def main():
    order = layers()
    floor = {}      # header name -> floor index
    files = []      # (path, floor index, module)
    failed = passed = 0
    for i, name in enumerate(order):
        d = os.path.join(SRC, "lib", name)
        for fn in sorted(os.listdir(d)):
            if not fn.endswith((".c", ".h")):
                continue
            files.append((os.path.join(d, fn), i, fn[:-2]))
            if fn.endswith(".h"):
                if fn in floor:
                    print("FAIL %s is in lib/%s and lib/%s" % (
                        fn, order[floor[fn]], name))
                    failed += 1
                floor[fn] = i
    stray = [fn for fn in os.listdir(os.path.join(SRC, "lib"))
             if fn.endswith((".c", ".h"))]
    for fn in sorted(stray):
        print("FAIL lib/%s is in no floor (move it into one of %s)" % (
            fn, " ".join(order)))
        failed += 1
    deps = {}
    for path, i, mod in files:
        with open(path) as f:
            names = INCLUDE.findall(f.read())
        bad = []
        for h in names:
            if h not in floor:
                bad.append("%s: no such header in lib/" % h)
            elif floor[h] > i:
                bad.append("%s is on floor %s, above %s" % (
                    h, order[floor[h]], order[i]))
            elif h[:-2] != mod:
                deps.setdefault(mod, set()).add(h[:-2])
        rel = os.path.relpath(path, SRC)
        for b in bad:
            print("FAIL %s includes %s" % (rel, b))
        if bad:
            failed += 1
        else:
            passed += 1
    circle = find_circle(deps)
    if circle:
        print("FAIL a circle: %s" % " -> ".join(circle))
        failed += 1
    else:
        passed += 1
    print("layers.py: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def find_circle(deps):
    """One circle of modules through their includes, or None."""
    state = {}

    def visit(m, path):
        state[m] = 1
        path.append(m)
        for n in sorted(deps.get(m, ())):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                found = visit(n, path)
                if found:
                    return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(deps):
        if m not in state:
            found = visit(m, [])
            if found:
                return found
    return None


if __name__ == "__main__":
    sys.exit(main())
