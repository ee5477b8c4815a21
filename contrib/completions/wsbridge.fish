function __wsbridge_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wsbridge_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __wsbridge_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wsbridge_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __wsbridge_parse_tokens -S
    set -l unparsed_tokens (__wsbridge_tokens -pc)
    switch $unparsed_tokens[1]
    case 'wsbridge'
        __wsbridge_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'serve'
            __wsbridge_parse_subcommand 0 'state-dir=' 'config=' 'socket=' 'log-level=' 'h/help'
        case 'submit'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'json' 'class=' 'output=' 'error=' 'input=' 'directory=' 'env=+' 'max-retries=' 'count=' 'memory=' 'wall-time=' 'cpu-time=' 'priority=' 'hold' 'rsl=' 'rsl-file=' 'define=+' 'h/help'
        case 'status'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'json' 'history' 'limit=' 'before=' 'watch' 'interval=' 'h/help'
        case 'q'
            __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'json' 'h/help'
        case 'wait'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'json' 'timeout=' 'h/help'
        case 'cancel'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'h/help'
        case 'hold'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'h/help'
        case 'release'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'h/help'
        case 'suspend'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'h/help'
        case 'resume'
            __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'h/help'
        case 'workspaces'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'json' 'h/help'
            case 'show'
                __wsbridge_parse_subcommand 1 'state-dir=' 'socket=' 'server=+' 'json' 'h/help'
            case 'destroy'
                __wsbridge_parse_subcommand 1 'state-dir=' 'socket=' 'server=+' 'h/help'
            end
        case 'policy'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'show'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'json' 'h/help'
            case 'reload'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'h/help'
            case 'explain'
                __wsbridge_parse_subcommand 1 'state-dir=' 'socket=' 'server=+' 'json' 'h/help'
            end
        case 'events'
            __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'json' 'follow' 'job=' 'after=' 'h/help'
        case 'accounting'
            __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'json' 'since=' 'until=' 'owner=' 'h/help'
        case 'condor'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'parse'
                __wsbridge_parse_subcommand 1 'json' 'cluster=' 'syntax=' 'h/help'
            case 'eval'
                __wsbridge_parse_subcommand 0 'h/help'
            end
        case 'blah'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'submit'
                __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'help'
            case 'status'
                __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'help'
            case 'cancel'
                __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'help'
            case 'hold'
                __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'help'
            case 'resume'
                __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'help'
            case 'ping'
                __wsbridge_parse_subcommand -r 1 'state-dir=' 'socket=' 'server=+' 'help'
            end
        case 'rsl'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'parse'
                __wsbridge_parse_subcommand 1 'evaluate' 'define=+' 'h/help'
            end
        case 'gram'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'submit'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'settle=' 'h/help'
            case 'poll'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'h/help'
            case 'cancel'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'h/help'
            case 'signal'
                __wsbridge_parse_subcommand 0 'state-dir=' 'socket=' 'server=+' 'h/help'
            end
        case 'bench'
            __wsbridge_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'dispatch'
                __wsbridge_parse_subcommand 0 'jobs=' 'workspaces=' 'slots=' 'idle-jobs=' 'metrics=' 'rounds=' 'store=' 'json' 'h/help'
            case 'submit'
                __wsbridge_parse_subcommand 0 'small=' 'large=' 'samples=' 'json' 'h/help'
            case 'gram'
                __wsbridge_parse_subcommand 0 'jobs=' 'json' 'contact=' 'netns=' 'user=' 'service=+' 'timeout=' 'sleep=' 'h/help'
            case 'workspace'
                __wsbridge_parse_subcommand 0 'guest-dir=' 'uri=' 'domain-type=' 'memory=' 'samples=' 'modes=' 'setting=+' 'jobs=' 'parallel=' 'json' 'h/help'
            case 'boot'
                __wsbridge_parse_subcommand 0 'guest-dir=' 'uri=' 'domain-type=' 'memory=' 'boots=' 'lpj=' 'only=' 'cmdline=' 'show-log' 'json' 'h/help'
            case 'staging'
                __wsbridge_parse_subcommand 0 'guest-dir=' 'uri=' 'domain-type=' 'large-mb=' 'small-files=' 'small-kb=' 'json' 'h/help'
            end
        case 'demo'
            __wsbridge_parse_subcommand 0 'directory=' 'keep' 'h/help'
        case 'help'
            __wsbridge_parse_subcommand -r 1 
        end
    end
end

function __wsbridge_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __wsbridge_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __wsbridge_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __wsbridge_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__wsbridge_tokens -p)
    if test -z "$(__wsbridge_tokens -t)"
        set -l index (count (__wsbridge_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'wsbridge' -f
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'serve' -d 'Run the daemon: store, scheduler, workspaces and the API socket.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'submit' -d 'Submit a job; prints its id.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'status' -d 'Show jobs: the given ones, or all of yours.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'q' -d 'Sum up the jobs you may see: how many per owner in each state.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'wait' -d 'Wait until jobs finish.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'cancel' -d 'Cancel jobs; running ones are killed in their workspace.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'hold' -d 'Hold jobs: they stop (if running) and wait until released.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'release' -d 'Release held jobs back into the queue.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'suspend' -d 'Suspend running jobs (SIGSTOP to their process group).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'resume' -d 'Resume suspended jobs.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'workspaces' -d 'List, show or destroy workspaces, with the enforcement that took effect in each.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'policy' -d 'Show or reload the throttle policy, or explain why a job waits.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'events' -d 'Print the daemon\'s events: job state changes and workspace events.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'accounting' -d 'Show the accounting records of finished runs: wall and CPU time, peak memory, cores, owner and grid identity.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'condor' -d 'HTCondor\'s languages: parse submit files, evaluate ClassAd expressions.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'blah' -d 'The blahp LRM `workspace`: the submit, status, cancel, hold, resume and ping scripts.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'rsl' -d 'GRAM\'s Resource Specification Language.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'gram' -d 'The GRAM5 LRM adapter\'s commands (run by workspace.pm).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'bench' -d 'Benchmarks: programs that print figures.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'demo' -d 'A demonstration: a daemon on the embedded default, GRAM and HTCondor jobs, throttled, to completion.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge serve" state-dir' -l 'state-dir' -d 'State directory (store, workspaces, socket).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge serve" config' -l 'config' -d 'Admin config file (TOML).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge serve" socket' -l 'socket' -d 'API socket path (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge serve" log-level' -l 'log-level' -d 'Least level logged to standard error: trace, debug, info, notice, warning, error, critical (default: $WSBRIDGE_LOG_LEVEL, else the config\'s [log] level, else info).' -rfka 'trace debug info notice warning error critical'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" class' -l 'class' -d 'Workspace class.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" output' -l 'output' -d 'File for the job\'s standard output.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" error' -l 'error' -d 'File for the job\'s standard error.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" input' -l 'input' -d 'File for the job\'s standard input.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" directory' -l 'directory' -d 'Working directory.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit"' -l 'env' -d 'Environment variable (repeatable).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" max-retries' -l 'max-retries' -d 'Retries after a failed run (default: the site\'s [retry] max_retries).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" count' -l 'count' -d 'Number of processes (one job each).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" memory' -l 'memory' -d 'Memory limit in MB.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" wall-time' -l 'wall-time' -d 'Wall-clock limit in seconds.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" cpu-time' -l 'cpu-time' -d 'CPU-time limit in seconds.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" priority' -l 'priority' -d 'Priority among your own jobs (higher first).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" hold' -l 'hold' -d 'Submit on hold; `wsbridge release` lets it run.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" rsl' -l 'rsl' -d 'Submit a job described in GRAM\'s RSL instead of a command.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" rsl-file' -l 'rsl-file' -d 'Read the RSL from a file.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit"' -l 'define' -d 'An RSL variable for --rsl (repeatable).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge submit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" history' -l 'history' -d 'Include each job\'s history of state changes.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" limit' -l 'limit' -d 'Show at most this many jobs, the newest (1 to 10000).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" before' -l 'before' -d 'Show only jobs older than this id (the next page).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" watch' -l 'watch' -d 'Show the listing again every --interval seconds until interrupted (Ctrl-C): in place on a terminal, else as snapshots separated by a blank line.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" interval' -l 'interval' -d 'Seconds between refreshes with --watch (0.5 to 3600).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge q" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge q" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge q"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge q" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge q" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge wait" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge wait" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge wait"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge wait" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge wait" timeout' -l 'timeout' -d 'Give up after this many seconds (exit 124).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge wait" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge cancel" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge cancel" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge cancel"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge hold" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge hold" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge hold"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge hold" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge release" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge release" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge release"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge release" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge suspend" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge suspend" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge suspend"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge suspend" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge resume" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge resume" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge resume"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge workspaces" -eq 1' -fa 'list' -d 'List workspaces: class, provider, host, state, age, jobs, image digest (and whether it is outdated) and enforcement.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge workspaces" -eq 1' -fa 'show' -d 'Show one workspace in full.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge workspaces" -eq 1' -fa 'destroy' -d 'Destroy a workspace; its running jobs are requeued.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces list" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces list" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces list"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces list" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces show" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces show" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces show"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces show" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces destroy" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces destroy" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces destroy"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge workspaces destroy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge policy" -eq 1' -fa 'show' -d 'Show the policy in force.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge policy" -eq 1' -fa 'reload' -d 'Reload the config file (same as SIGHUP to the daemon).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge policy" -eq 1' -fa 'explain' -d 'Say in one line which limit holds a waiting job.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy show" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy show" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy show"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy show" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy reload" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy reload" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy reload"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy explain" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy explain" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy explain"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy explain" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge policy explain" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" follow' -l 'follow' -d 'Keep printing new events as they happen.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" job' -l 'job' -d 'Only this job\'s events.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" after' -l 'after' -d 'Start after this sequence number.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge events" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" since' -l 'since' -d 'Runs that ended at or after this time.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" until' -l 'until' -d 'Runs that ended before this time (default: now).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" owner' -l 'owner' -d 'Only this user\'s runs (a name or uid; others than yourself: admins only).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge accounting" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge condor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge condor" -eq 1' -fa 'parse' -d 'Print, for every proc of a submit file, the job ClassAd HTCondor would make and the resulting job spec.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge condor" -eq 1' -fa 'eval' -d 'Evaluate ClassAd expressions, one per line on standard input; prints one result per line.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge condor parse" json' -l 'json' -d 'One JSON array, one object per proc with `ad` (attribute → ClassAd expression text) and `spec`.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge condor parse" cluster' -l 'cluster' -d 'The cluster number for $(Cluster).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge condor parse" syntax' -l 'syntax' -d 'ClassAd syntax of the printed values: old (as condor_q -l prints job ads) or new (as condor_q -long:new).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge condor parse" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge condor eval" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge blah" -eq 1' -fa 'submit' -d 'Submit a job: the submit script\'s options (bls_parse_submit_options), then -- and its arguments.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge blah" -eq 1' -fa 'status' -d 'Print one status line per job: 0[BatchJobId=...;JobStatus=N;...] or 1<error>.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge blah" -eq 1' -fa 'cancel' -d 'Cancel jobs; prints one result line per job (a job already gone counts as cancelled).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge blah" -eq 1' -fa 'hold' -d 'Hold a job (a running one is stopped and will start again when released).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge blah" -eq 1' -fa 'resume' -d 'Release a held job back into the queue, or resume a suspended one.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge blah" -eq 1' -fa 'ping' -d 'Check that the daemon answers: prints \'0 No error\' or \'1 <reason>\'; exits 0.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah submit" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah submit" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah submit"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah submit" help' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah status" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah status" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah status"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah status" help' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah cancel" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah cancel" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah cancel"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah cancel" help' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah hold" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah hold" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah hold"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah hold" help' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah resume" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah resume" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah resume"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah resume" help' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah ping" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah ping" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah ping"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge blah ping" help' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge rsl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge rsl" -eq 1' -fa 'parse' -d 'Read one RSL (argument or standard input) and print its canonical form, as globus_rsl_unparse does.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge rsl parse" evaluate' -l 'evaluate' -d 'Evaluate first: rsl_substitution and $(VAR) references, concatenation folded.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge rsl parse"' -l 'define' -d 'Define an RSL variable (repeatable).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge rsl parse" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge gram" -eq 1' -fa 'submit' -d 'Submit the described job; reply JOB_ID and JOB_STATE or ERROR.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge gram" -eq 1' -fa 'poll' -d 'Reply the described job\'s GRAM state.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge gram" -eq 1' -fa 'cancel' -d 'Cancel the described job (every sub-job).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge gram" -eq 1' -fa 'signal' -d 'Signal the described job: cancel, suspend, resume.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram submit" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram submit" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram submit"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram submit" settle' -l 'settle' -d 'Wait up to this long for the job to end before replying: a job over by then is reported DONE at once, without the job manager\'s SEG reader (2 s timer) or poll (10 s); 0 does not wait.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram submit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram poll" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram poll" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram poll"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram poll" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram cancel" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram cancel" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram cancel"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram signal" state-dir' -l 'state-dir' -d 'The daemon\'s state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram signal" socket' -l 'socket' -d 'The daemon\'s API socket (default: <state-dir>/api.sock).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram signal"' -l 'server' -d 'A daemon\'s network API, authenticated with MUNGE; repeat to name a standby, tried in order (default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge gram signal" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge bench" -eq 1' -fa 'dispatch' -d 'Throughput and latency of trivial jobs through the daemon into warm local workspaces, and natively.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge bench" -eq 1' -fa 'submit' -d 'Submit latency at a short and a long queue of one owner; daemon memory, idle CPU and restart time with the long one.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge bench" -eq 1' -fa 'gram' -d 'Latency of a trivial job through a real GRAM5 gatekeeper: fork vs workspace vs workspace with SEG.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge bench" -eq 1' -fa 'workspace' -d 'Submit-to-start of jobs into libvirt guests through the daemon: cold (a boot per job), warm, paused, saved; jobs/s into a warm guest.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge bench" -eq 1' -fa 'boot' -d 'Guest boot time (domain start to agent hello) for each boot setting of a libvirt class, with its phases.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_positional "wsbridge bench" -eq 1' -fa 'staging' -d 'MB/s of inputs into and outputs out of a libvirt guest (one large file, many small ones), against cp on the host.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" jobs' -l 'jobs' -d 'Number of jobs.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" workspaces' -l 'workspaces' -d 'Warm workspaces to spread them over.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" slots' -l 'slots' -d 'Slots (jobs at once) per workspace.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" idle-jobs' -l 'idle-jobs' -d 'Jobs submitted one at a time into the idle daemon, for the submit-to-start latency.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" metrics' -l 'metrics' -d 'The daemon\'s metrics listener: off, on (scraped every second while jobs run), or compare (throughput with metrics off and on, in turn, in this one run).' -rfka 'off on compare'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" rounds' -l 'rounds' -d 'With --metrics compare or --store: rounds of each (off, on, off, on ...).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" store' -l 'store' -d 'Also run on a PostgreSQL store, in a new database beside the one this URL names (its role must be allowed to create databases), in turn with SQLite in this one run.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" json' -l 'json' -d 'Print one JSON object.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench dispatch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench submit" small' -l 'small' -d 'Queued jobs of the short queue.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench submit" large' -l 'large' -d 'Queued jobs of the long queue.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench submit" samples' -l 'samples' -d 'Single-job submits timed at each queue length.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench submit" json' -l 'json' -d 'Print one JSON object.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench submit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" jobs' -l 'jobs' -d 'Measured jobs per service.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" contact' -l 'contact' -d 'Gatekeeper contact (default: from the setup\'s settings, else localhost:2119).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" netns' -l 'netns' -d 'The gatekeeper\'s network namespace (default: from the settings, else gramlive).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" user' -l 'user' -d 'The mapped grid user (default: from the settings, else gramuser).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram"' -l 'service' -d 'A gatekeeper service to measure (repeatable; the first is the baseline).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" timeout' -l 'timeout' -d 'Give up on one job after this many seconds.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" sleep' -l 'sleep' -d 'Make each job run this long first (/bin/sh -c \'sleep S; echo WORD\'): shows the polled service\'s 10 s steps.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench gram" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" guest-dir' -l 'guest-dir' -d 'Directory with the guest\'s vmlinuz and initrd.img (contrib/guest-image/build.sh with the wsbridge-agent binary).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" uri' -l 'uri' -d 'libvirt URI.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" domain-type' -l 'domain-type' -d 'Domain type: qemu (TCG) or kvm.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" memory' -l 'memory' -d 'Guest memory in MiB.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" samples' -l 'samples' -d 'Jobs per mode for the latency figures (one at a time).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" modes' -l 'modes' -d 'Modes to measure, comma separated: cold, warm, paused, saved.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace"' -l 'setting' -d 'Extra class settings for every mode, as KEY=VALUE (e.g. firmware=qboot).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" jobs' -l 'jobs' -d 'Jobs for the throughput figure (into the warm guest; 0 leaves it out).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" parallel' -l 'parallel' -d 'Jobs in flight at once for the throughput figure (the warm guest\'s slots).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" json' -l 'json' -d 'Print one JSON object.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench workspace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" guest-dir' -l 'guest-dir' -d 'Directory with the guest\'s vmlinuz and initrd.img (contrib/guest-image/build.sh).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" uri' -l 'uri' -d 'libvirt URI.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" domain-type' -l 'domain-type' -d 'Domain type: qemu (TCG) or kvm.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" memory' -l 'memory' -d 'Guest memory in MiB.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" boots' -l 'boots' -d 'Boots per setting (the median is printed).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" lpj' -l 'lpj' -d 'The lpj value for the settings that preset it (a guest\'s boot log says lpj=...); none leaves those out.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" only' -l 'only' -d 'Only these settings (comma separated names, as printed).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" cmdline' -l 'cmdline' -d 'Extra kernel arguments for every boot (the class\'s cmdline), e.g. loglevel=7 to see the kernel\'s own steps.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" show-log' -l 'show-log' -d 'Print each boot\'s serial log.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" json' -l 'json' -d 'Print one JSON object.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench boot" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" guest-dir' -l 'guest-dir' -d 'Directory with the guest\'s vmlinuz and initrd.img (contrib/guest-image/build.sh with the wsbridge-agent binary).' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" uri' -l 'uri' -d 'libvirt URI.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" domain-type' -l 'domain-type' -d 'Domain type: qemu (TCG) or kvm.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" large-mb' -l 'large-mb' -d 'Size of the large file, MiB.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" small-files' -l 'small-files' -d 'Number of small files.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" small-kb' -l 'small-kb' -d 'Size of each small file, KiB.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" json' -l 'json' -d 'Print one JSON object.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge bench staging" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge demo" directory' -l 'directory' -d 'Where the demo keeps its daemon state and the jobs\' output.' -rfka ''
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge demo" keep' -l 'keep' -d 'Leave the daemon running at the end (stop it with kill).'
complete -c 'wsbridge' -n '__wsbridge_should_offer_completions_for_flags_or_options "wsbridge demo" h help' -s 'h' -l 'help' -d 'Show help information.'
