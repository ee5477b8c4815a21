#!/bin/bash

__wsbridge_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__wsbridge_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__wsbridge_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__wsbridge_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_wsbridge() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(-h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve|submit|status|q|wait|cancel|hold|release|suspend|resume|workspaces|hosts|policy|events|accounting|condor|blah|rsl|gram|bench|demo|help)
        # Offer subcommand argument completions
        "_wsbridge_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve submit status q wait cancel hold release suspend resume workspaces hosts policy events accounting condor blah rsl gram bench demo help' -- "${cur}"))
        ;;
    esac
}

_wsbridge_serve() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--state-dir --config --socket --log-level)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--config')
        return
        ;;
    '--socket')
        return
        ;;
    '--log-level')
        __wsbridge_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'
        return
        ;;
    esac
}

_wsbridge_submit() {
    repeating_flags=()
    non_repeating_flags=(--json --hold -h --help)
    repeating_options=(--server --env --define)
    non_repeating_options=(--state-dir --socket --class --output --error --input --directory --max-retries --count --memory --wall-time --cpu-time --priority --rsl --rsl-file)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--class')
        return
        ;;
    '--output')
        return
        ;;
    '--error')
        return
        ;;
    '--input')
        return
        ;;
    '--directory')
        return
        ;;
    '--env')
        return
        ;;
    '--max-retries')
        return
        ;;
    '--count')
        return
        ;;
    '--memory')
        return
        ;;
    '--wall-time')
        return
        ;;
    '--cpu-time')
        return
        ;;
    '--priority')
        return
        ;;
    '--rsl')
        return
        ;;
    '--rsl-file')
        return
        ;;
    '--define')
        return
        ;;
    esac
}

_wsbridge_status() {
    repeating_flags=()
    non_repeating_flags=(--json --history --watch -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket --limit --before --interval)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--limit')
        return
        ;;
    '--before')
        return
        ;;
    '--interval')
        return
        ;;
    esac
}

_wsbridge_q() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_wait() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket --timeout)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_wsbridge_cancel() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_hold() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_release() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_suspend() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_resume() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_workspaces() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|retune|destroy)
        # Offer subcommand argument completions
        "_wsbridge_workspaces_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show retune destroy' -- "${cur}"))
        ;;
    esac
}

_wsbridge_workspaces_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_workspaces_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_workspaces_retune() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket --memory --cpus --cpu-weight --cpu-cap --disk --bandwidth)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--memory')
        return
        ;;
    '--cpus')
        return
        ;;
    '--cpu-weight')
        return
        ;;
    '--cpu-cap')
        return
        ;;
    '--disk')
        return
        ;;
    '--bandwidth')
        return
        ;;
    esac
}

_wsbridge_workspaces_destroy() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_hosts() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|drain|undrain)
        # Offer subcommand argument completions
        "_wsbridge_hosts_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list drain undrain' -- "${cur}"))
        ;;
    esac
}

_wsbridge_hosts_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_hosts_drain() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_hosts_undrain() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_policy() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    show|reload|explain)
        # Offer subcommand argument completions
        "_wsbridge_policy_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'show reload explain' -- "${cur}"))
        ;;
    esac
}

_wsbridge_policy_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_policy_reload() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_policy_explain() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_events() {
    repeating_flags=()
    non_repeating_flags=(--json --follow -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket --job --after)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--job')
        return
        ;;
    '--after')
        return
        ;;
    esac
}

_wsbridge_accounting() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket --since --until --owner)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--owner')
        return
        ;;
    esac
}

_wsbridge_condor() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    parse|eval)
        # Offer subcommand argument completions
        "_wsbridge_condor_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'parse eval' -- "${cur}"))
        ;;
    esac
}

_wsbridge_condor_parse() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--cluster --syntax)
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--cluster')
        return
        ;;
    '--syntax')
        return
        ;;
    esac
}

_wsbridge_condor_eval() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0
}

_wsbridge_blah() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    submit|status|cancel|hold|resume|ping)
        # Offer subcommand argument completions
        "_wsbridge_blah_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'submit status cancel hold resume ping' -- "${cur}"))
        ;;
    esac
}

_wsbridge_blah_submit() {
    repeating_flags=()
    non_repeating_flags=(--help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_blah_status() {
    repeating_flags=()
    non_repeating_flags=(--help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_blah_cancel() {
    repeating_flags=()
    non_repeating_flags=(--help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_blah_hold() {
    repeating_flags=()
    non_repeating_flags=(--help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_blah_resume() {
    repeating_flags=()
    non_repeating_flags=(--help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_blah_ping() {
    repeating_flags=()
    non_repeating_flags=(--help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_rsl() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    parse)
        # Offer subcommand argument completions
        "_wsbridge_rsl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'parse' -- "${cur}"))
        ;;
    esac
}

_wsbridge_rsl_parse() {
    repeating_flags=()
    non_repeating_flags=(--evaluate -h --help)
    repeating_options=(--define)
    non_repeating_options=()
    __wsbridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--define')
        return
        ;;
    esac
}

_wsbridge_gram() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    submit|poll|cancel|signal)
        # Offer subcommand argument completions
        "_wsbridge_gram_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'submit poll cancel signal' -- "${cur}"))
        ;;
    esac
}

_wsbridge_gram_submit() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket --settle)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    '--settle')
        return
        ;;
    esac
}

_wsbridge_gram_poll() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_gram_cancel() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_gram_signal() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=(--server)
    non_repeating_options=(--state-dir --socket)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        return
        ;;
    '--socket')
        return
        ;;
    '--server')
        return
        ;;
    esac
}

_wsbridge_bench() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __wsbridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    dispatch|submit|gram|workspace|boot|staging)
        # Offer subcommand argument completions
        "_wsbridge_bench_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'dispatch submit gram workspace boot staging' -- "${cur}"))
        ;;
    esac
}

_wsbridge_bench_dispatch() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--jobs --workspaces --slots --idle-jobs --metrics --rounds --store)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--jobs')
        return
        ;;
    '--workspaces')
        return
        ;;
    '--slots')
        return
        ;;
    '--idle-jobs')
        return
        ;;
    '--metrics')
        __wsbridge_add_completions -W 'off'$'\n''on'$'\n''compare'
        return
        ;;
    '--rounds')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_wsbridge_bench_submit() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--small --large --samples)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--small')
        return
        ;;
    '--large')
        return
        ;;
    '--samples')
        return
        ;;
    esac
}

_wsbridge_bench_gram() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--service)
    non_repeating_options=(--jobs --contact --netns --user --timeout --sleep)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--jobs')
        return
        ;;
    '--contact')
        return
        ;;
    '--netns')
        return
        ;;
    '--user')
        return
        ;;
    '--service')
        return
        ;;
    '--timeout')
        return
        ;;
    '--sleep')
        return
        ;;
    esac
}

_wsbridge_bench_workspace() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--setting)
    non_repeating_options=(--guest-dir --uri --domain-type --memory --samples --modes --jobs --parallel)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--guest-dir')
        return
        ;;
    '--uri')
        return
        ;;
    '--domain-type')
        return
        ;;
    '--memory')
        return
        ;;
    '--samples')
        return
        ;;
    '--modes')
        return
        ;;
    '--setting')
        return
        ;;
    '--jobs')
        return
        ;;
    '--parallel')
        return
        ;;
    esac
}

_wsbridge_bench_boot() {
    repeating_flags=()
    non_repeating_flags=(--show-log --json -h --help)
    repeating_options=()
    non_repeating_options=(--guest-dir --uri --domain-type --memory --boots --lpj --only --cmdline)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--guest-dir')
        return
        ;;
    '--uri')
        return
        ;;
    '--domain-type')
        return
        ;;
    '--memory')
        return
        ;;
    '--boots')
        return
        ;;
    '--lpj')
        return
        ;;
    '--only')
        return
        ;;
    '--cmdline')
        return
        ;;
    esac
}

_wsbridge_bench_staging() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--guest-dir --uri --domain-type --large-mb --small-files --small-kb)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--guest-dir')
        return
        ;;
    '--uri')
        return
        ;;
    '--domain-type')
        return
        ;;
    '--large-mb')
        return
        ;;
    '--small-files')
        return
        ;;
    '--small-kb')
        return
        ;;
    esac
}

_wsbridge_demo() {
    repeating_flags=()
    non_repeating_flags=(--keep -h --help)
    repeating_options=()
    non_repeating_options=(--directory)
    __wsbridge_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--directory')
        return
        ;;
    esac
}

_wsbridge_help() {
    :
}

complete -o filenames -F _wsbridge wsbridge
