# pcaplib.py - just enough pcap/pcapng reading and writing, and IPv4/IPv6,
# TCP, UDP and GRE building and dissecting, for the fuzz seed generator and
# the robustness tests. Python standard library only.
#
# SPDX-License-Identifier: GPL-2.0-or-later
import struct

LINKTYPE_ETHERNET = 1
ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD


# ---- files -------------------------------------------------------------------

def pcap_header(linktype=LINKTYPE_ETHERNET, snaplen=262144, nano=False):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts_ns, data, wire_len=None, nano=False):
    frac = ts_ns % 1000000000 if nano else (ts_ns % 1000000000) // 1000
    wire = len(data) if wire_len is None else wire_len
    return struct.pack("<IIII", ts_ns // 1000000000, frac, len(data), wire) + data


def pcap_file(frames, linktype=LINKTYPE_ETHERNET, nano=False):
    """frames: iterable of (ts_ns, bytes)."""
    out = [pcap_header(linktype, nano=nano)]
    for ts, data in frames:
        out.append(pcap_record(ts, data, nano=nano))
    return b"".join(out)


def _pad32(b):
    return b + b"\0" * (-len(b) % 4)


def _block(btype, body):
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng_file(frames, linktype=LINKTYPE_ETHERNET):
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           _block(1, struct.pack("<HHI", linktype, 0, 262144))]
    for ts_ns, data in frames:
        ts = ts_ns // 1000  # default resolution: microseconds
        out.append(_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data))
                          + _pad32(data)))
    return b"".join(out)


def read_capture(blob):
    """(linktype, [(ts_ns, bytes, wire_len)]) of a pcap or pcapng file, or
    None when it is neither. Tolerant: stops at the first damaged record."""
    if len(blob) < 24:
        return None
    magic_le = struct.unpack("<I", blob[:4])[0]
    for endian in "<>":
        magic = struct.unpack(endian + "I", blob[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D, 0xA1B2CD34):
            nano = magic == 0xA1B23C4D
            hdr = 24 if magic == 0xA1B2CD34 else 16
            linktype = struct.unpack(endian + "I", blob[20:24])[0] & 0x0FFFFFFF
            frames, pos = [], 24
            while pos + 16 <= len(blob):
                s, frac, caplen, wire = struct.unpack(endian + "IIII", blob[pos:pos + 16])
                if caplen > 262144 or pos + hdr + caplen > len(blob):
                    break
                ts = s * 1000000000 + (frac if nano else frac * 1000)
                frames.append((ts, blob[pos + hdr:pos + hdr + caplen], wire))
                pos += hdr + caplen
            return linktype, frames
    if magic_le == 0x0A0D0D0A:
        return _read_pcapng(blob)
    return None


def _read_pcapng(blob):
    endian, pos, linktypes, frames = "<", 0, [], []
    while pos + 12 <= len(blob):
        btype = struct.unpack(endian + "I", blob[pos:pos + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = blob[pos + 8:pos + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(endian + "II", blob[pos:pos + 8])
        if blen < 12 or pos + blen > len(blob):
            break
        body = blob[pos + 8:pos + blen - 4]
        if btype == 1 and len(body) >= 8:
            linktypes.append(struct.unpack(endian + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            _, hi, lo, caplen, wire = struct.unpack(endian + "IIIII", body[:20])
            frames.append((((hi << 32) | lo) * 1000, body[20:20 + caplen], wire))
        elif btype == 3 and len(body) >= 4:
            wire = struct.unpack(endian + "I", body[:4])[0]
            frames.append((0, body[4:4 + wire], wire))
        pos += blen
    if not linktypes:
        return None
    return linktypes[0], frames


# ---- from a frame to IP ---------------------------------------------------------

def ip_of_frame(linktype, frame):
    """The IP packet inside a frame of the common link types, or None."""
    if linktype == 1:  # Ethernet, with VLAN tags
        pos, etype = 12, None
        while pos + 2 <= len(frame):
            etype = struct.unpack("!H", frame[pos:pos + 2])[0]
            pos += 2
            if etype in (0x8100, 0x88A8):
                pos += 2
                continue
            break
        if etype in (ETH_IPV4, ETH_IPV6):
            return frame[pos:]
        return None
    if linktype in (12, 14, 101, 228, 229):
        return frame
    if linktype in (0, 108):
        return frame[4:]
    if linktype == 113:
        return frame[16:] if frame[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == 276:
        return frame[20:] if frame[:2] in (b"\x08\x00", b"\x86\xdd") else None
    return None


def parse_ip(pkt):
    """dict(version, src, dst, proto, payload, frag) or None. IPv6
    extension headers are not walked (seeds do not need them)."""
    if len(pkt) < 1:
        return None
    v = pkt[0] >> 4
    if v == 4 and len(pkt) >= 20:
        ihl = (pkt[0] & 15) * 4
        total = struct.unpack("!H", pkt[2:4])[0]
        frag = struct.unpack("!H", pkt[6:8])[0] & 0x3FFF
        return dict(version=4, src=pkt[12:16], dst=pkt[16:20], proto=pkt[9],
                    payload=pkt[ihl:max(ihl, min(total, len(pkt)))], frag=frag != 0)
    if v == 6 and len(pkt) >= 40:
        plen = struct.unpack("!H", pkt[4:6])[0]
        return dict(version=6, src=pkt[8:24], dst=pkt[24:40], proto=pkt[6],
                    payload=pkt[40:40 + plen], frag=False)
    return None


# ---- building -----------------------------------------------------------------------

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0, ttl=64, mf=False, frag_offset=0, total=None):
    """src/dst: 4 bytes. frag_offset in bytes (multiple of 8)."""
    flags = (0x2000 if mf else 0) | (frag_offset // 8)
    length = 20 + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, ident & 0xFFFF, flags, ttl, proto, 0,
                      src, dst)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def tcp(sport, dport, seq, ack, flags, payload=b"", window=65535):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                       flags, window, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def gre_v1(call_id, payload, seq=None, ack=None):
    """Enhanced GRE (RFC 2637 4.1): K always, S with a payload, A optional."""
    flags = 0x2001  # K, version 1
    if seq is not None:
        flags |= 0x1000
    if ack is not None:
        flags |= 0x0080
    out = struct.pack("!HHHH", flags, 0x880B, len(payload), call_id)
    if seq is not None:
        out += struct.pack("!I", seq)
    if ack is not None:
        out += struct.pack("!I", ack)
    return out + payload


def ether(payload, etype=ETH_IPV4, src=b"\x02\x00\x00\x00\x00\x01", dst=b"\x02\x00\x00\x00\x00\x02"):
    return dst + src + struct.pack("!H", etype) + payload


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 1, 2, 4, 8, 16
