#!/usr/bin/env bash
# e2e: one command-line tool.  Usage errors have one shape in every command
# ("cs: error: CMD: ... (see 'cs CMD --help')", one line, exit 2); mistyped
# commands, options and enum values get a did-you-mean; --db/-q/-v work after
# the command; enum values ignore case; `cs help --all-options` lists every
# command's options from the same tables that print --help.
. "$(dirname "$0")/lib.sh"

# usage_shape NAME CMD EXPECTED_RC ARGS...: exit status 2 and exactly one
# stderr line "cs: error: ... (see 'cs CMD --help')" (CMD "" for cs itself).
usage_shape() {
    local name=$1 cmd=$2; shift 2
    "$CS" "$@" >"$T/out" 2>"$T/err"
    local rc=$? lines see
    lines=$(wc -l <"$T/err")
    if [ -n "$cmd" ]; then see="(see 'cs $cmd --help')"; else see="(see 'cs --help')"; fi
    if [ $rc = 2 ] && [ "$lines" = 1 ] && [[ "$(cat "$T/err")" == "cs: error: "*" $see" ]] \
        && [ ! -s "$T/out" ]; then
        pass "$name"
    else
        fail "$name" "rc $rc, $lines stderr lines: $(head -c 300 "$T/err")"
    fi
}

# --- one shape for every usage error, in every command -----------------------
for c in index search export play status doctor demo; do
    usage_shape "unknown_option_shape_$c" "$c" "$c" --bogus-flag
done
usage_shape missing_value_shape search search --format
usage_shape bad_number_shape export export --jobs many
usage_shape bad_range_shape demo demo "$T/d" --tracks 0
usage_shape missing_dir_shape demo demo
usage_shape extra_arg_shape doctor doctor now
usage_shape play_levels_shape play play --levels 1 2
# --max-ahead 0 was the default 60 in disguise (0 stood for "not given")
usage_shape max_ahead_zero_shape play play --max-ahead 0
usage_shape flac_float_shape export export --audio-format flac --bits 32f
usage_shape no_command_shape "" 
usage_shape global_unknown_shape "" --bogus-flag

# --- did-you-mean ------------------------------------------------------------
"$CS" serch 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "did you mean 'search'" "$T/err" && pass command_did_you_mean \
    || fail command_did_you_mean "rc $rc: $(cat "$T/err")"
"$CS" expotr 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "did you mean 'export'" "$T/err" && pass command_did_you_mean_swap \
    || fail command_did_you_mean_swap "rc $rc: $(cat "$T/err")"
"$CS" search --fromat json 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "did you mean '--format'" "$T/err" && pass option_did_you_mean \
    || fail option_did_you_mean "rc $rc: $(cat "$T/err")"
"$CS" play --dummy_afer 1 --cli-sentinel 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "did you mean '--dummy_after'" "$T/err" && pass play_option_did_you_mean \
    || fail play_option_did_you_mean "rc $rc: $(cat "$T/err")"
"$CS" export --stretch rubberbnd 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "did you mean 'rubberband'" "$T/err" && pass enum_did_you_mean \
    || fail enum_did_you_mean "rc $rc: $(cat "$T/err")"
"$CS" zzzzzz 2>"$T/err"; rc=$?
[ $rc = 2 ] && ! grep -q "did you mean" "$T/err" && pass no_far_fetched_suggestion \
    || fail no_far_fetched_suggestion "rc $rc: $(cat "$T/err")"

# --- global options after the command ----------------------------------------
export CS_DB=$T/not-this.db
"$CS" demo "$T/d" --tracks 3 --bars 1 -q >"$T/demo.out" 2>"$T/demo.err"; rc=$?
[ $rc = 0 ] && [ ! -s "$T/demo.out" ] && [ -f "$T/d/rekordbox.xml" ] && pass quiet_after_command \
    || fail quiet_after_command "rc $rc: $(head -c 300 "$T/demo.out" "$T/demo.err")"
"$CS" index "$T/d/struct" --rekordbox-xml "$T/d/rekordbox.xml" --db "$T/lib.db" >"$T/idx.out" 2>&1; rc=$?
[ $rc = 0 ] && [ -s "$T/lib.db" ] && [ ! -e "$CS_DB" ] && pass db_after_command \
    || fail db_after_command "rc $rc: $(head -c 300 "$T/idx.out")"
"$CS" --db "$T/lib.db" search --format csv >"$T/before.csv" 2>/dev/null
"$CS" search --format csv --db="$T/lib.db" >"$T/after.csv" 2>/dev/null; rc=$?
n=$(($(wc -l <"$T/after.csv") - 1))
[ $rc = 0 ] && [ "$n" = 3 ] && cmp -s "$T/before.csv" "$T/after.csv" && pass db_after_command_same_result \
    || fail db_after_command_same_result "rc $rc, $n rows"
"$CS" search --db "$T/lib.db" -v >/dev/null 2>"$T/v.err"; rc=$?
[ $rc = 0 ] && grep -q "debug: search: 3 in the library, 3 selected" "$T/v.err" && pass verbose_after_command \
    || fail verbose_after_command "rc $rc: $(head -c 300 "$T/v.err")"

# --- enum values ignore case -------------------------------------------------
"$CS" --db "$T/lib.db" search --format json >"$T/lower.json"
"$CS" --db "$T/lib.db" search --format JSON >"$T/upper.json" 2>"$T/err"; rc=$?
[ $rc = 0 ] && cmp -s "$T/lower.json" "$T/upper.json" && [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/upper.json")" = 3 ] \
    && pass enum_case_insensitive || fail enum_case_insensitive "rc $rc: $(head -c 300 "$T/err")"
"$CS" play --stretch-method PyRubberBand --stretch-quality BEST --cli-sentinel >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "cli-sentinel ok" "$T/out" && pass enum_case_insensitive_play \
    || fail enum_case_insensitive_play "rc $rc: $(cat "$T/err")"

# --- the original server's spellings and nargs ------------------------------
"$CS" play --dummy_after 0.5 --dummy_args schedule_c_at -8 --c_at 2 --cli-sentinel >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && pass play_original_flags || fail play_original_flags "rc $rc: $(cat "$T/err")"
bad=""
for m in playback_rate pyrubberband audiotsm rubberband wsola; do
    "$CS" play --stretch-method $m --cli-sentinel >/dev/null 2>>"$T/err_alias" || bad="$bad $m"
done
[ -z "$bad" ] && pass stretch_aliases_play || fail stretch_aliases_play "refused:$bad"
"$CS" export --db "$T/lib.db" --stretch pyrubberband --bpm 999 --parts-dir "$T/p" >/dev/null 2>"$T/err"; rc=$?
# (nothing selected at 999 BPM: exit 1 with the reason, not a usage error)
[ $rc = 1 ] && grep -q "no track selected" "$T/err" && pass stretch_alias_export || fail stretch_alias_export "rc $rc: $(cat "$T/err")"

# --- the tables are the docs: --help and --all-options agree ----------------
"$CS" help --all-options >"$T/all" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -qP '^play\t-\t--dummy_args\tARG\.\.\.\t-1\t' "$T/all" \
    && grep -qP '^search\t-\t--format\tpaths\|table\|csv\|json\t1\tpaths,table,csv,json\t' "$T/all" \
    && grep -qP '^export\t-j\t--jobs\tN\t1\t' "$T/all" && grep -qP '^cs\t-q\t--quiet\t' "$T/all" \
    && pass all_options_listed || fail all_options_listed "rc $rc: $(head -c 300 "$T/err")"
bad=""
for c in index search export play status doctor demo; do
    "$CS" $c --help >"$T/help_$c" 2>&1 || bad="$bad $c:rc"
    listed=$(awk -F'\t' -v c=$c '$1 == c { print $3 }' "$T/all")
    for o in $listed; do grep -q -- "$o\b" "$T/help_$c" || bad="$bad $c:$o"; done
    # every --option the help shows is in the list
    for o in $(grep -oE '^  (-[a-z], )?--[a-z_-]+' "$T/help_$c" | grep -oE -- '--[a-z_-]+' | sort -u); do
        [ "$o" = --help ] && continue
        printf '%s\n' "$listed" | grep -qx -- "$o" || bad="$bad $c:$o(help only)"
    done
done
[ -z "$bad" ] && [ "$(awk -F'\t' '$1 == "play"' "$T/all" | wc -l)" -ge 40 ] && pass help_matches_list \
    || fail help_matches_list "$bad"

# --- git's negation of yes/no options: --no-NAME, --NAME for a --no-NAME one,
# the last word given wins; only yes/no options have one.
"$CS" demo "$T/neg" --tracks 2 --bars 2 >/dev/null 2>&1
"$CS" --db "$T/neg.db" index "$T/neg/struct" >/dev/null 2>&1
"$CS" --db "$T/neg.db" index "$T/neg/struct" --force --no-force >"$T/neg1" 2>&1
"$CS" --db "$T/neg.db" index "$T/neg/struct" --no-force --force >"$T/neg2" 2>&1
grep -q "indexed 0, unchanged 2" "$T/neg1" && grep -q "indexed 2, unchanged 0" "$T/neg2" \
    && pass no_negates_yes_no || fail no_negates_yes_no "$(tail -1 "$T/neg1"); $(tail -1 "$T/neg2")"
"$CS" --db "$T/neg.db" index "$T/neg/struct" --no-fo >"$T/neg3" 2>&1 && grep -q "unchanged 2" "$T/neg3" \
    && pass no_negates_a_prefix || fail no_negates_a_prefix "$(tail -1 "$T/neg3")"
usage_shape no_takes_no_value index index "$T/neg/struct" --no-force=1
usage_shape no_only_for_yes_no index index --no-audio-dir
usage_shape no_of_nothing index index --no-bogus-flag
"$CS" index --help | grep -q "turned off by --no-NAME" && pass no_said_in_help || fail no_said_in_help "no line"
"$CS" index "$T/neg/struct" --no-from >"$T/neg4" 2>&1
[ $? = 2 ] && grep -q "option '--no-from' is ambiguous" "$T/neg4" && pass no_prefix_ambiguous \
    || fail no_prefix_ambiguous "$(cat "$T/neg4")"
