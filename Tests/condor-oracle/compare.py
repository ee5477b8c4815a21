#!/usr/bin/env python3
"""Compares HTCondor's answers (oracle.py) with ours (BINARY condor parse --json / condor eval).

  compare.py parse BINARY FILE...     compare.py eval BINARY EXPRFILE
  compare.py parse-new BINARY FILE... (values in new ClassAd syntax: BINARY condor parse --syntax new)

Exit status 0 when every difference is either expected (machine- or time-dependent attributes,
see IGNORED) or listed in allowlist.txt with its reason; 1 otherwise, with the differences printed.
"""
import fnmatch
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

# Attributes that depend on the machine, the clock or the submit method, not on the file.
IGNORED = {
    "QDate", "EnteredCurrentStatus", "Owner", "CondorVersion", "CondorPlatform",
    "FileSystemDomain", "DiskUsage", "ImageSize", "ExecutableSize", "TransferInputSizeMB",
    "JobSubmitMethod", "SubmitFile",
}


def load_allowlist():
    allowed = {}
    path = os.path.join(HERE, "allowlist.txt")
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split(None, 2)
        parts = [x.strip() for x in parts if x.strip()]
        if len(parts) < 3:
            continue
        allowed[(parts[0], parts[1])] = parts[2]
    return allowed


def allowed_reason(allowed, name, attr):
    """The allowlist entry for (file, attribute); FILE may be a shell pattern (gen-*-x.sub)."""
    for (f, a), reason in allowed.items():
        if f != "eval" and fnmatch.fnmatchcase(name, f) and a in (attr, "*"):
            return reason
    return None


def ours_parse(binary, path, syntax="old"):
    p = subprocess.run([binary, "condor", "parse", "--json", "--syntax", syntax, path], capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip() or "exit %d" % p.returncode}
    try:
        return {"procs": [e["ad"] for e in json.loads(p.stdout)]}
    except Exception as ex:  # our output is broken: that is a difference too
        return {"error": "unreadable output: %s" % ex}


def compare_parse(binary, files, syntax="old"):
    allowed = load_allowlist()
    diffs, allowed_hits, attrs_compared = [], [], 0
    for path in files:
        name = os.path.basename(path)
        theirs = oracle.parse_file(path, syntax)
        ours = ours_parse(binary, path, syntax)

        def report(attr, msg):
            reason = allowed_reason(allowed, name, attr)
            if reason:
                allowed_hits.append("%s %s: %s [allowed: %s]" % (name, attr, msg, reason))
            else:
                diffs.append("%s %s: %s" % (name, attr, msg))

        if "not_utf8" in theirs:
            if "error" in ours:
                report("<refusal>", "HTCondor accepts bytes that are not UTF-8 (%s); we refuse (%r)" % (theirs["not_utf8"], ours["error"]))
            else:
                report("<procs>", "HTCondor's values are not UTF-8 (%s) but ours are" % theirs["not_utf8"])
            continue

        if "error" in theirs or "error" in ours:
            if "error" in theirs and "error" in ours:
                continue
            if "error" in theirs:
                report("<refusal>", "HTCondor refuses (%r) but we accept" % theirs["error"])
            else:
                report("<refusal>", "we refuse (%r) but HTCondor accepts" % ours["error"])
            continue
        tp, op = theirs["procs"], ours["procs"]
        if len(tp) != len(op):
            report("<procs>", "HTCondor makes %d procs, we make %d" % (len(tp), len(op)))
            continue
        for i, (t, o) in enumerate(zip(tp, op)):
            for attr in sorted(set(t) | set(o)):
                if attr in IGNORED:
                    continue
                attrs_compared += 1
                if t.get(attr) != o.get(attr):
                    report(attr, "proc %d: HTCondor %s, ours %s" % (i, t.get(attr, "<absent>"), o.get(attr, "<absent>")))
    for line in allowed_hits:
        print("allowed  " + line)
    for line in diffs:
        print("DIFF     " + line)
    print("parse%s: %d files, %d attribute values compared, %d allowed differences, %d unexpected differences"
          % ("" if syntax == "old" else " (%s syntax)" % syntax, len(files), attrs_compared, len(allowed_hits), len(diffs)))
    return 1 if diffs else 0


def compare_eval(binary, exprfile):
    allowed = load_allowlist()
    lines = [l for l in open(exprfile, encoding="utf-8").read().split("\n") if l.strip()]
    theirs = [oracle.eval_line(l) for l in lines]
    p = subprocess.run([binary, "condor", "eval"], input="\n".join(lines) + "\n", capture_output=True, text=True)
    ours = p.stdout.split("\n")[:-1] if p.stdout.endswith("\n") else p.stdout.split("\n")
    diffs, allowed_hits = [], []
    if p.returncode != 0 or len(ours) != len(theirs):
        print("DIFF     eval: we printed %d results for %d expressions (exit %d) %s" % (len(ours), len(theirs), p.returncode, p.stderr))
        return 1
    for i, (expr, t, o) in enumerate(zip(lines, theirs, ours)):
        if t == o:
            continue
        key = ("eval", expr)
        msg = "%s  =>  HTCondor %s, ours %s" % (expr, t, o)
        if key in allowed:
            allowed_hits.append(msg + " [allowed: %s]" % allowed[key])
        else:
            diffs.append(msg)
    for line in allowed_hits:
        print("allowed  " + line)
    for line in diffs:
        print("DIFF     " + line)
    print("eval: %d expressions, %d allowed differences, %d unexpected differences" % (len(lines), len(allowed_hits), len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] in ("parse", "parse-new"):
        sys.exit(compare_parse(sys.argv[2], sys.argv[3:], "new" if sys.argv[1] == "parse-new" else "old"))
    if len(sys.argv) == 4 and sys.argv[1] == "eval":
        sys.exit(compare_eval(sys.argv[2], sys.argv[3]))
    sys.stderr.write(__doc__)
    sys.exit(2)
