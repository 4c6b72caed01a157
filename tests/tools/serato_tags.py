"""Writes Serato DJ's tags into audio files as Serato lays them out
(Holzhaus/serato-tags docs: fileformats.md, serato_beatgrid.md,
serato_markers2.md, serato_markers_.md; scripts/database_v2.py for crates),
standard library only, for the Serato tests (tests/e2e/serato.sh).

    python3 serato_tags.py FILE SPEC.json     tags FILE (mp3 wav aif flac m4a)
    python3 serato_tags.py --crate OUT PATH...   a crate listing PATHs

SPEC: {"grid": [[pos_s, beats_to_next], ..., [pos_s, bpm]],
       "cues": [[slot, ms, "RRGGBB", name]], "loops": [[slot, start_ms, end_ms, name]],
       "old": [[slot, ms]]  (a Serato Markers_ tag with these cue slots set; M4A's layout in M4A),
       "key": "Am", "bpm": "128", "title": "...",
       "raw": {"beatgrid": HEX, "markers2": HEX}  (bytes as given: hostile tags)}
MP3 files must have no ID3v2 tag yet (ffmpeg -id3v2_version 0); M4A files
must keep their moov after mdat (ffmpeg's default), so no chunk offset moves.
"""
import base64, json, struct, sys


def beatgrid(markers):
    out = b"\x01\x00" + struct.pack(">I", len(markers))
    for i, (pos, x) in enumerate(markers):
        out += struct.pack(">f", pos) + (struct.pack(">f", x) if i == len(markers) - 1 else struct.pack(">I", int(x)))
    return out + b"\x00"


def b64_lines(data):
    s = base64.b64encode(data).rstrip(b"=")        # Serato writes no padding
    return b"\n".join(s[i:i + 72] for i in range(0, len(s), 72))


def entry(kind, data):
    return kind + b"\0" + struct.pack(">I", len(data)) + data


def markers2(cues, loops):
    d = b"\x01\x01" + entry(b"COLOR", b"\x00\xff\xff\xff")
    for slot, ms, rgb, name in cues:
        d += entry(b"CUE", b"\0" + bytes([slot]) + struct.pack(">I", ms) + b"\0" + bytes.fromhex(rgb) + b"\0\0"
                   + name.encode() + b"\0")
    for slot, a, b, name in loops:
        d += entry(b"LOOP", b"\0" + bytes([slot]) + struct.pack(">II", a, b) + b"\xff\xff\xff\xff\0\0\x27\xaa\xe1\0\0"
                   + name.encode() + b"\0")
    d += entry(b"BPMLOCK", b"\0") + b"\0"
    out = b"\x01\x01" + b64_lines(d)
    return out + b"\0" * max(1, 470 - len(out))


def serato32(v):
    return bytes([(v >> 21) & 0x7f, (v >> 14) & 0x7f, (v >> 7) & 0x7f, v & 0x7f])


def markers_old_m4a(cues):
    out = b"\x02\x05" + struct.pack(">I", 14)
    for i in range(14):
        ms = dict(cues).get(i) if i < 5 else None
        if ms is None:
            out += b"\xff" * 8 + b"\x00" + b"\xff" * 4 + b"\x00" + b"\x00\x00\x00" + (b"\x00" if i < 5 else b"\x03") + b"\x00"
        else:
            out += struct.pack(">I", ms) + b"\xff" * 4 + b"\x00" + b"\xff" * 4 + b"\x00" + b"\xcc\x00\x00\x01\x00"
    return out + b"\x00\xff\xff\xff\x00"


def markers_old(cues):
    out = b"\x02\x05" + struct.pack(">I", 14)
    for i in range(14):
        ms = dict(cues).get(i) if i < 5 else None
        if ms is None:
            out += b"\x7f" * 10 + b"\x00" + b"\x7f" * 5 + b"\x00" * 4 + (b"\x00\x00" if i < 5 else b"\x03\x00")
        else:
            out += b"\x00" + serato32(ms) + b"\x7f" + b"\x7f" * 4 + b"\x00" + b"\x7f" * 5 + serato32(0xcc0000) + b"\x01\x00"
    return out + b"\x07\x7f\x7f\x7f"


def envelope(name, payload):
    return b64_lines(b"application/octet-stream\0\0" + name + b"\0" + payload).decode()


def payloads(spec, m4a=False):
    raw = spec.get("raw", {})
    p = {}
    if "grid" in spec: p["beatgrid"] = beatgrid(spec["grid"])
    if "cues" in spec or "loops" in spec: p["markers2"] = markers2(spec.get("cues", []), spec.get("loops", []))
    if "old" in spec: p["markers"] = (markers_old_m4a if m4a else markers_old)(spec["old"])
    for k, v in raw.items(): p[k] = bytes.fromhex(v)
    return p


GEOB = {"beatgrid": b"Serato BeatGrid", "markers2": b"Serato Markers2", "markers": b"Serato Markers_"}


def id3(spec):
    def frame(fid, body):
        return fid + struct.pack(">I", syncsafe(len(body))) + b"\0\0" + body
    def text(fid, s):
        return frame(fid, b"\x03" + s.encode() + b"\0")
    body = b""
    for k, v in payloads(spec).items():
        body += frame(b"GEOB", b"\x00application/octet-stream\0\0" + GEOB[k] + b"\0" + v)
    if "key" in spec: body += text(b"TKEY", spec["key"])
    if "bpm" in spec: body += text(b"TBPM", spec["bpm"])
    if "title" in spec: body += text(b"TIT2", spec["title"])
    return b"ID3\x04\x00\x00" + struct.pack(">I", syncsafe(len(body))) + body


def syncsafe(n):
    return (n & 0x7f) | ((n >> 7) & 0x7f) << 8 | ((n >> 14) & 0x7f) << 16 | ((n >> 21) & 0x7f) << 24


def tag_mp3(path, spec):
    data = open(path, "rb").read()
    assert not data.startswith(b"ID3"), "MP3 already has an ID3v2 tag"
    open(path, "wb").write(id3(spec) + data)


def tag_riff(path, spec, big):
    data = bytearray(open(path, "rb").read())
    tag = id3(spec)
    chunk = (b"ID3 " + struct.pack(">I" if big else "<I", len(tag)) + tag + (b"\0" if len(tag) % 2 else b""))
    data += chunk
    struct.pack_into(">I" if big else "<I", data, 4, len(data) - 8)
    open(path, "wb").write(bytes(data))


VORBIS = {"beatgrid": ("SERATO_BEATGRID", b"Serato BeatGrid"), "markers2": ("SERATO_MARKERS_V2", b"Serato Markers2"),
          "markers": ("SERATO_MARKERS", b"Serato Markers_")}


def comments(spec):
    c = []
    for k, v in payloads(spec).items():
        field, name = VORBIS[k]
        c.append((field, v.decode("latin-1") if k in spec.get("raw", {}) else envelope(name, v)))
    if "key" in spec: c.append(("INITIALKEY", spec["key"]))
    if "bpm" in spec: c.append(("BPM", spec["bpm"]))
    if "title" in spec: c.append(("TITLE", spec["title"]))
    return c


def tag_flac(path, spec):
    data = open(path, "rb").read()
    assert data[:4] == b"fLaC"
    i, blocks = 4, []
    while True:
        h = data[i]
        n = int.from_bytes(data[i + 1:i + 4], "big")
        if h & 0x7f != 4: blocks.append((h & 0x7f, data[i + 4:i + 4 + n]))
        i += 4 + n
        if h & 0x80: break
    vendor = b"crowdstream tests"
    body = struct.pack("<I", len(vendor)) + vendor
    cs = comments(spec)
    body += struct.pack("<I", len(cs))
    for k, v in cs:
        kv = k.encode() + b"=" + v.encode("utf-8")
        body += struct.pack("<I", len(kv)) + kv
    blocks.insert(1, (4, body))
    out = b"fLaC"
    for j, (t, b) in enumerate(blocks):
        out += bytes([t | (0x80 if j == len(blocks) - 1 else 0)]) + len(b).to_bytes(3, "big") + b
    open(path, "wb").write(out + data[i:])


def atom(kind, body):
    return struct.pack(">I", 8 + len(body)) + kind + body


def freeform(mean, name, value):
    return atom(b"----", atom(b"mean", b"\0\0\0\0" + mean) + atom(b"name", b"\0\0\0\0" + name)
                + atom(b"data", b"\0\0\0\x01\0\0\0\0" + value))


MP4 = {"beatgrid": (b"beatgrid", b"Serato BeatGrid"), "markers2": (b"markersv2", b"Serato Markers2"),
       "markers": (b"markers", b"Serato Markers_")}


def tag_m4a(path, spec):
    data = bytearray(open(path, "rb").read())
    items = b""
    for k, v in payloads(spec, m4a=True).items():
        name, tagname = MP4[k]
        val = v if k in spec.get("raw", {}) else envelope(tagname, v).encode()
        items += freeform(b"com.serato.dj", name, val)
    if "key" in spec: items += freeform(b"com.apple.iTunes", b"initialkey", spec["key"].encode())
    if "title" in spec: items += atom(b"\xa9nam", atom(b"data", b"\0\0\0\x01\0\0\0\0" + spec["title"].encode()))
    # path of atoms down to ilst, creating udta/meta/ilst where missing
    def find(start, end, kind):
        i = start
        while i + 8 <= end:
            n = struct.unpack(">I", data[i:i + 4])[0]
            if data[i + 4:i + 8] == kind: return i, n
            i += n
        return None, None
    mdat, _ = find(0, len(data), b"mdat")
    moov, moov_n = find(0, len(data), b"moov")
    assert moov is not None and mdat is not None and moov > mdat, "moov must follow mdat"
    chain = [moov]
    udta, n = find(moov + 8, moov + moov_n, b"udta")
    if udta is None:
        ins = atom(b"udta", atom(b"meta", b"\0\0\0\0" + atom(b"hdlr", b"\0" * 8 + b"mdirappl" + b"\0" * 9)
                                 + atom(b"ilst", items)))
        at = moov + moov_n
    else:
        chain.append(udta)
        meta, mn = find(udta + 8, udta + n, b"meta")
        assert meta is not None
        chain.append(meta)
        ilst, ln = find(meta + 12, meta + mn, b"ilst")
        if ilst is None:
            ins, at = atom(b"ilst", items), meta + mn
        else:
            chain.append(ilst)
            ins, at = items, ilst + ln
    data[at:at] = ins
    for c in chain:
        n = struct.unpack(">I", data[c:c + 4])[0]
        struct.pack_into(">I", data, c, n + len(ins))
    open(path, "wb").write(bytes(data))


def crate(out, paths):
    def rec(tag, body): return tag + struct.pack(">I", len(body)) + body
    d = rec(b"vrsn", "1.0/Serato ScratchLive Crate".encode("utf-16-be"))
    for p in paths:
        d += rec(b"otrk", rec(b"ptrk", p.encode("utf-16-be")))
    open(out, "wb").write(d)


def main():
    if sys.argv[1] == "--crate":
        crate(sys.argv[2], sys.argv[3:])
        return
    path, spec = sys.argv[1], json.load(open(sys.argv[2]))
    ext = path.rsplit(".", 1)[-1].lower()
    if ext == "mp3": tag_mp3(path, spec)
    elif ext == "wav": tag_riff(path, spec, False)
    elif ext in ("aif", "aiff"): tag_riff(path, spec, True)
    elif ext == "flac": tag_flac(path, spec)
    elif ext in ("m4a", "mp4"): tag_m4a(path, spec)
    else: raise SystemExit("unknown extension: " + path)


if __name__ == "__main__":
    main()
