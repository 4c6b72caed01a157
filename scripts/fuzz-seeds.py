#!/usr/bin/env python3
"""Builds tests/fuzz/seeds/<target>/ from ../shared/realdata (small files only)
plus hand-written inputs.  Run once after adding seeds; the output is committed
so `make fuzz` needs no realdata.  Usage: scripts/fuzz-seeds.py [REALDATA]"""
import os, re, shutil, struct, sys, hashlib

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
real = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, '..', 'shared', 'realdata')
seeds = os.path.join(root, 'tests', 'fuzz', 'seeds')
MAX = 20000   # bytes: big seeds slow every mutation down

def put(target, data, name=None):
    d = os.path.join(seeds, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name or hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)

def real_files(sub):
    d = os.path.join(real, sub)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d))

# allin1: every small real file, then edge cases by hand.
for i, p in enumerate(real_files('allin1')):
    if os.path.getsize(p) <= MAX:
        put('allin1', open(p, 'rb').read(), 'real%02d.json' % i)
for s in ['{"segments":[]}', '{"path":null,"bpm":null,"segments":[{"start":0,"end":1,"label":"intro"}]}',
          '{"bpm":120,"beats":[0.5,1],"downbeats":[0.5],"beat_positions":[1,2],'
          '"segments":[{"start":1,"end":0.5,"label":"x"}]}',
          '{"file_path":"a.wav","bpm":1e308,"segments":[{"start":-0,"end":1e-320,"label":""}]}',
          '[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]', '{"segments":[{"start":"1"}]} x',
          '{"bpm":"120","segments":[]}', '{"key":"Gm","segments":[{"start":0,"end":1,"label":"\\u0000"}]}']:
    put('allin1', s)

# cuts (issue 22 item 7): structs whose cues reach the decoder; times within,
# past, and far past a short file, up to the CS_TIME_MAX_S bound and beyond.
def cut_struct(intro_end, ends):
    segs = [{"start": 0, "end": intro_end, "label": "intro"}]
    t = intro_end
    for e in ends:
        segs.append({"start": t, "end": e, "label": "verse"})
        t = e
    import json
    return json.dumps({"bpm": 120, "beats": [0.1, 0.6], "downbeats": [0.1], "segments": segs})
for intro_end, ends in [(0.1, [0.2, 0.3, 0.4]), (0.25, [0.3, 5.0, 60.0]), (0.0, [1e-6, 0.49, 0.5]),
                        (0.1, [5e10, 9e10, 1e11]), (0.2, [2.1e14, 1e300]), (-0.0132, [0.3, 0.4, 1e9])]:
    put('cuts', cut_struct(intro_end, ends))
for p in real_files('allin1')[:3]:
    if os.path.getsize(p) <= MAX:
        put('cuts', open(p, 'rb').read())

# rekordbox: small real collections; locations for the location target.
locs = set()
for i, p in enumerate(real_files('rekordbox')):
    b = open(p, 'rb').read()
    for m in re.finditer(rb'Location="([^"]*)"', b):
        locs.add(m.group(1))
    if len(b) <= MAX:
        put('rekordbox', b, 'real%02d.xml' % i)
put('rekordbox', '<?xml version="1.0"?><DJ_PLAYLISTS Version="1.0.0"><PRODUCT Name="rekordbox"/>'
    '<COLLECTION Entries="1"><TRACK TrackID="1" Name="a&amp;b" Location="file://localhost/C:/x%20y.mp3"'
    ' AverageBpm="120.00" Tonality="6A"><TEMPO Inizio="0.1" Bpm="120" Metro="4/4" Battito="1"/>'
    '<POSITION_MARK Name="" Type="0" Start="1.0" Num="-1"/></TRACK></COLLECTION><PLAYLISTS>'
    '<NODE Type="0" Name="ROOT" Count="1"><NODE Name="p" Type="1" KeyType="0" Entries="1">'
    '<TRACK Key="1"/></NODE></NODE></PLAYLISTS></DJ_PLAYLISTS>', 'hand-min.xml')
put('rekordbox', '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    '<DJ_PLAYLISTS><COLLECTION><TRACK TrackID="&b;" Name="&b;"/></COLLECTION></DJ_PLAYLISTS>', 'hand-entity.xml')
for i, l in enumerate(sorted(locs)[:40]):
    put('location', l, 'real%02d' % i)
for s in ['file://localhost/C:/Music/x.mp3', '/C:/a%2', '%zz%4', 'file://', 'C:\\Music\\A\u0301.mp3',
          'e\u0301\u0323\u0300', '\uac00\u11a8', '\u304b\u3099', '\xff\xfe\xc3', '%C3%A9%CC%81+#']:
    put('location', s.encode('utf-8', 'surrogateescape'))

# key: every notation the header lists, and near misses.
for s in ['Gm', 'F#m', 'Dbm', 'C', 'Ab', 'G#', 'Bbmaj', 'a minor', 'E major', 'Fmin', 'F min', '6A',
          '12B', '06a', '1m', '6d', 'G\u266fm', 'B\u266d', ' 13A ', '0B', '', 'Cbmin', 'E#', 'x']:
    put('key', s)

# osc: datagrams as liblo writes them.
def ostr(s):
    b = s.encode() + b'\0'
    return b + b'\0' * (-len(b) % 4)

def msg(path, types='', *args):
    out = ostr(path) + ostr(',' + types)
    for t, a in zip(types, args):
        if t == 'i': out += struct.pack('>i', a)
        elif t == 'f': out += struct.pack('>f', a)
        elif t == 'd': out += struct.pack('>d', a)
        elif t == 'h': out += struct.pack('>q', a)
        elif t in 'sS': out += ostr(a)
    return out

def bundle(*msgs):
    out = b'#bundle\0' + struct.pack('>Q', 1)
    for m in msgs:
        out += struct.pack('>I', len(m)) + m
    return out

msgs = [msg('/load_buffer', 'is', 100, 'a.wav'), msg('/play_stem', 'iffif', 100, 1.0, 0.8, 1, 0.5),
        msg('/stop_stem', 'i', 100), msg('/stem_volume', 'sf', '100', 0.5),
        msg('/crossfade_levels', 'ff', 0.3, 0.7), msg('/deck_levels', 'ffff', 1, 0.5, 0, -1),
        msg('/deck_filter', 'ssf', 'A', 'low', 0.5), msg('/deck_eq', 'ssi', 'b', ' High', 20),
        msg('/deck_eq_all', 'sfff', 'C', 50, 0, 100), msg('/get_status'), msg('/test_tone', 'd', 440.0),
        msg('/mixer_cleanup'), msg('/set_tempo', 'f', 128), msg('/set_meter', 'h', 3),
        msg('/print_clock', 'i', 1), msg('/dance/total_movement', 'f', 0.2),
        msg('/dummy', 'sf', 'schedule_c_at', 1.5), msg('/schedule_c_at', 'f', 2.0), msg('/reset'),
        msg('/play', 'ssf', 'A', 'b.wav', 0.5), msg('/fade', 'sff', 'A', 0, 2),
        msg('/cue', 'ssf', 'B', '../x.wav', 0.25), msg('/start_group', 'fss', 0.1, 'A', 'B'),
        msg('/cs/status'), msg('/cs/bpm', 'f', 125), msg('/cs/next'), msg('/cs/ping'),
        msg('/set_tempo', 's', 'nan'), msg('/dance/total_movement', 'd', float('inf'))]
for i, m in enumerate(msgs):
    put('osc', m, 'msg%02d' % i)
put('osc', ostr('/cs/ping') + ostr(',[]'), 'empty-array')
put('osc', ostr('/play_stem') + ostr(',[i]') + struct.pack('>i', 100), 'array-tag')
put('osc', bundle(msgs[0], msgs[1], bundle(msgs[4], msgs[23])), 'bundle')
put('osc', bundle(msgs[21], msgs[22], msgs[20], msgs[11]), 'bundle-deck')

# script: oscsend syntax, comments, quotes, every type letter.
put('script', '# a set\n0 /load_buffer is 100 "a b.wav"\n0.5 /play_stem iffif 100 1 0.8 1 0\n'
    '1 /deck_levels ffff 1 0.5 0 0\n2 /dance/total_movement f 0.3\n', 'basic')
put('script', "0 /cue ss A 'x.wav'\n0 /cue sss B y.wav 0.0\n0.3 /start_group sfs A 0.25 B\n"
    '3 /fade sff A 0 1\n2.5 /cs/status\n', 'group')
put('script', '0 /dummy ihfdsSTFNI 1 0x10 1.5 2.5 s S\n1e3 /cs/ping\n0.0 /reset # comment\n', 'types')
put('script', '0 /set_tempo s fast\n0 /x\n', 'bad-num')
print('seeds:', {t: len(os.listdir(os.path.join(seeds, t))) for t in sorted(os.listdir(seeds))})
