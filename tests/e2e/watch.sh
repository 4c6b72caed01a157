#!/usr/bin/env bash
# run.sh: alone (its timing is part of what it checks)
# Watching a set (issue 12): the live warnings (unknown OSC addresses once
# each with a count, no movement for N s, the tempo beyond the rungs),
# --render's format by extension, /cs/status/json and `cs status`, the
# /audio/bpm dashboard feed, the --http page in headless Chromium, and the
# status line and `cs status --watch` on a real terminal (tmux).
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
command -v oscsend >/dev/null || { skip all "oscsend (liblo-tools) not installed"; exit 0; }
export CS_DB=$T/db

# A two-track ladder set 114..130 BPM (lib.sh).
ladder_set_fixture || exit 0

# ---- --render writes the format its extension names, or refuses ----
echo "0 /cue ss A \"$T/lib/audio/Demo 01 - Night Drive.wav\"
0 /start_group sf A 0" >"$T/one.osc"
fmt() { ffprobe -v error -show_entries format=format_name -of csv=p=0 "$1" 2>/dev/null; }
"$CS" play --render "$T/r.mp3" --duration 2 --osc-script "$T/one.osc" >"$T/mp3.log" 2>&1
f=$(fmt "$T/r.mp3")
[ "$f" = mp3 ] && pass render_mp3_is_mp3 || fail render_mp3_is_mp3 "ffprobe says '$f': $(tail -2 "$T/mp3.log")"
d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/r.mp3" 2>/dev/null)
near "${d:-0}" 2 0.1 && pass render_mp3_duration || fail render_mp3_duration "$d s"
"$CS" play --render "$T/r.ogg" --duration 1 --osc-script "$T/one.osc" >/dev/null 2>&1
f=$(fmt "$T/r.ogg")
[ "$f" = ogg ] && pass render_ogg_is_ogg || fail render_ogg_is_ogg "ffprobe says '$f'"
"$CS" play --render "$T/r.mp4" --duration 1 >"$T/bad.log" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "r.mp4: '.mp4' is not a format a render writes" "$T/bad.log" && [ ! -e "$T/r.mp4" ] \
    && pass render_unknown_extension_refused || fail render_unknown_extension_refused "rc $rc: $(cat "$T/bad.log")"

# Bad values of the new options are usage errors naming them.
"$CS" play --http abc >/dev/null 2>"$T/u1.txt"; r1=$?
"$CS" play --dashboard 5005 >/dev/null 2>"$T/u2.txt"; r2=$?
"$CS" status --format xml >/dev/null 2>"$T/u3.txt"; r3=$?
[ $r1 = 2 ] && [ $r2 = 2 ] && [ $r3 = 2 ] && grep -q "play: --http 'abc': expected \[ADDR:\]PORT" "$T/u1.txt" \
    && grep -q "play: --dashboard '5005': expected HOST:PORT" "$T/u2.txt" && grep -q "status: --format: 'xml' is not text or json" "$T/u3.txt" \
    && pass watch_options_usage || fail watch_options_usage "$r1 $r2 $r3: $(cat "$T"/u?.txt)"

# ---- the warnings, offline (exact engine time) ----
{
    for i in $(seq 500); do echo "1 /pose/keypoints fff 1 2 3"; done
    for i in 1 2 3; do echo "1.5 /dance/arm_movement f 0.4"; done
    echo "2 /set_tempo f 100"      # below 114 by more than 2 %: excursion 1
    echo "4 /set_tempo f 122"      # back
    echo "6 /set_tempo f 104"      # below again: excursion 2
    echo "8 /set_tempo f 140"      # straight above 130: excursion 3
    echo "10 /set_tempo f 131"     # 131 / 130 = +0.8 %: within the bound
    echo "30 /dance/total_movement f 0.3"
    echo "31 /cs/status/json"
} >"$T/warn.osc"
"$CS" play --csv "$T/set.csv" --loop-set --render "$T/warn.wav" --duration 33 --osc-script "$T/warn.osc" \
    --movement-warn 8 >"$T/warn.log" 2>&1
n=$(grep -c "unknown address" "$T/warn.log")
[ "$n" = 2 ] && pass unknown_address_logged_once_each || fail unknown_address_logged_once_each "$n lines"
grep -q "unknown OSC addresses: 503 messages (/pose/keypoints x500, /dance/arm_movement x3)" "$T/warn.log" \
    && pass unknown_address_counted || fail unknown_address_counted "$(grep unknown "$T/warn.log")"
n=$(grep -c "BPM is below the lowest rung (114 BPM)" "$T/warn.log")
m=$(grep -c "BPM is above the highest rung (130 BPM)" "$T/warn.log")
[ "$n" = 2 ] && [ "$m" = 1 ] && pass tempo_excursion_warned_once_each \
    || fail tempo_excursion_warned_once_each "below $n, above $m: $(grep -i rung "$T/warn.log" | head)"
grep -q "tempo 100.00 BPM is below the lowest rung (114 BPM) by more than 2 % at 2.0 s: played at rate 0.877, the pitch moves -2.27 semitones" "$T/warn.log" \
    && pass tempo_excursion_names_pitch || fail tempo_excursion_names_pitch "$(grep 'lowest rung' "$T/warn.log" | head -1)"
n=$(grep -c "no /dance/total_movement for 8 s while the set plays" "$T/warn.log")
[ "$n" = 1 ] && pass movement_silence_warned_once || fail movement_silence_warned_once "$n lines"
grep -q "/dance/total_movement is arriving again" "$T/warn.log" && pass movement_back_said \
    || fail movement_back_said "$(tail -3 "$T/warn.log")"
# The same kind: 40 different unknown addresses: 32 told apart, the rest
# counted together in one more line.
for i in $(seq 40); do echo "1 /junk/$i"; done >"$T/many.osc"
"$CS" play --render "$T/many.wav" --duration 2 --osc-script "$T/many.osc" >"$T/many.log" 2>&1
n=$(grep -c "unknown address" "$T/many.log")
[ "$n" = 33 ] && grep -q "others x8" "$T/many.log" && pass unknown_addresses_bounded \
    || fail unknown_addresses_bounded "$n lines: $(tail -1 "$T/many.log")"

# ---- live: /cs/status/json, cs status, the dashboard feed, --http ----
PORT=$((20000 + RANDOM % 20000)) DPORT=$((PORT + 1)) HPORT=$((PORT + 2))
echo '{"movement_bpm":{"smoothing":{"transition_time_seconds":20}}}' >"$T/slow.json"
oscdump -L $DPORT >"$T/dash.txt" 2>&1 &
dpid=$!
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=/dev/null SDL_DISKAUDIODELAY=23 \
    "$CS" play --csv "$T/set.csv" --loop-set --port $PORT --bind 127.0.0.1 --dashboard 127.0.0.1:$DPORT \
    --http $HPORT --bpm-config "$T/slow.json" \
    >"$T/live.out" 2>"$T/live.err" &
pid=$!
ok=
for _ in $(seq 300); do "$CS" status --port $PORT --timeout 0.2 >"$T/st0.txt" 2>/dev/null && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] && pass status_answers || fail status_answers "$(cat "$T/live.err")"
# The page, in headless Chromium (DevTools over a pipe: tests/tools/cdp.py):
# loaded, live (events), then movement comes and the values move.
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    js() { printf "document.getElementById('%s').textContent" "$1"; }
    CDP_BETWEEN="oscsend 127.0.0.1 $PORT /dance/total_movement f 0.6" CDP_LOG="$T/chrome.log" \
        timeout 150 python3 "$CS_ROOT/tests/tools/cdp.py" "http://127.0.0.1:$HPORT/" "$T/page.png" 3 \
        "$(js bpm)" "$(js target)" "$(js events)" "$(js conn)" "$(js movement)" "$(js deckA)" "$(js deckB)" \
        >"$T/cdp.txt" 2>&1
    v() { awk -v r="$1" -v i="$2" '$1 == r && $2 == i { $1 = $2 = ""; sub(/^  /, ""); print }' "$T/cdp.txt"; }
    # (a looping two-track set: either deck may be the one playing a rung)
    echo "page: bpm $(v 1 0) -> $(v 2 0), target $(v 1 1) -> $(v 2 1), events $(v 1 2) -> $(v 2 2), $(v 2 4); A: $(v 2 5); B: $(v 2 6)"
    [ "$(v 1 3)" = live ] && [ "$(v 1 1)" = 120.0 ] && [ "$(v 1 4)" = "none yet" ] && pass http_page_live \
        || fail http_page_live "$(cat "$T/cdp.txt")"
    [ "$(v 1 2)" -ge 2 ] 2>/dev/null && [ "$(v 2 2)" -gt "$(v 1 2)" ] && pass http_events_stream \
        || fail http_events_stream "events '$(v 1 2)' then '$(v 2 2)'"
    [ "$(v 2 1)" = 130.0 ] && awk -v a="$(v 1 0)" -v b="$(v 2 0)" 'BEGIN { exit !(b > a + 0.5) }' \
        && echo "$(v 2 4)" | grep -q "^0.600, [0-9] s ago" \
        && printf '%s\n%s\n' "$(v 2 5)" "$(v 2 6)" | grep -q "^rung 1[0-9]* BPM, rate" \
        && pass http_values_change || fail http_values_change "$(cat "$T/cdp.txt")"
    mkdir -p "$CS_ROOT/build/test-artifacts" && cp "$T/page.png" "$CS_ROOT/build/test-artifacts/watch-page.png" 2>/dev/null
    [ "$(head -c 4 "$T/page.png" | od -An -c | tr -d ' ')" = "211PNG" ] && pass http_screenshot \
        || fail http_screenshot "no PNG: $(tail -3 "$T/chrome.log")"
else
    skip http_page_live "chromium not installed (scripts/install-deps.sh test)"
fi
oscsend 127.0.0.1 $PORT /dance/total_movement f 0.6    # (again: also without chromium)
sleep 1.5
"$CS" status --port $PORT --format json >"$T/st.json"
python3 - "$T/st.json" >"$T/stcheck.txt" 2>&1 <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["set"] is True, s
assert abs(s["target_bpm"] - 130) < 0.01, s["target_bpm"]
assert 0 <= s["movement_age_s"] < 10 and abs(s["movement"] - 0.6) < 1e-6, s
assert [d["deck"] for d in s["decks"]] == ["A", "B", "C", "D"], s["decks"]
a = [d for d in s["decks"][:2] if d["rung_bpm"] is not None][0]      # the deck playing
assert a["rung_bpm"] in (114, 118, 122, 126, 130) and a["track"] and abs(a["rate"] - s["bpm"] / a["rung_bpm"]) < 1e-9, a
assert s["decks"][2]["rung_bpm"] is None and s["decks"][2]["track"] is None
assert s["next_track"] and (s["next_change_s"] is None or s["next_change_s"] >= 0), s
assert s["rung_lo"] == 114 and s["rung_hi"] == 130, s
assert s["underruns_stream"] == 0 and "unknown_osc" in s
print("ok", s["bpm"], a["rung_bpm"], s["next_change_s"])
PY
grep -q '^ok' "$T/stcheck.txt" && pass status_json_named_fields || fail status_json_named_fields "$(cat "$T/stcheck.txt" "$T/st.json")"
"$CS" status --port $PORT >"$T/st.txt"
grep -q "^bpm  *[0-9.]* -> target 130.00" "$T/st.txt" && grep -q "^deck [AB]  *rung 1[0-9]* BPM at rate" "$T/st.txt" \
    && grep -q "^next track " "$T/st.txt" && grep -q "^movement  *0.600, [0-9.]* s ago" "$T/st.txt" \
    && pass status_text_labelled || fail status_text_labelled "$(cat "$T/st.txt")"
"$CS" status --port $((PORT + 3)) --timeout 0.3 >/dev/null 2>"$T/noreply.txt"
rc=$?
[ $rc = 1 ] && grep -q "no reply from 127.0.0.1:$((PORT + 3)) within 0.3 s" "$T/noreply.txt" \
    && pass status_no_player_exit_1 || fail status_no_player_exit_1 "rc $rc: $(cat "$T/noreply.txt")"

h=$(python3 -c "import json,urllib.request as u;h=json.load(u.urlopen('http://127.0.0.1:$HPORT/history.json'));print(len(h['t']), h['target'][-1])" 2>&1)
set -- $h
[ "${1:-0}" -ge 5 ] 2>/dev/null && [ "${2:-}" = 130 ] && pass http_history || fail http_history "$h"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$HPORT/nope" 2>/dev/null || echo none)
[ "$c" = 404 ] && pass http_unknown_404 || skip http_unknown_404 "curl: $c"
kill -INT $pid
wait $pid
kill $dpid 2>/dev/null; wait $dpid 2>/dev/null
grep -q " /audio/bpm f 120.0" "$T/dash.txt" && pass dashboard_audio_bpm_start || fail dashboard_audio_bpm_start "$(head -3 "$T/dash.txt")"
n=$(grep -c " /audio/bpm f " "$T/dash.txt")
[ "$n" -ge 3 ] && pass dashboard_follows_tempo || fail dashboard_follows_tempo "$n messages"
grep -q "status page on http://127.0.0.1:$HPORT/" "$T/live.err" && pass http_loopback_default \
    || fail http_loopback_default "$(head -5 "$T/live.err")"
grep -q $'\033\[K' "$T/live.err" && fail no_escapes_off_terminal "escape codes in a file" || pass no_escapes_off_terminal

# ---- a real terminal: the status line and cs status --watch (tmux) ----
if command -v tmux >/dev/null; then
    S=cswatch$$
    PORT2=$((PORT + 5))
    tmux -L $S new-session -d -x 150 -y 20 "SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=/dev/null SDL_DISKAUDIODELAY=23 '$CS' play --csv '$T/set.csv' --loop-set --port $PORT2 --no-dashboard; sleep 30"
    tmux -L $S new-window -d "'$CS' status --watch --interval 0.3 --port $PORT2; sleep 30"
    for _ in $(seq 300); do "$CS" status --port $PORT2 --timeout 0.2 >/dev/null 2>&1 && break; sleep 0.1; done
    sleep 1
    oscsend 127.0.0.1 $PORT2 /dance/total_movement f 0.6
    oscsend 127.0.0.1 $PORT2 /pose/keypoints f 1
    sleep 2
    "$CS" status --host ::1 --port $PORT2 >"$T/st6.txt" 2>&1
    if grep -q "^bpm " "$T/st6.txt"; then pass status_over_ipv6
    elif grep -q "Address family\|not supported\|unreachable" "$T/st6.txt"; then skip status_over_ipv6 "no IPv6 loopback here"
    else fail status_over_ipv6 "$(cat "$T/st6.txt")"; fi
    tmux -L $S capture-pane -p -t :0 >"$T/pane1.txt"
    tmux -L $S capture-pane -p -t :1 >"$T/watch1.txt"
    sleep 2
    tmux -L $S capture-pane -p -t :0 >"$T/pane2.txt"
    tmux -L $S capture-pane -p -t :1 >"$T/watch2.txt"
    tmux -L $S kill-server
    last=$(grep -v '^$' "$T/pane2.txt" | tail -1)
    n=$(grep -c " BPM | " "$T/pane2.txt")
    echo "terminal status line: $last"
    [ "$n" = 1 ] && echo "$last" | grep -q "^[0-9.]* -> 130.0 BPM | [AB] 1[0-9]* x[0-9.]* .*| [12]/2 .* | move 0.60 [0-9]*s ago | underruns" \
        && pass status_line_in_place || fail status_line_in_place "$n lines: $(cat "$T/pane2.txt")"
    grep -q "OSC /pose/keypoints: unknown address" "$T/pane2.txt" && pass log_lines_above_status_line \
        || fail log_lines_above_status_line "$(cat "$T/pane2.txt")"
    l1=$(grep -v '^$' "$T/pane1.txt" | tail -1)
    [ "$l1" != "$last" ] && pass status_line_updates || fail status_line_updates "same line: $last"
    n=$(grep -c "^bpm " "$T/watch2.txt")
    b1=$(grep "^time " "$T/watch1.txt") b2=$(grep "^time " "$T/watch2.txt")
    [ "$n" = 1 ] && [ -n "$b1" ] && [ "$b1" != "$b2" ] && pass status_watch_in_place \
        || fail status_watch_in_place "$n bpm lines, '$b1' then '$b2': $(cat "$T/watch2.txt")"
else
    skip status_line_in_place "tmux not installed"
fi
