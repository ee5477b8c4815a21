#!/usr/bin/env python3
"""HTCondor's own parser as an oracle (htcondor==24.12.24, v1 bindings, fully offline).

  oracle.py parse FILE...   -> JSON: {file: {"error": msg} | {"procs": [{attr: unparsed}]}}
                               (old ClassAd syntax; `parse-new` for new syntax)
  oracle.py eval < exprs    -> one unparsed result per input line (PARSE_ERROR when unparsable)

The v1 `Submit(text).jobs()` honours only the first `queue` statement, so a file with several
queue statements is cut: for the k-th statement we feed every non-queue line before it plus that
statement, and continue the ProcId numbering (the workaround the oracle notes describe).
"""
import json
import os
import re
import sys
import warnings

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
warnings.filterwarnings("ignore")
import htcondor  # noqa: E402  (registers argsToList & co. with the ClassAd library)
import classad  # noqa: E402

CLUSTER = 1
QDATE = 1700000000
QUEUE_RE = re.compile(r"^\s*queue(\s|$)", re.IGNORECASE)


def split_queues(text):
    """Returns [(prefix_text_without_earlier_queues, queue_statement_lines)]."""
    lines = text.split("\n")
    plain, segments, i = [], [], 0
    while i < len(lines):
        line = lines[i]
        if QUEUE_RE.match(line):
            stmt = [line]
            # A multi-line item list opens with "(" at the end of the line and ends at ")".
            if line.rstrip().endswith("(") and ")" not in line:
                i += 1
                while i < len(lines):
                    stmt.append(lines[i])
                    if lines[i].strip().startswith(")"):
                        break
                    i += 1
            segments.append((list(plain), stmt))
        else:
            plain.append(line)
        i += 1
    return segments


def old_lines(ad):
    out = {}
    for line in ad.printOld().split("\n"):
        if " = " in line:
            name, value = line.split(" = ", 1)
            out[name] = value
    return out


def new_lines(ad):
    """Every attribute in new ClassAd syntax: `repr(ExprTree)` is HTCondor's plain
    `ClassAdUnParser` (`str()` pretty-prints lists and nested ads over several lines)."""
    return {k: repr(ad.lookup(k)) for k in ad.keys()}


def parse_file(path, syntax="old"):
    """syntax "old" prints values as condor_q -l does (printOld), "new" as condor_q -long:new.

    A value that is not UTF-8 cannot leave the bindings as old-syntax text (Python strings are
    Unicode); such a file gives {"not_utf8": message}: HTCondor accepted it."""
    # newline="": the bytes as condor_submit reads them (a lone CR is not a line end).
    text = open(path, encoding="utf-8", errors="surrogateescape", newline="").read()
    segments = split_queues(text)
    if len(segments) <= 1:
        texts = [text]
    else:
        texts = ["\n".join(p + q) + "\n" for p, q in segments]
    procs = []
    try:
        for t in texts:
            sub = htcondor.Submit(t)
            for ad in sub.jobs(clusterid=CLUSTER, procid=len(procs), qdate=QDATE):
                procs.append(new_lines(ad) if syntax == "new" else old_lines(ad))
    except UnicodeDecodeError as ex:  # accepted by HTCondor, but not printable as text here
        return {"not_utf8": str(ex)}
    except Exception as ex:  # HTCondorException and friends: the file is refused
        return {"error": str(ex)}
    return {"procs": procs}


def eval_line(src):
    try:
        tree = classad.ExprTree(src)
    except Exception:
        return "PARSE_ERROR"
    ad = classad.ClassAd()
    ad["R"] = tree
    try:
        value = ad.eval("R")
    except Exception:
        return "error"
    out = classad.ClassAd()
    out["R"] = value
    return old_lines(out).get("R", "error")


def main(argv):
    if len(argv) >= 2 and argv[1] in ("parse", "parse-new"):
        result = {}
        for path in argv[2:]:
            result[path] = parse_file(path, "new" if argv[1] == "parse-new" else "old")
        json.dump(result, sys.stdout, indent=1, sort_keys=True)
        print()
    elif len(argv) >= 2 and argv[1] == "eval":
        for line in sys.stdin.read().split("\n"):
            if line.strip() == "":
                continue
            print(eval_line(line))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
