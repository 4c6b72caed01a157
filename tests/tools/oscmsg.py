"""OSC 1.0 message bytes for the tests' Python clients (standard library only).

    import sys, os; sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
    from oscmsg import msg
    sock.sendto(msg("/deck_levels", ",ff", 1.0, 0.0), ("127.0.0.1", port))

Strings are NUL-terminated and padded to 4 bytes; floats are big-endian
float32 (pass Python floats), strings pass as str.
"""
import struct


def pad(b):
    """NUL-terminates and pads b to a multiple of 4 bytes."""
    return b + b"\0" * (4 - len(b) % 4)


def msg(addr, tags=",", *args):
    out = pad(addr.encode()) + pad(tags.encode())
    for a in args:
        out += struct.pack(">f", a) if isinstance(a, float) else pad(a.encode())
    return out


def reply_address(data):
    """The address of a received OSC message."""
    return data.split(b"\0")[0].decode()
