# Bash completion for cs (Crowdstream).  Source it, or install it as
# /usr/local/share/bash-completion/completions/cs ('make install' does).
# zsh: autoload -U +X bashcompinit && bashcompinit && source this file.
#
# Nothing here lists options by hand: the commands come from 'cs --help'
# and every option, its value name and its choices from
# 'cs help --all-options' (one tab-separated line per option:
# CMD -S|- --LONG|- ARG|- NARGS CHOICES|- HELP), asked once per shell.

_cs_load() {
    [ -n "${_cs_opts_loaded:-}" ] && return 0
    local cs=${1:-cs}
    _cs_commands=$("$cs" --help 2>/dev/null |
        awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on { on = 0 }')
    _cs_options=$("$cs" help --all-options 2>/dev/null)
    [ -n "$_cs_options" ] && _cs_opts_loaded=1
}

# _cs_field CMD OPTION N: field N of OPTION's line for CMD (or cs itself).
_cs_field() {
    awk -F'\t' -v c="$1" -v o="$2" -v n="$3" \
        '($1 == c || $1 == "cs") && ($3 == o || $2 == o) { print $n; exit }' <<<"$_cs_options"
}

_cs() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w
    COMPREPLY=()
    _cs_load "${COMP_WORDS[0]}"
    # The command: the first word that is not an option or an option's value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            [[ $w != *=* && "$(_cs_field "${cmd:-cs}" "$w" 5)" =~ ^[1-9] ]] && ((i++))
            continue
        fi
        if [ -z "$cmd" ]; then cmd=$w; continue; fi
    done
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    # The value of an option: its choices, else files or folders.
    if [[ $prev == -* && $cur != -* ]]; then
        local nargs choices argh
        nargs=$(_cs_field "${cmd:-cs}" "$prev" 5)
        if [ -n "$nargs" ] && [ "$nargs" != 0 ]; then
            choices=$(_cs_field "${cmd:-cs}" "$prev" 6)
            argh=$(_cs_field "${cmd:-cs}" "$prev" 4)
            if [ "$choices" != - ]; then
                COMPREPLY=($(compgen -W "${choices//,/ }" -- "$cur"))
            elif [[ $argh == DIR* ]]; then
                COMPREPLY=($(compgen -d -- "$cur"))
            elif [[ $argh == FILE* || $argh == PATH* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return 0
        fi
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$(awk -F'\t' -v c="${cmd:-cs}" '$1 == c || $1 == "cs" {
                   if ($3 != "-") print $3; if ($2 != "-") print $2 }' <<<"$_cs_options")
        [ -n "$cmd" ] && opts="$opts --help"
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return 0
    fi
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "$_cs_commands help" -- "$cur"))
    elif [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$_cs_commands --all-options" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))   # STRUCT_DIR, DIR, ...
    fi
    return 0
}
complete -o filenames -o bashdefault -F _cs cs
