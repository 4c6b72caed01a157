# e2e: bash completion (scripts/cs-completion.bash) built from the option
# tables: commands, options per command, enum choices, folder values.
. "$(dirname "$0")/lib.sh"

SCRIPT=$CS_ROOT/scripts/cs-completion.bash
mkdir -p "$T/dir/audio" && touch "$T/dir/afile"
# comp WORD...: the completions bash offers for the last word.
comp() {
    ( cd "$T/dir" && bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _cs; echo "${COMPREPLY[*]}"' _ "$SCRIPT" "$CS" "$@" )
}
expect() {   # expect NAME WANT WORD...
    local name=$1 want=$2; shift 2
    local got; got=$(comp "$@")
    if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "'$*' gave '$got', want '$want'"; fi
}
expect command_prefix export exp
expect command_after_global search --db x.db se
expect help_topic export help ex
expect option_prefix --sort search --so
expect option_new_cmd --n-sections ls --n
expect global_option --db --d
expect enum_values "path bpm key" search --sort ""
expect enum_prefix "classic camelot" search --key-notation c
expect dir_value "audio" index --audio-dir a
# every command of 'cs --help' completes from its first three letters
for c in $("$CS" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
    got=$(comp "${c:0:3}")
    if [[ " $got " == *" $c "* ]]; then pass "command_$c"; else fail "command_$c" "'${c:0:3}' gave '$got'"; fi
done
# every long option in 'cs help --all-options' completes for its command
# (one shell: the script asks cs once)
"$CS" help --all-options >"$T/opts"
bad=$(cd "$T/dir" && bash -c 'source "$1"
    n=0
    while IFS=$'"'"'\t'"'"' read -r cmd s long rest; do
        [ "$long" = - ] && continue
        if [ "$cmd" = cs ]; then COMP_WORDS=("$2" "$long"); else COMP_WORDS=("$2" "$cmd" "$long"); fi
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _cs
        [[ " ${COMPREPLY[*]} " == *" $long "* ]] || { n=$((n + 1)); echo "  $cmd $long -> ${COMPREPLY[*]}" >&2; }
    done <"$3"
    echo $n' _ "$SCRIPT" "$CS" "$T/opts")
check all_options_complete test "$bad" -eq 0
check all_options_many test "$(awk -F'\t' '$3 != "-"' "$T/opts" | wc -l)" -gt 50
if command -v zsh >/dev/null; then
    out=$(cd "$T/dir" && zsh -c 'autoload -U +X bashcompinit && bashcompinit && source "$1" && COMP_WORDS=("$2" exp) && COMP_CWORD=1 && _cs && echo "${COMPREPLY[*]}"' _ "$SCRIPT" "$CS" 2>&1)
    if [ "$out" = export ]; then pass zsh_bashcompinit; else fail zsh_bashcompinit "$out"; fi
else
    skip zsh_bashcompinit "no zsh"
fi
exit 0
