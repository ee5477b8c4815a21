#!/bin/bash
# blahp LRM "workspace" (wsbridge): job status. Arguments: [-w] [-n] <full job id>... Prints 0[<ClassAd>] or 1<error> per job.
# blahpd runs this as the job's user; see workspace_common.sh for the configuration it reads.
. "$(dirname "$0")/workspace_common.sh"
workspace_exec status "$@"
