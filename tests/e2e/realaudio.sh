#!/usr/bin/env bash
# Audio that other programs wrote (issue 10), heard through cs play --render
# and cs export: a WAV whose RIFF and data sizes are 0 (a recorder killed
# mid-take), an MP3 with a large ID3v2 tag appended after its 20 s of audio,
# a FLAC cut in half.  What must hold: the zero-size WAV plays and exports
# whole; the tagged MP3 plays to its real end and stops cleanly (no noise
# from the tag), export with cues past it says "cues outside the audio
# (... audio ends at 20.0 s)"; the cut FLAC's early end is logged.
. "$(dirname "$0")/lib.sh"
command -v sox >/dev/null || { skip all "sox not installed"; exit 0; }
command -v ffmpeg >/dev/null || { skip all "ffmpeg not installed"; exit 0; }
AC=$TOOLS/audiocheck
export CS_DB=$T/none.db

sox -n -r 44100 -c 2 -b 16 "$T/tone.wav" synth 20 sine 440 vol 0.5
ffmpeg -v error -y -i "$T/tone.wav" -c:a libmp3lame -b:a 128k -id3v2_version 0 "$T/plain.mp3"
ffmpeg -v error -y -i "$T/tone.wav" -c:a flac "$T/tone.flac"
python3 - "$T" <<'EOF'
import random, struct, sys
t = sys.argv[1]
d = bytearray(open(f"{t}/tone.wav", "rb").read())
i = 12
while d[i:i + 4] != b"data":
    i += 8 + struct.unpack("<I", d[i + 4:i + 8])[0]
d[4:8] = d[i + 4:i + 8] = b"\0\0\0\0"
open(f"{t}/zero.wav", "wb").write(d)
def ss(n): return bytes([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127])
random.seed(7)
body = b"APIC" + ss(1500000 - 10) + b"\0\0" + bytes(random.getrandbits(8) for _ in range(1500000 - 10))
tag = b"ID3\x04\x00\x10" + ss(len(body)) + body + b"3DI\x04\x00\x10" + ss(len(body))
open(f"{t}/tagged.mp3", "wb").write(open(f"{t}/plain.mp3", "rb").read() + tag)
f = open(f"{t}/tone.flac", "rb").read()
open(f"{t}/half.flac", "wb").write(f[:len(f) // 2])
EOF

render() {   # render OUT DURATION FILE: plays FILE once (no loop) from 0.1 s
    cat >"$1.osc" <<EOF
0 /load_buffer is 100 $3
0.1 /play_stem iffii 100 1.0 0.8 0 0
EOF
    "$CS" play --render "$1" --duration "$2" --osc-script "$1.osc" >"$1.log" 2>&1
}
rms_db() { "$AC" info "$1" --start "$2" --dur "$3" 2>/dev/null | awk '/^rms_db/ { print $2 }'; }
# RMS in dB of [S, S+D) through sox (audiocheck info has no window).
win_db() { sox "$1" -n trim "$2" "$3" stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }

# 1. The zero-size WAV plays (was: silence, nothing said) and says why FFmpeg read it.
render "$T/zero-out.wav" 21 "$T/zero.wav"
db=$(win_db "$T/zero-out.wav" 10 5)
if near "${db:--999}" -17 6 && grep -q "header says 0.000 s" "$T/zero-out.wav.log"; then
    pass zero_size_wav_plays
else
    fail zero_size_wav_plays "RMS at 10-15 s ${db:-none} dB (tone ~ -17 dB); log: $(tr '\n' ' ' <"$T/zero-out.wav.log" | cut -c1-300)"
fi

# 2. The tagged MP3 plays to 20.0 s and stops: tone up to its end, silence
#    after (no decoded noise from the tag), no warning about damage.
render "$T/tag-out.wav" 23 "$T/tagged.mp3"
before=$(win_db "$T/tag-out.wav" 19.5 0.5)
after=$(win_db "$T/tag-out.wav" 20.13 2.5)
if near "${before:--999}" -17 6 && { [ "$after" = "-inf" ] || awk -v a="${after:-0}" 'BEGIN { exit !(a < -90) }'; } \
    && ! grep -q "damaged" "$T/tag-out.wav.log"; then
    pass tagged_mp3_plays_to_its_real_end
else
    fail tagged_mp3_plays_to_its_real_end "RMS 19.5-20 s ${before:-none} dB, 20.13-22.63 s ${after:-none} dB; log: $(tr '\n' ' ' <"$T/tag-out.wav.log" | cut -c1-300)"
fi

# 3. A FLAC cut in half: its header says 20 s, the deck's stream ends at
#    ~10 s, and the log and /cs/status say so (the original would just go
#    quiet).
render "$T/half-out.wav" 12 "$T/half.flac"
echo "11.5 /cs/status" >>"$T/half-out.wav.osc"      # ... and /cs/status counts it
"$CS" play --render "$T/half-out.wav" --duration 12 --osc-script "$T/half-out.wav.osc" >"$T/half-out.wav.log" 2>&1
line=$(grep "ended at" "$T/half-out.wav.log" | grep -v "^reply")
st=$(grep "^reply /cs/status" "$T/half-out.wav.log")
at=$(sed -n 's/.*ended at \([0-9.]*\) s, before its length of \([0-9.]*\) s.*/\1 \2/p' <<<"$line")
if [ -n "$at" ] && near "${at% *}" 10 0.6 && near "${at#* }" 20 0.01 && [[ "$st" == *' 1 "'*half.flac*'ended at'* ]]; then
    pass early_end_is_logged
else
    fail early_end_is_logged "no 'ended at ~10 s, before its length of 20 s' line and /cs/status count: $(tr '\n' ' ' <"$T/half-out.wav.log" | cut -c1-400)"
fi

# 4. Export: cues inside the zero-size WAV export (was "start 4.000 s is
#    beyond the end"); cues past the tagged MP3's end are "outside the
#    audio", naming where it ends (was "too many damaged packets").
mkdir -p "$T/st"
python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
segs = [{"start": 0.0, "end": 4.0, "label": "intro"}] + [{"start": 4.0 * i, "end": 4.0 * (i + 1), "label": "verse"} for i in range(1, 7)]
for name in ("zero.wav", "tagged.mp3"):
    json.dump({"path": f"{t}/{name}", "bpm": 120, "beats": [0.5 * i for i in range(56)], "downbeats": [2.0 * i for i in range(14)],
               "segments": segs, "key": "Am"}, open(f"{t}/st/{name.split('.')[0]}.json", "w"))
EOF
"$CS" --db "$T/x.db" export "$T/st" --bpm 120 --n-sections 3 --stretch rate --parts-dir "$T/parts" --csv-out "$T/x.csv" >"$T/x.log" 2>&1
secs=$("$AC" info "$T/parts/orig/zero_sectioned.wav" 2>/dev/null | awk '/^seconds/ { print $2 }')
if near "${secs:-0}" 12 0.001; then pass zero_size_wav_exports; else fail zero_size_wav_exports "part ${secs:-missing} s, want 12: $(tr '\n' ' ' <"$T/x.log" | cut -c1-300)"; fi
"$CS" --db "$T/y.db" export "$T/st" --bpm 120 --n-sections 5 --stretch rate --parts-dir "$T/parts5" --csv-out "$T/y.csv" >"$T/y.log" 2>&1
end=$(sed -n 's/.*tagged.mp3: cues outside the audio.*audio ends at \([0-9.]*\) s.*/\1/p' "$T/y.log")
if [ -n "$end" ] && near "$end" 20.0 0.05 && ! grep -q "damaged" "$T/y.log"; then
    pass tagged_mp3_cues_outside_the_audio
else
    fail tagged_mp3_cues_outside_the_audio "want 'cues outside the audio (... audio ends at 20.0 s)': $(tr '\n' ' ' <"$T/y.log" | cut -c1-300)"
fi
