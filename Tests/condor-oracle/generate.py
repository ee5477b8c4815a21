#!/usr/bin/env python3
"""Writes generated submit files that carry strings of every byte class, for the differential.

  generate.py SEED COUNT OUTDIR

Deterministic for a given SEED. Each file exercises one way a value reaches a job ad:

  gen-NNNN-attr.sub       +Attr = "..."   an old-syntax ClassAd string (only \\" is an escape;
                                          a backslash before the closing quote ends the string)
  gen-NNNN-args-v1.sub    arguments = ... V1 ("wacked") arguments: \\" is the only escape
  gen-NNNN-args-v2.sub    arguments = "..." V2 arguments: "" is a quote, '...' groups
  gen-NNNN-env-v2.sub     environment = "..." V2 environment values
  gen-NNNN-env-v1.sub     environment = A=...;B=... V1 environment (no quoting at all)
  gen-NNNN-items.sub      queue in (...) items substituted into arguments and +Attr
  gen-NNNN-include.sub    the same +Attr line read from an include file (bytes, not text)
  gen-NNNN-not-utf8.sub   an include file whose string holds bytes that are not UTF-8

Byte classes: printable ASCII, backslash, double and single quote, tab, carriage return, the
other control characters (0x01-0x1F but newline), DEL, valid UTF-8 of 2, 3 and 4 bytes, and
(in the not-utf8 files only) lone high bytes and truncated sequences; the printable class also
draws macro fragments (`$`, `$(`, `$$(`, `)`, `$(x)` undefined, `$(Item)`). Newline cannot occur
inside a one-line value.
"""
import os
import random
import sys

PRINTABLE = [chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\\''] + ["$(", "$$(", "$", ")", "$(x)", "$(Item)"]
CONTROLS = [chr(c) for c in range(0x01, 0x20) if c not in (0x0A, 0x09, 0x0D)]
UTF8 = ["é", "ß", "Ω", "中", "文", "€", "😀", "𝄞", "\u00a0", "\u2028", "\u0301", "\u200d", "\U0001f3fd"]
NOT_UTF8 = [b"\x80", b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc0\xaf", b"\xed\xa0\x80"]

CLASSES = [
    ("printable", lambda r: r.choice(PRINTABLE), 8),
    ("space", lambda r: " ", 2),
    ("backslash", lambda r: "\\", 3),
    ("quote", lambda r: '"', 2),
    ("apostrophe", lambda r: "'", 1),
    ("tab", lambda r: "\t", 2),
    ("cr", lambda r: "\r", 1),
    ("control", lambda r: r.choice(CONTROLS), 2),
    ("del", lambda r: "\x7f", 1),
    ("utf8", lambda r: r.choice(UTF8), 2),
]


def random_text(r, n, exclude=()):
    pool = [(f, w) for name, f, w in CLASSES if name not in exclude]
    funcs, weights = zip(*pool)
    return "".join(r.choices(funcs, weights)[0](r) for _ in range(n))


def old_classad_string(s):
    """The submit-file text of an old-syntax ClassAd string with value s."""
    return '"' + s.replace('"', '\\"') + '"'


def v1_arguments(s):
    # Quotes must be backslashed in V1; the value must not end in a backslash (that would
    # continue the line) nor start or end with whitespace (trimmed with the line).
    return "x" + s.replace('"', '\\"') + "x"


def v2_arguments(r, s):
    """A V2 argument string: words, some single-quoted (with '' for a quote), "" for a quote."""
    out = []
    for word in s.split(" "):
        if r.random() < 0.4:
            out.append("'" + word.replace("'", "''") + " " + "'")
        else:
            out.append(word.replace("'", "''"))
    raw = " ".join(out)
    return '"' + raw.replace('"', '""') + '"'


def header(i):
    return "# generated case %d\nexecutable = /bin/echo\n" % i


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    seed, count, outdir = int(argv[1]), int(argv[2]), argv[3]
    r = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    for i in range(count):
        kind = ["attr", "args-v1", "args-v2", "env-v2", "include", "not-utf8", "env-v1", "items"][i % 8]
        s = random_text(r, r.randint(1, 24))
        name = "gen-%04d-%s" % (i, kind)
        text = header(i)
        if kind == "attr":
            text += "+GenString = %s\n+GenCopy = MY.GenString\n" % old_classad_string(s)
        elif kind == "args-v1":
            text += "arguments = %s\n" % v1_arguments(s)
        elif kind == "args-v2":
            text += "arguments = %s\n" % v2_arguments(r, random_text(r, r.randint(1, 24), exclude=("cr", "control")))
        elif kind == "env-v2":
            value = random_text(r, r.randint(1, 16), exclude=("cr", "control", "tab", "space"))
            text += "environment = %s\n" % v2_arguments(r, "GEN=" + value).replace("'GEN=", "GEN='", 1)
        elif kind == "env-v1":
            # ';' separates entries; a value may hold anything else but a newline.
            values = [random_text(r, r.randint(0, 10)).replace(";", "") for _ in range(r.randint(1, 3))]
            entries = ["GEN%d=%s" % (n, v) for n, v in enumerate(values)]
            text += "environment = %sx\n" % ";".join(entries).replace('"', "'")
        elif kind == "items":
            # Items are separated by commas and whitespace; each lands in a V1 argument and in a
            # string attribute.
            items = [random_text(r, r.randint(1, 8), exclude=("space", "tab", "cr", "quote", "control")).replace(",", "")
                     for _ in range(r.randint(1, 4))]
            items = [x for x in items if x.strip()] or ["x"]
            text += 'arguments = x$(Item)x\n+GenItem = "$(Item)"\nqueue in (%s)\n' % ", ".join(items)
            write(os.path.join(outdir, name + ".sub"), text.encode("utf-8"))
            continue
        elif kind == "include":
            write(os.path.join(outdir, name + ".inc"),
                  ("+GenString = %s\n" % old_classad_string(s)).encode("utf-8"))
            text += "include : %s.inc\n" % name
        else:
            raw = s.encode("utf-8")
            cut = r.randint(0, len(raw))
            while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:
                cut += 1
            bad = raw[:cut] + r.choice(NOT_UTF8) + raw[cut:]
            write(os.path.join(outdir, name + ".inc"),
                  b"+GenString = " + b'"' + bad.replace(b'"', b'\\"') + b'"\n')
            text += "include : %s.inc\n" % name
        text += "queue\n"
        write(os.path.join(outdir, name + ".sub"), text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
