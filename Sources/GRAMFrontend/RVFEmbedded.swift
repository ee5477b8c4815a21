/// Validation files compiled in, so that `wsbridge submit --rsl` validates like a job manager
/// without a Globus install, and as the fallback when the core file cannot be read.
///
/// `coreText` is `gram/jobmanager/source/globus-gram-job-manager.rvf` of the Grid Community
/// Toolkit (Apache License 2.0), with GCT's later records (`library_path` default, `loglevel`,
/// `logpattern`, `expiration`). Long descriptions are shortened; a stray doubled closing quote
/// in the `stderr` description is fixed. `workspaceText` is `adapters/gram/workspace.rvf` (a
/// test keeps the two equal).
enum RVFEmbedded {
    static let coreText = #"""
# RSL Validation Information for the base RSL supported by the job
# manager
Attribute: directory
Description: "Specifies the path of the directory the jobmanager will use as
              the default directory for the requested job."
Default: $(HOME)
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: executable
Description: "The name of the executable file to run on the remote machine.
              If the value is a GASS URL, the file is transferred to the
              remote gass cache before executing the job and removed after
              the job has terminated."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
RequiredWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: arguments
Description: "The command line arguments for the executable. Use quotes, if a
              space is required in a single argument."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: stdin
Description: "The name of the file to be used as standard input for the
              executable on the remote machine. If the value is a GASS URL,
              the file is transferred to the remote gass cache before
              executing the job and removed after the job has terminated."
Default: "/dev/null"
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: stdout
Description: "The name of the remote file to store the standard output from
              the job. If the value is a GASS URL, the standard output from
              the job is transferred dynamically during the execution of the
              job. There are two accepted forms of this value. It can consist
              of a single destination: stdout = URL, or a sequence of
              destinations: stdout = (DESTINATION) (DESTINATION). In the latter
              case, the DESTINATION may itself be a URL or a sequence of an
              x-gass-cache URL followed by a cache tag."
Default: "/dev/null"
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT GLOBUS_GRAM_JOB_MANAGER_RESTART GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT 

Attribute: stderr
Description: "The name of the remote file to store the standard error from
              the job. If the value is a GASS URL, the standard error from
              the job is transferred dynamically during the execution of the
              job.  There are two accepted forms of this value. It can consist
              of a single destination: stderr = URL, or a sequence of
              destinations: stderr = (DESTINATION) (DESTINATION). In the latter
              case, the DESTINATION may itself be a URL or a sequence of an
              x-gass-cache URL followed by a cache tag."
Default: "/dev/null"
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT GLOBUS_GRAM_JOB_MANAGER_RESTART GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT 

Attribute: count
Description: "The number of executions of the executable."
Default: 1
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: environment
Description: "The environment variables that will be defined for the
              executable in addition to default set that is given to the job
              by the jobmanager."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: max_time
Description: "The maximum walltime or cputime for a single execution of the
              executable. Walltime or cputime is selected by the GRAM
              scheduler being interfaced. The units is in minutes. The value
              will go through an atoi() conversion in order to get an
              integer."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: max_wall_time
Description: "Explicitly set the maximum walltime for a single execution of
              the executable. The units is in minutes. The value will go
              through an atoi() conversion in order to get an integer. If the
              GRAM scheduler cannot set walltime, then an error will be
              returned. "
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: max_cpu_time
Description: "Explicitly set the maximum cputime for a single execution of
              the executable. The units is in minutes. The value will go
              through an atoi() conversion in order to get an integer. If the
              GRAM scheduler cannot set cputime, then an error will be
              returned."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: job_type
Description: "This specifies how the jobmanager should start the job.
              Possible values are single (even if the count > 1, only start
              1 process or thread), multiple (start count processes or threads),
              mpi (use the appropriate method (e.g. mpirun) to start a program
              compiled with a vendor-provided MPI library. Program is started
              with count nodes), and condor (starts condor jobs in the
              \"condor\" universe.)"
Values: single multiple mpi condor
Default: multiple
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: gram_my_job
Description: "Obsolete and ignored."
Values: collective independent
Default: collective
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: queue
Description: "Target the job to a queue (class) name as defined by the
              scheduler at the defined (remote) resource."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: project
Description: "Target the job to be allocated to a project account as defined
              by the scheduler at the defined (remote) resource."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: host_count
Description: "Only applies to clusters of SMP computers, such as newer IBM SP
              systems. Defines the number of nodes (\"pizza boxes\") to
              distribute the \"count\" processes across."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: dry_run
Description: "If dryrun = yes then the jobmanager will not submit the job for
              execution and will return success."
Default: no
Values: yes no
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: min_memory
Description: "Explicitly set the minimum amount of memory for a single execution
              of the executable. The units is in Megabytes. The value will go
              through an atoi() conversion in order to get an integer. If the
              GRAM scheduler cannot set minMemory, then an error will be
              returned."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: max_memory
Description: "Explicitly set the maximum amount of memory for a single execution
              of the executable. The units is in Megabytes. The value will go
              through an atoi() conversion in order to get an integer. If the
              GRAM scheduler cannot set maxMemory, then an error will be
              returned."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: save_state
Description: "Causes the jobmanager to save it's job state information to a
              persistent file on disk. If the job manager exits or is
              suspended, the client can later start up a new job manager
              which can continue monitoring the job."
Values: yes no
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: two_phase
Description: "Use a two-phase commit for job submission and completion. The
              job manager will respond to the initial job request with a
              WAITING_FOR_COMMIT error. It will then wait for a signal from
              the client before doing the actual job submission. The integer
              supplied is the number of seconds the job manager should wait
              before timing out."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: remote_io_url
Description: "Writes the given value (a URL base string) to a file, and adds
              the path to that file to the environment throught the
              GLOBUS_REMOTE_IO_URL environment variable."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT GLOBUS_GRAM_JOB_MANAGER_RESTART GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE

Attribute: scratch_dir
Description: "Specifies the location to create a scratch subdirectory in.
              A SCRATCH_DIRECTORY RSL substitution will be filled with the
              name of the directory which is created."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: rsl_substitution
Description: "Specifies a list of values which can be substituted into other
              rsl attributes' values through the $(SUBSTITUTION) mechanism."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT GLOBUS_GRAM_JOB_MANAGER_RESTART

Attribute: restart
Description: "Start a new job manager, but instead of submitting a new job,
          start managing an existing job."
RequiredWhen: GLOBUS_GRAM_JOB_MANAGER_RESTART
ValidWhen: GLOBUS_GRAM_JOB_MANAGER_RESTART

Attribute: stdout_position
Description: "Specifies where in the file remote output streaming should be
              restarted from. Must be 0."
ValidWhen: GLOBUS_GRAM_JOB_MANAGER_RESTART GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE
Values: 0

Attribute: stderr_position
Description: "Specifies where in the file remote standard error streaming
              should be restarted from. Must be 0."
ValidWhen: GLOBUS_GRAM_JOB_MANAGER_RESTART GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE
Values: 0

Attribute: file_stage_in
Description: "Specifies a list of (\"remote URL\" \"local file\") pairs which
              indicate files to be staged to the nodes which will run the
              job."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: file_stage_in_shared
Description: "Specifies a list of (\"remote URL\" \"local file\") pairs which
              indicate files to be staged into the cache. A symlink from the
              cache to the \"local file\" path will be made."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: file_stage_out
Description: "Specifies a list of (\"local file\" \"remote URL\") pairs which
              indicate files to be staged from the job to a GASS-compatible
              file server."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: file_clean_up
Description: "Specifies a list of files which will be removed after the job
              is completed."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: gass_cache
Description: Specifies location to override the GASS cache location.
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: proxy_timeout
Description: "Obsolete and ignored. Now a job-manager-wide setting."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT GLOBUS_GRAM_JOB_MANAGER_RESTART

Attribute: library_path
Description: "Specifies a list of paths to be appended to the system-specific
              library path environment variables."
Default: $(GLOBUS_LOCATION)/lib
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: username
Description: Verify that the job is running as this user.
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: restartcontacts
Description: "When restarting, use job state callback contacts from the
             original request. Internally generated."
ValidWhen: GLOBUS_GRAM_JOB_MANAGER_RESTART
Values: yes no
Default: no
DefaultWhen: GLOBUS_GRAM_JOB_MANAGER_RESTART
Publish: false

Attribute: savejobdescription
Description: "Save a copy of the job description to $HOME"
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
Values: yes no
Default: no
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: loglevel
Description: "Override the default log level for this job. The value of this
              attribute must be a combination of the strings FATAL, ERROR,
              WARN, INFO, DEBUG, TRACE joined by the | character."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: logpattern
Description: "Override the default log path pattern for this job."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT

Attribute: expiration
Description: "Time (in seconds) after a job terminates but before the job
              manager receives a commit end signal that the job manager will
              keep the job state."
Default: 14400
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen: GLOBUS_GRAM_JOB_SUBMIT

"""#

    static let workspaceText = #"""
# RSL attributes of the "workspace" LRM (wsbridge), in addition to the job
# manager's core attributes. Install as
#   ${datadir}/globus/globus_gram_job_manager/workspace.rvf
# Sites may override fields in ${sysconfdir}/globus/gram/workspace.rvf.
#
# Keep "Values:" off the last line of a record: the job manager's RVF parser
# drops a Values line that ends a record.

Attribute: workspace_class
Description: "Name of the workspace class to run the job in, as configured in
              the wsbridge config. Without it, queue names the class, and
              without either the site's default class is used."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen:
RequiredWhen:

Attribute: xcount
Description: "Number of CPUs each process of the job needs in its workspace."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen:
RequiredWhen:

Attribute: min_disk
Description: "Disk space in megabytes that the job's workspace must have."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen:
RequiredWhen:

Attribute: max_retries
Description: "How many times wsbridge runs the job again after a failed run
              (non-zero exit or killed). Default: the site's setting."
ValidWhen: GLOBUS_GRAM_JOB_SUBMIT
DefaultWhen:
RequiredWhen:

"""#

    static let coreRecords: [RVFRecord] = (try? RVFParser.parse(coreText, file: "globus-gram-job-manager.rvf")) ?? []
    static let workspaceRecords: [RVFRecord] = (try? RVFParser.parse(workspaceText, file: "workspace.rvf")) ?? []
}
