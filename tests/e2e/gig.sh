#!/usr/bin/env bash
# The gig path around the player (issue 11): `cs doctor` opens the chosen
# output device for real and binds the OSC port (a device that cannot be
# opened, or a port another program holds, is exit 1 with a reason), says
# which SDL_AUDIODRIVER it used, and labels --quality fast as R3's short
# window; `cs play --device-wait` survives a device that appears late (a
# USB card at boot).  The disk driver stands in for a sound card: its
# "device" cannot open while its output folder does not exist.
. "$(dirname "$0")/lib.sh"
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P=$(port)

SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=$T/out.raw "$CS" doctor --bind 127.0.0.1 --port "$P" >"$T/ok.log" 2>&1; rc=$?
if [ $rc = 0 ] && [ -e "$T/out.raw" ] && grep -q "ok   opened the default device" "$T/ok.log"; then pass doctor_opens_device
else fail doctor_opens_device "rc=$rc, device file $( [ -e "$T/out.raw" ] && echo made || echo 'not made'): $(grep -- '--  ' "$T/ok.log")"; fi
grep -q "driver in use: disk (SDL_AUDIODRIVER=disk)" "$T/ok.log" && pass doctor_names_driver \
    || fail doctor_names_driver "$(grep 'driver in use' "$T/ok.log")"
if grep -q "R2 (--quality fast)" "$T/ok.log" || ! grep -q "quality fast (R3's short window)" "$T/ok.log"
then fail doctor_r3_label "$(grep -i 'rubber' "$T/ok.log")"; else pass doctor_r3_label; fi

SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=$T/not-there/out.raw "$CS" doctor --bind 127.0.0.1 --port "$P" >"$T/bad.log" 2>&1; rc=$?
if [ $rc = 1 ] && grep -q -- "--   cannot open audio device" "$T/bad.log"; then pass doctor_device_fails
else fail doctor_device_fails "rc=$rc: $(grep -A1 'output' "$T/bad.log" | tail -3)"; fi
# A second input of the kind: a device index that does not exist.
SDL_AUDIODRIVER=dummy "$CS" doctor --device 7 --bind 127.0.0.1 --port "$P" >"$T/idx.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q -- "--device 7: no such output device" "$T/idx.log" && pass doctor_device_index \
    || fail doctor_device_index "rc=$rc: $(grep -- '--  ' "$T/idx.log")"

# The OSC port held by another program (UDP, as cs play binds it).
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); open(sys.argv[2], "w").close(); time.sleep(60)' "$P" "$T/held" &
holder=$!
for _ in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.1; done
SDL_AUDIODRIVER=dummy "$CS" doctor --bind 127.0.0.1 --port "$P" >"$T/port.log" 2>&1; rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
if [ $rc = 1 ] && grep -q -- "--   UDP port $P on 127.0.0.1" "$T/port.log"; then pass doctor_port_taken
else fail doctor_port_taken "rc=$rc: $(grep -A1 '^osc' "$T/port.log" | tail -1)"; fi

# A device that appears 3 s after the player starts.
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=$T/usb/out.raw SDL_DISKAUDIODELAY=20 \
    "$CS" play --bind 127.0.0.1 --port "$P" --device-wait 30 >"$T/wait.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "waiting up to" "$T/wait.log" && break; sleep 0.1; done
grep -q "waiting up to 30 s for the default device (retrying every second)" "$T/wait.log" \
    && pass says_it_waits || fail says_it_waits "$(tail -2 "$T/wait.log")"
mkdir -p "$T/usb"
for _ in $(seq 50); do [ -s "$T/usb/out.raw" ] && break; sleep 0.1; done
sleep 0.5
kill -INT $pid; wait $pid; rc=$?
if [ $rc = 0 ] && [ -s "$T/usb/out.raw" ] && grep -q "opened after" "$T/wait.log"; then pass device_appears_late
else fail device_appears_late "rc=$rc: $(tail -3 "$T/wait.log")"; fi
# Without a wait, as before: one try, exit 1 with the reason.
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=$T/gone/out.raw timeout 10 "$CS" play --bind 127.0.0.1 --port "$P" >"$T/nowait.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "cannot open audio device" "$T/nowait.log" && pass no_wait_fails_at_once \
    || fail no_wait_fails_at_once "rc=$rc: $(tail -1 "$T/nowait.log")"
# A wait that runs out ends with exit 1, naming how long it waited.
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=$T/gone/out.raw timeout 20 "$CS" play --bind 127.0.0.1 --port "$P" --device-wait 2 >"$T/out.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "not there after [23] s of waiting" "$T/out.log" && pass wait_runs_out \
    || fail wait_runs_out "rc=$rc: $(tail -1 "$T/out.log")"
