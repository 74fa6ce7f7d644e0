# pcapwrite.py - small writers for the end-to-end tests: classic pcap and
# pcapng files, and Ethernet/IPv4/TCP/UDP frames with correct checksums.
# Python standard library only.
#
# SPDX-License-Identifier: GPL-2.0-or-later
import struct

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101

PCAP_MAGIC_US = 0xA1B2C3D4


def pcap_header(linktype=LINKTYPE_ETHERNET, snaplen=262144, magic=PCAP_MAGIC_US):
    """The 24-byte classic pcap file header, little-endian, version 2.4."""
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts_s, ts_us, data, caplen=None, wire_len=None):
    """A 16-byte record header and the data; caplen/wire_len can lie."""
    caplen = len(data) if caplen is None else caplen
    wire_len = len(data) if wire_len is None else wire_len
    return struct.pack("<IIII", ts_s, ts_us, caplen, wire_len) + data


def pcap_file(frames, linktype=LINKTYPE_ETHERNET, snaplen=262144, t0=1795245434):
    """frames: iterable of (offset_us, bytes)."""
    out = pcap_header(linktype, snaplen)
    for offset_us, data in frames:
        us = offset_us
        out += pcap_record(t0 + us // 1000000, us % 1000000, data)
    return out


def _pad32(b):
    return b + b"\0" * (-len(b) % 4)


def pcapng_file(frames, linktype=LINKTYPE_ETHERNET, snaplen=262144, t0=1795245434):
    """A pcapng file: Section Header, one Interface Description (default
    microsecond resolution), one Enhanced Packet Block per frame."""
    shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb = struct.pack("<II", 0x0A0D0D0A, 12 + len(shb_body)) + shb_body + struct.pack(
        "<I", 12 + len(shb_body))
    idb_body = struct.pack("<HHI", linktype, 0, snaplen)
    idb = struct.pack("<II", 1, 12 + len(idb_body)) + idb_body + struct.pack("<I", 12 + len(idb_body))
    out = shb + idb
    for offset_us, data in frames:
        ts = t0 * 1000000 + offset_us
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + _pad32(data)
        out += struct.pack("<II", 6, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    return out


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip4(addr):
    return bytes(int(x) for x in addr.split("."))


def ethernet(payload, ethertype=0x0800, dst=b"\x02\0\0\0\0\x01", src=b"\x02\0\0\0\0\x0a"):
    frame = dst + src + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(src, dst, proto, payload, ttl=64, ident=1):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, proto, 0,
                         ip4(src), ip4(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def tcp(src, dst, sport, dport, flags, seq=1000, ack=0, payload=b""):
    """A TCP segment (RFC 9293) with a correct checksum; flags as an int
    (0x02 SYN, 0x12 SYN/ACK, 0x04 RST, 0x10 ACK...)."""
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(header) + len(payload))
    csum = checksum(pseudo + header + payload)
    return header[:16] + struct.pack("!H", csum) + header[18:] + payload


def udp(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, length)
    csum = checksum(pseudo + struct.pack("!HHHH", sport, dport, length, 0) + payload)
    return struct.pack("!HHHH", sport, dport, length, csum or 0xFFFF) + payload
