#!/usr/bin/env python3
"""Writes a random directory tree and submit files whose `queue ... matching` globs walk it.

  generate_globs.py SEED COUNT OUTDIR

Deterministic for a given SEED. The tree (OUTDIR/gtree) has nested directories, names that
differ only in case, names with a leading dot, a space or a dash, files and directories with the
same stem, and links to a file and to a directory. Each gen-NNNN-glob.sub queues from one to
three patterns (`matching`, `matching files`, `matching dirs` or `matching any`) built from
literal names, `*`, `?`, `[...]`, `[!...]` and `.*` in any directory part, sometimes with a
leading `./` or a queue count. HTCondor's answer is glob(3) with GLOB_MARK, per pattern sorted
by byte value, later duplicates dropped (submit_glob.cpp).

A file whose patterns match nothing at all is not written: for it the v1 bindings make one job
without an item (like `queue 0`), where condor_submit makes none.
"""
import glob
import os
import random
import sys

NAMES = ["a", "b", "B", "ab", "a-b", "a b", "data", "Data", "x1", "x10", "x2", ".hid", "_u", "z"]
EXTS = ["", ".txt", ".dat", ".TXT", ".in.txt"]


def build_tree(r, root, depth=0):
    os.makedirs(root, exist_ok=True)
    names = r.sample(NAMES, r.randint(2, 6))
    for name in names:
        if depth < 3 and r.random() < 0.35:
            build_tree(r, os.path.join(root, name + r.choice(["", "", ".d"])), depth + 1)
        else:
            path = os.path.join(root, name + r.choice(EXTS))
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write(name + "\n")


def segment(r, names):
    choice = r.random()
    if names and choice < 0.25:
        return r.choice(names)
    return r.choice(["*", "*", "?", "??*", "*.txt", "*.dat", "*.*", "[ab]*", "[!a]*", "[a-z]?", "x*", ".*", "*[0-9]", "D*"])


def pattern(r, root):
    parts = ["gtree"]
    here = root
    for _ in range(r.randint(1, 3)):
        names = sorted(os.listdir(here)) if os.path.isdir(here) else []
        seg = segment(r, [n for n in names if " " not in n])
        parts.append(seg)
        matches = [n for n in names if n == seg]
        here = os.path.join(here, matches[0]) if matches else os.path.join(here, r.choice(names) if names else "")
    if r.random() < 0.1:
        parts.append("")  # a trailing slash
    p = "/".join(parts)
    return "./" + p if r.random() < 0.15 else p


def matches_something(patterns, kind, outdir):
    for p in patterns:
        for m in glob.glob(os.path.join(outdir, p)):
            if kind == "files" and os.path.isdir(m):
                continue
            if kind == "dirs" and not os.path.isdir(m):
                continue
            return True
    return False


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    seed, count, outdir = int(argv[1]), int(argv[2]), argv[3]
    r = random.Random(seed)
    root = os.path.join(outdir, "gtree")
    build_tree(r, root)
    os.symlink("a.txt", os.path.join(root, "link-file.txt"))
    os.symlink(".", os.path.join(root, "link-dir"))
    written, attempts = 0, 0
    while written < count and attempts < count * 20:
        attempts += 1
        kind = r.choice(["", "files", "dirs", "any"])
        patterns = [pattern(r, root) for _ in range(r.randint(1, 3))]
        if not matches_something(patterns, kind, outdir):
            continue
        qcount = r.choice(["", "", "", "2 "])
        var = r.choice(["", "f "])
        text = "# generated glob case %d\nexecutable = /bin/echo\narguments = \"$(%s)\"\nqueue %s%smatching %s%s\n" % (
            written, var.strip() or "Item", qcount, var, (kind + " ") if kind else "", " ".join(patterns))
        with open(os.path.join(outdir, "gen-%04d-glob.sub" % written), "w") as f:
            f.write(text)
        written += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
