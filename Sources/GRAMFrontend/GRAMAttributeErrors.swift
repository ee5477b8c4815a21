/// Which error code the job manager uses for a bad attribute, by canonical attribute name
/// (`globus_l_gram_job_manager_validation_rsl_error` and `..._value_error`,
/// `globus_gram_job_manager_validate.c`). Attributes without a code of their own get
/// `RSL_SCHEDULER_SPECIFIC` (134) for a wrong shape and `INVALID_SCHEDULER_SPECIFIC` (147) for
/// a wrong value.
public enum GRAMAttributeErrors {
    /// The value has the wrong shape (a list where one string is needed, for example).
    public static func shape(_ attribute: String) -> GRAMErrorCode {
        switch RSLAttributeName.canonical(attribute) {
        case "arguments": .rslArguments
        case "count": .rslCount
        case "directory": .rslDirectory
        case "dryrun": .rslDryRun
        case "environment": .rslEnvironment
        case "executable": .rslExecutable
        case "filecleanup": .rslFileCleanup
        case "filestagein": .rslFileStageIn
        case "filestageinshared": .rslFileStageInShared
        case "filestageout": .rslFileStageOut
        case "gasscache": .rslGassCache
        case "grammyjob": .rslMyJob
        case "hostcount": .rslHostCount
        case "jobtype": .rslJobType
        case "maxcputime": .rslMaxCpuTime
        case "maxmemory": .rslMaxMemory
        case "maxtime": .rslMaxTime
        case "maxwalltime": .rslMaxWallTime
        case "minmemory": .rslMinMemory
        case "project": .rslProject
        case "queue": .rslQueue
        case "remoteiourl": .rslRemoteIOURL
        case "restart": .rslRestart
        case "savestate": .rslSaveState
        case "scratchdir": .rslScratch
        case "stderr": .rslStderr
        case "stderrposition": .rslStderrPosition
        case "stdin": .rslStdin
        case "stdout": .rslStdout
        case "stdoutposition": .rslStdoutPosition
        case "twophase": .rslTwoPhaseCommit
        case "proxytimeout": .rslProxyTimeout
        case "username": .rslUserName
        default: .rslSchedulerSpecific
        }
    }

    /// The value has the right shape but is not allowed.
    ///
    /// For values outside an RVF `Values:` list the job manager itself falls back to 134, not
    /// 147; `RSLValidator` keeps that, and uses this table only for the attributes it names.
    public static func value(_ attribute: String) -> GRAMErrorCode {
        switch RSLAttributeName.canonical(attribute) {
        case "count": .invalidCount
        case "grammyjob": .invalidGramMyJob
        case "hostcount": .invalidHostCount
        case "jobtype": .invalidJobType
        case "maxcputime": .invalidMaxCpuTime
        case "maxmemory": .invalidMaxMemory
        case "maxtime": .invalidMaxTime
        case "maxwalltime": .invalidMaxWallTime
        case "minmemory": .invalidMinMemory
        case "project": .invalidProject
        case "queue": .invalidQueue
        case "savestate": .invalidSaveState
        case "scratchdir": .invalidScratch
        case "stderrposition": .invalidStderrPosition
        case "stdoutposition": .invalidStdoutPosition
        case "twophase": .invalidTwoPhaseCommit
        case "proxytimeout": .invalidProxyTimeout
        case "username": .invalidUserName
        default: .invalidSchedulerSpecific
        }
    }
}
