#!/bin/bash
# blahp LRM "workspace" (wsbridge): release a held job. Arguments: <script job id>. The exit code is the answer.
# blahpd runs this as the job's user; see workspace_common.sh for the configuration it reads.
. "$(dirname "$0")/workspace_common.sh"
workspace_exec resume "$@"
