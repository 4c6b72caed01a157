"""OSC 1.0 message bytes for the tests' Python clients (standard library only).

    import sys, os; sys.path.insert(0, os.environ["CS_ROOT"] + "/tests/tools")
    from oscmsg import msg
    sock.sendto(msg("/deck_levels", ",ff", 1.0, 0.0), ("127.0.0.1", port))

Strings are NUL-terminated and padded to 4 bytes; floats are big-endian
float32 (pass Python floats), ints int32 (pass Python ints), strings pass
as str, blobs as bytes (size-prefixed, padded).  Type tags without data
(T F N I) take no argument; raw(addr) is an address with no type-tag
string at all.
"""
import struct


def pad(b):
    """NUL-terminates and pads b to a multiple of 4 bytes."""
    return b + b"\0" * (4 - len(b) % 4)


def msg(addr, tags=",", *args):
    out = pad(addr.encode()) + pad(tags.encode())
    for a in args:
        if isinstance(a, float):
            out += struct.pack(">f", a)
        elif isinstance(a, int):
            out += struct.pack(">i", a)
        elif isinstance(a, bytes):
            out += struct.pack(">i", len(a)) + a + b"\0" * (-len(a) % 4)
        else:
            out += pad(a.encode())
    return out


def raw(addr):
    """An address, padded, with no type-tag string after it."""
    return pad(addr.encode())


def first_float(data):
    """The first argument of a received message, read as float32."""
    addr_end = (data.index(b"\0") // 4 + 1) * 4
    tags_end = addr_end + (data.index(b"\0", addr_end) - addr_end) // 4 * 4 + 4
    return struct.unpack(">f", data[tags_end:tags_end + 4])[0]


def reply_address(data):
    """The address of a received OSC message."""
    return data.split(b"\0")[0].decode()


def client(port, host="127.0.0.1", timeout=0.2, tries=100):
    """A UDP socket and the server's address, once `cs play` on port
    answers /cs/ping (tries x timeout at most; then returned anyway, and the
    test's own checks say what is missing)."""
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    dst = (host, port)
    for _ in range(tries):
        s.sendto(msg("/cs/ping"), dst)
        try:
            s.recvfrom(4096)
            break
        except socket.timeout:
            pass
    return s, dst
