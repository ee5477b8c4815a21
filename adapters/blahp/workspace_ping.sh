#!/bin/bash
# blahp LRM "workspace" (wsbridge): is the LRM alive? Prints "0 No error" or "1 <reason>".
# blahpd runs this as the job's user; see workspace_common.sh for the configuration it reads.
. "$(dirname "$0")/workspace_common.sh"
workspace_exec ping "$@"
