#!/bin/bash
# blahp LRM "workspace" (wsbridge): submit a job. Arguments: those of bls_parse_submit_options (-c <command> [-i -o -e -w -q -m -t -n -V|-v ...] [-- args]).
# Prints BLAHP_JOBID_PREFIXworkspace/<YYYYMMDD>/<job>.
# blahpd runs this as the job's user; see workspace_common.sh for the configuration it reads.
. "$(dirname "$0")/workspace_common.sh"
workspace_exec submit "$@"
