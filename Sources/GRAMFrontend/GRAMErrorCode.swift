/// The GRAM protocol error codes, `globus_gram_protocol_error_t`, 1 to 167.
///
/// Values and names from `gram/protocol/source/globus-gram-protocol-constants.sh` (GCT). The
/// job manager fails a job with one of these, and `globusrun` exits with the number.
public enum GRAMErrorCode: Int, Sendable, CaseIterable, Codable {
    case parameterNotSupported = 1
    case invalidRequest = 2
    case noResources = 3
    case badDirectory = 4
    case executableNotFound = 5
    case insufficientFunds = 6
    case authorization = 7
    case userCancelled = 8
    case systemCancelled = 9
    case protocolFailed = 10
    case stdinNotFound = 11
    case connectionFailed = 12
    case invalidMaxTime = 13
    case invalidCount = 14
    case nullSpecificationTree = 15
    case jmFailedAllowAttach = 16
    case jobExecutionFailed = 17
    case invalidParadyn = 18
    case invalidJobType = 19
    case invalidGramMyJob = 20
    case badScriptArgFile = 21
    case argFileCreationFailed = 22
    case invalidJobState = 23
    case invalidScriptReply = 24
    case invalidScriptStatus = 25
    case jobTypeNotSupported = 26
    case unimplemented = 27
    case tempScriptFileFailed = 28
    case userProxyNotFound = 29
    case openingUserProxy = 30
    case jobCancelFailed = 31
    case mallocFailed = 32
    case ductInitFailed = 33
    case ductLSPFailed = 34
    case invalidHostCount = 35
    case unsupportedParameter = 36
    case invalidQueue = 37
    case invalidProject = 38
    case rslEvaluationFailed = 39
    case badRSLEnvironment = 40
    case dryRun = 41
    case zeroLengthRSL = 42
    case stagingExecutable = 43
    case stagingStdin = 44
    case invalidJobManagerType = 45
    case badArguments = 46
    case gatekeeperMisconfigured = 47
    case badRSL = 48
    case versionMismatch = 49
    case rslArguments = 50
    case rslCount = 51
    case rslDirectory = 52
    case rslDryRun = 53
    case rslEnvironment = 54
    case rslExecutable = 55
    case rslHostCount = 56
    case rslJobType = 57
    case rslMaxTime = 58
    case rslMyJob = 59
    case rslParadyn = 60
    case rslProject = 61
    case rslQueue = 62
    case rslStderr = 63
    case rslStdin = 64
    case rslStdout = 65
    case openingJobManagerScript = 66
    case creatingPipe = 67
    case fcntlFailed = 68
    case stdoutFilenameFailed = 69
    case stderrFilenameFailed = 70
    case forkingExecutable = 71
    case executablePermissions = 72
    case openingStdout = 73
    case openingStderr = 74
    case openingCacheUserProxy = 75
    case openingCache = 76
    case insertingClientContact = 77
    case clientContactNotFound = 78
    case contactingJobManager = 79
    case invalidJobContact = 80
    case undefinedExe = 81
    case condorArch = 82
    case condorOs = 83
    case rslMinMemory = 84
    case rslMaxMemory = 85
    case invalidMinMemory = 86
    case invalidMaxMemory = 87
    case httpFrameFailed = 88
    case httpUnframeFailed = 89
    case httpPackFailed = 90
    case httpUnpackFailed = 91
    case invalidJobQuery = 92
    case serviceNotFound = 93
    case jobQueryDenial = 94
    case callbackNotFound = 95
    case badGatekeeperContact = 96
    case poeNotFound = 97
    case mPIRunNotFound = 98
    case rslStartTime = 99
    case rslReservationHandle = 100
    case rslMaxWallTime = 101
    case invalidMaxWallTime = 102
    case rslMaxCpuTime = 103
    case invalidMaxCpuTime = 104
    case jmScriptNotFound = 105
    case jmScriptPermissions = 106
    case signalingJob = 107
    case unknownSignalType = 108
    case gettingJobID = 109
    case waitingForCommit = 110
    case commitTimedOut = 111
    case rslSaveState = 112
    case rslRestart = 113
    case rslTwoPhaseCommit = 114
    case invalidTwoPhaseCommit = 115
    case rslStdoutPosition = 116
    case invalidStdoutPosition = 117
    case rslStderrPosition = 118
    case invalidStderrPosition = 119
    case restartFailed = 120
    case noStateFile = 121
    case readingStateFile = 122
    case writingStateFile = 123
    case oldJMAlive = 124
    case ttlExpired = 125
    case submitUnknown = 126
    case rslRemoteIOURL = 127
    case writingRemoteIOURL = 128
    case stdioSize = 129
    case jmStopped = 130
    case userProxyExpired = 131
    case jobUnsubmitted = 132
    case invalidCommit = 133
    case rslSchedulerSpecific = 134
    case stageInFailed = 135
    case invalidScratch = 136
    case rslCache = 137
    case invalidSubmitAttribute = 138
    case invalidStdioUpdateAttribute = 139
    case invalidRestartAttribute = 140
    case rslFileStageIn = 141
    case rslFileStageInShared = 142
    case rslFileStageOut = 143
    case rslGassCache = 144
    case rslFileCleanup = 145
    case rslScratch = 146
    case invalidSchedulerSpecific = 147
    case undefinedAttribute = 148
    case invalidCache = 149
    case invalidSaveState = 150
    case openingValidationFile = 151
    case readingValidationFile = 152
    case rslProxyTimeout = 153
    case invalidProxyTimeout = 154
    case stageOutFailed = 155
    case jobContactNotFound = 156
    case delegationFailed = 157
    case lockingStateLockFile = 158
    case invalidAttr = 159
    case nullParameter = 160
    case stillStreaming = 161
    case authorizationDenied = 162
    case authorizationSystemFailure = 163
    case authorizationDeniedJobID = 164
    case authorizationDeniedExecutable = 165
    case rslUserName = 166
    case invalidUserName = 167

    /// The upstream constant name without its `GLOBUS_GRAM_PROTOCOL_ERROR_` prefix, which is
    /// also the name of the `Globus::GRAM::Error` constructor in Perl.
    public var name: String {
        switch self {
        case .parameterNotSupported: "PARAMETER_NOT_SUPPORTED"
        case .invalidRequest: "INVALID_REQUEST"
        case .noResources: "NO_RESOURCES"
        case .badDirectory: "BAD_DIRECTORY"
        case .executableNotFound: "EXECUTABLE_NOT_FOUND"
        case .insufficientFunds: "INSUFFICIENT_FUNDS"
        case .authorization: "AUTHORIZATION"
        case .userCancelled: "USER_CANCELLED"
        case .systemCancelled: "SYSTEM_CANCELLED"
        case .protocolFailed: "PROTOCOL_FAILED"
        case .stdinNotFound: "STDIN_NOT_FOUND"
        case .connectionFailed: "CONNECTION_FAILED"
        case .invalidMaxTime: "INVALID_MAXTIME"
        case .invalidCount: "INVALID_COUNT"
        case .nullSpecificationTree: "NULL_SPECIFICATION_TREE"
        case .jmFailedAllowAttach: "JM_FAILED_ALLOW_ATTACH"
        case .jobExecutionFailed: "JOB_EXECUTION_FAILED"
        case .invalidParadyn: "INVALID_PARADYN"
        case .invalidJobType: "INVALID_JOBTYPE"
        case .invalidGramMyJob: "INVALID_GRAM_MYJOB"
        case .badScriptArgFile: "BAD_SCRIPT_ARG_FILE"
        case .argFileCreationFailed: "ARG_FILE_CREATION_FAILED"
        case .invalidJobState: "INVALID_JOBSTATE"
        case .invalidScriptReply: "INVALID_SCRIPT_REPLY"
        case .invalidScriptStatus: "INVALID_SCRIPT_STATUS"
        case .jobTypeNotSupported: "JOBTYPE_NOT_SUPPORTED"
        case .unimplemented: "UNIMPLEMENTED"
        case .tempScriptFileFailed: "TEMP_SCRIPT_FILE_FAILED"
        case .userProxyNotFound: "USER_PROXY_NOT_FOUND"
        case .openingUserProxy: "OPENING_USER_PROXY"
        case .jobCancelFailed: "JOB_CANCEL_FAILED"
        case .mallocFailed: "MALLOC_FAILED"
        case .ductInitFailed: "DUCT_INIT_FAILED"
        case .ductLSPFailed: "DUCT_LSP_FAILED"
        case .invalidHostCount: "INVALID_HOST_COUNT"
        case .unsupportedParameter: "UNSUPPORTED_PARAMETER"
        case .invalidQueue: "INVALID_QUEUE"
        case .invalidProject: "INVALID_PROJECT"
        case .rslEvaluationFailed: "RSL_EVALUATION_FAILED"
        case .badRSLEnvironment: "BAD_RSL_ENVIRONMENT"
        case .dryRun: "DRYRUN"
        case .zeroLengthRSL: "ZERO_LENGTH_RSL"
        case .stagingExecutable: "STAGING_EXECUTABLE"
        case .stagingStdin: "STAGING_STDIN"
        case .invalidJobManagerType: "INVALID_JOB_MANAGER_TYPE"
        case .badArguments: "BAD_ARGUMENTS"
        case .gatekeeperMisconfigured: "GATEKEEPER_MISCONFIGURED"
        case .badRSL: "BAD_RSL"
        case .versionMismatch: "VERSION_MISMATCH"
        case .rslArguments: "RSL_ARGUMENTS"
        case .rslCount: "RSL_COUNT"
        case .rslDirectory: "RSL_DIRECTORY"
        case .rslDryRun: "RSL_DRYRUN"
        case .rslEnvironment: "RSL_ENVIRONMENT"
        case .rslExecutable: "RSL_EXECUTABLE"
        case .rslHostCount: "RSL_HOST_COUNT"
        case .rslJobType: "RSL_JOBTYPE"
        case .rslMaxTime: "RSL_MAXTIME"
        case .rslMyJob: "RSL_MYJOB"
        case .rslParadyn: "RSL_PARADYN"
        case .rslProject: "RSL_PROJECT"
        case .rslQueue: "RSL_QUEUE"
        case .rslStderr: "RSL_STDERR"
        case .rslStdin: "RSL_STDIN"
        case .rslStdout: "RSL_STDOUT"
        case .openingJobManagerScript: "OPENING_JOBMANAGER_SCRIPT"
        case .creatingPipe: "CREATING_PIPE"
        case .fcntlFailed: "FCNTL_FAILED"
        case .stdoutFilenameFailed: "STDOUT_FILENAME_FAILED"
        case .stderrFilenameFailed: "STDERR_FILENAME_FAILED"
        case .forkingExecutable: "FORKING_EXECUTABLE"
        case .executablePermissions: "EXECUTABLE_PERMISSIONS"
        case .openingStdout: "OPENING_STDOUT"
        case .openingStderr: "OPENING_STDERR"
        case .openingCacheUserProxy: "OPENING_CACHE_USER_PROXY"
        case .openingCache: "OPENING_CACHE"
        case .insertingClientContact: "INSERTING_CLIENT_CONTACT"
        case .clientContactNotFound: "CLIENT_CONTACT_NOT_FOUND"
        case .contactingJobManager: "CONTACTING_JOB_MANAGER"
        case .invalidJobContact: "INVALID_JOB_CONTACT"
        case .undefinedExe: "UNDEFINED_EXE"
        case .condorArch: "CONDOR_ARCH"
        case .condorOs: "CONDOR_OS"
        case .rslMinMemory: "RSL_MIN_MEMORY"
        case .rslMaxMemory: "RSL_MAX_MEMORY"
        case .invalidMinMemory: "INVALID_MIN_MEMORY"
        case .invalidMaxMemory: "INVALID_MAX_MEMORY"
        case .httpFrameFailed: "HTTP_FRAME_FAILED"
        case .httpUnframeFailed: "HTTP_UNFRAME_FAILED"
        case .httpPackFailed: "HTTP_PACK_FAILED"
        case .httpUnpackFailed: "HTTP_UNPACK_FAILED"
        case .invalidJobQuery: "INVALID_JOB_QUERY"
        case .serviceNotFound: "SERVICE_NOT_FOUND"
        case .jobQueryDenial: "JOB_QUERY_DENIAL"
        case .callbackNotFound: "CALLBACK_NOT_FOUND"
        case .badGatekeeperContact: "BAD_GATEKEEPER_CONTACT"
        case .poeNotFound: "POE_NOT_FOUND"
        case .mPIRunNotFound: "MPIRUN_NOT_FOUND"
        case .rslStartTime: "RSL_START_TIME"
        case .rslReservationHandle: "RSL_RESERVATION_HANDLE"
        case .rslMaxWallTime: "RSL_MAX_WALL_TIME"
        case .invalidMaxWallTime: "INVALID_MAX_WALL_TIME"
        case .rslMaxCpuTime: "RSL_MAX_CPU_TIME"
        case .invalidMaxCpuTime: "INVALID_MAX_CPU_TIME"
        case .jmScriptNotFound: "JM_SCRIPT_NOT_FOUND"
        case .jmScriptPermissions: "JM_SCRIPT_PERMISSIONS"
        case .signalingJob: "SIGNALING_JOB"
        case .unknownSignalType: "UNKNOWN_SIGNAL_TYPE"
        case .gettingJobID: "GETTING_JOBID"
        case .waitingForCommit: "WAITING_FOR_COMMIT"
        case .commitTimedOut: "COMMIT_TIMED_OUT"
        case .rslSaveState: "RSL_SAVE_STATE"
        case .rslRestart: "RSL_RESTART"
        case .rslTwoPhaseCommit: "RSL_TWO_PHASE_COMMIT"
        case .invalidTwoPhaseCommit: "INVALID_TWO_PHASE_COMMIT"
        case .rslStdoutPosition: "RSL_STDOUT_POSITION"
        case .invalidStdoutPosition: "INVALID_STDOUT_POSITION"
        case .rslStderrPosition: "RSL_STDERR_POSITION"
        case .invalidStderrPosition: "INVALID_STDERR_POSITION"
        case .restartFailed: "RESTART_FAILED"
        case .noStateFile: "NO_STATE_FILE"
        case .readingStateFile: "READING_STATE_FILE"
        case .writingStateFile: "WRITING_STATE_FILE"
        case .oldJMAlive: "OLD_JM_ALIVE"
        case .ttlExpired: "TTL_EXPIRED"
        case .submitUnknown: "SUBMIT_UNKNOWN"
        case .rslRemoteIOURL: "RSL_REMOTE_IO_URL"
        case .writingRemoteIOURL: "WRITING_REMOTE_IO_URL"
        case .stdioSize: "STDIO_SIZE"
        case .jmStopped: "JM_STOPPED"
        case .userProxyExpired: "USER_PROXY_EXPIRED"
        case .jobUnsubmitted: "JOB_UNSUBMITTED"
        case .invalidCommit: "INVALID_COMMIT"
        case .rslSchedulerSpecific: "RSL_SCHEDULER_SPECIFIC"
        case .stageInFailed: "STAGE_IN_FAILED"
        case .invalidScratch: "INVALID_SCRATCH"
        case .rslCache: "RSL_CACHE"
        case .invalidSubmitAttribute: "INVALID_SUBMIT_ATTRIBUTE"
        case .invalidStdioUpdateAttribute: "INVALID_STDIO_UPDATE_ATTRIBUTE"
        case .invalidRestartAttribute: "INVALID_RESTART_ATTRIBUTE"
        case .rslFileStageIn: "RSL_FILE_STAGE_IN"
        case .rslFileStageInShared: "RSL_FILE_STAGE_IN_SHARED"
        case .rslFileStageOut: "RSL_FILE_STAGE_OUT"
        case .rslGassCache: "RSL_GASS_CACHE"
        case .rslFileCleanup: "RSL_FILE_CLEANUP"
        case .rslScratch: "RSL_SCRATCH"
        case .invalidSchedulerSpecific: "INVALID_SCHEDULER_SPECIFIC"
        case .undefinedAttribute: "UNDEFINED_ATTRIBUTE"
        case .invalidCache: "INVALID_CACHE"
        case .invalidSaveState: "INVALID_SAVE_STATE"
        case .openingValidationFile: "OPENING_VALIDATION_FILE"
        case .readingValidationFile: "READING_VALIDATION_FILE"
        case .rslProxyTimeout: "RSL_PROXY_TIMEOUT"
        case .invalidProxyTimeout: "INVALID_PROXY_TIMEOUT"
        case .stageOutFailed: "STAGE_OUT_FAILED"
        case .jobContactNotFound: "JOB_CONTACT_NOT_FOUND"
        case .delegationFailed: "DELEGATION_FAILED"
        case .lockingStateLockFile: "LOCKING_STATE_LOCK_FILE"
        case .invalidAttr: "INVALID_ATTR"
        case .nullParameter: "NULL_PARAMETER"
        case .stillStreaming: "STILL_STREAMING"
        case .authorizationDenied: "AUTHORIZATION_DENIED"
        case .authorizationSystemFailure: "AUTHORIZATION_SYSTEM_FAILURE"
        case .authorizationDeniedJobID: "AUTHORIZATION_DENIED_JOB_ID"
        case .authorizationDeniedExecutable: "AUTHORIZATION_DENIED_EXECUTABLE"
        case .rslUserName: "RSL_USER_NAME"
        case .invalidUserName: "INVALID_USER_NAME"
        }
    }
}
