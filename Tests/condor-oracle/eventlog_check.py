#!/usr/bin/env python3
"""Reads a user event log with HTCondor's own reader (htcondor.JobEventLog) and prints each
event's type, job id and key fields; exits non-zero when the reader rejects the file or sees
fewer events than the file's '...' separators announce."""
import os
import sys
import warnings

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
warnings.filterwarnings("ignore")
import htcondor  # noqa: E402

path = sys.argv[1]
expected = sum(1 for line in open(path) if line.rstrip("\n") == "...")
seen = 0
try:
    for event in htcondor.JobEventLog(path).events(stop_after=0):
        seen += 1
        fields = {k: event[k] for k in ("ReturnValue", "TerminatedBySignal", "HoldReason", "HoldReasonCode",
                                          "Reason", "ReleaseReason", "GridResource", "GridJobId") if k in event}
        print("%s %d.%d %s" % (event.type, event.cluster, event.proc, fields))
except Exception as ex:
    print("JobEventLog refused the log: %s" % ex)
    sys.exit(1)
print("eventlog: %d events written, %d read by HTCondor" % (expected, seen))
sys.exit(0 if seen == expected else 1)
