#!/bin/bash
# blahp LRM "workspace" (wsbridge): cancel jobs. Arguments: <script job id>... Prints " 0 No\ error" per job.
# blahpd runs this as the job's user; see workspace_common.sh for the configuration it reads.
. "$(dirname "$0")/workspace_common.sh"
workspace_exec cancel "$@"
