#!/usr/bin/env python3
# make_seeds.py - writes the seed corpora of the fuzz targets: frames,
# streams and messages cut out of capture files, converted to every link
# type the engine decodes, plus hand-made IKE messages, policy strings and
# capture-file edge cases. Python standard library only; deterministic.
#
#   tests/fuzz/make_seeds.py --out DIR          # captures/ + hand-made -> DIR/<target>/seed-*
#   tests/fuzz/make_seeds.py --out DIR FILE...  # other captures (e.g. the hostile corpus
#                                               # beside the repository) -> DIR/<target>/
#
# The committed corpora (tests/fuzz/corpus/<target>/) are not written here:
# they are these seeds and a fuzzing session's finds, minimised by libFuzzer
# (-merge=1), plus the crash reproducers (see tests/fuzz/README.md).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcaplib as pl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
LINKTYPES = [0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276]  # as in fuzz_engine.c
MAX_SEED = 64 * 1024


class Out:
    def __init__(self, root):
        self.root = root
        self.written = {}

    def put(self, target, name, data):
        if len(data) > MAX_SEED:
            data = data[:MAX_SEED]
        d = os.path.join(self.root, target)
        os.makedirs(d, exist_ok=True)
        key = (target, hashlib.sha1(data).hexdigest())
        if key in self.written:  # same bytes under another name: keep one
            return
        self.written[key] = name
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


# ---- engine inputs ---------------------------------------------------------------

def time_step(delta_ns):
    if delta_ns < 0:
        return 0xFF
    if delta_ns < 128 * 10000000:
        return min(0x7F, delta_ns // 10000000)
    return min(0xFE, 0x7F + delta_ns // (16 * 1000000000))


def engine_input(linktype, frames, options=0):
    out = bytearray([LINKTYPES.index(linktype), options])
    prev = frames[0][0] if frames else 0
    for ts, data, wire in frames:
        n = min(len(data), 0x7FFF)
        cut = 0x8000 if wire > n else 0
        out += struct.pack("!BH", time_step(ts - prev), n | cut) + data[:n]
        prev = ts
    return bytes(out)


def wrap_ip(linktype, ip):
    """An IP packet as a frame of the given link type."""
    v6 = ip[0] >> 4 == 6
    etype = struct.pack("!H", pl.ETH_IPV6 if v6 else pl.ETH_IPV4)
    if linktype == 0:
        return struct.pack("<I", 30 if v6 else 2) + ip
    if linktype == 108:
        return struct.pack("!I", 24 if v6 else 2) + ip
    if linktype == 1:
        return pl.ether(ip, pl.ETH_IPV6 if v6 else pl.ETH_IPV4)
    if linktype in (9, 50):
        return b"\xff\x03" + (b"\x00\x57" if v6 else b"\x00\x21") + ip
    if linktype == 104:
        return b"\x0f\x00" + etype + ip
    if linktype == 113:
        return struct.pack("!HHH", 0, 1, 6) + b"\x02\0\0\0\0\x01\0\0" + etype + ip
    if linktype == 276:
        return etype + struct.pack("!HIHBB", 0, 2, 1, 0, 6) + b"\x02\0\0\0\0\x01\0\0" + ip
    return ip  # 12, 14, 101, 228, 229


def vlan_pppoe(ip):
    """Ethernet, two VLAN tags, PPPoE session, PPP, IP: the longest path."""
    ppp = b"\x00\x21" + ip
    pppoe = struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp
    tags = struct.pack("!HHHH", 0x0064, 0x8100, 0x00C8, 0x8864)
    return pl.ether(tags + pppoe, 0x88A8)


# ---- dissecting captures ------------------------------------------------------------

def packets(linktype, frames):
    """(ts, ip bytes, parsed ip) for the frames that hold IP."""
    for ts, data, wire in frames:
        ip = pl.ip_of_frame(linktype, data)
        if ip is None:
            continue
        p = pl.parse_ip(ip)
        if p:
            yield ts, ip, p


def tcp_streams(pkts, port):
    """{(src, sport, dst, dport): bytes} of the TCP payloads to/from port,
    in sequence order, retransmissions dropped."""
    segs = {}
    for _, _, p in pkts:
        if p["proto"] != 6 or p["frag"] or len(p["payload"]) < 20:
            continue
        t = p["payload"]
        sport, dport, seq = struct.unpack("!HHI", t[:8])
        if port not in (sport, dport):
            continue
        data = t[(t[12] >> 4) * 4:]
        if data:
            segs.setdefault((p["src"], sport, p["dst"], dport), {}).setdefault(seq, data)
    return {k: b"".join(v[s] for s in sorted(v)) for k, v in segs.items()}


def direction(first_src, p):
    return 0 if p["src"] == first_src else 1


def records(items):
    """u8 tag, u16 length, bytes: the layout of the gre/ppp targets."""
    return b"".join(struct.pack("!BH", tag, len(d)) + d for tag, d in items)


def gre_packets(pkts):
    out, first = [], None
    for _, _, p in pkts:
        if p["proto"] == 47 and not p["frag"]:
            first = first or p["src"]
            out.append((direction(first, p), p["payload"]))
    return out


def ppp_of_gre(g):
    if len(g) < 8 or g[1] & 7 != 1:
        return None
    hl = 8 + (4 if g[0] & 0x10 else 0) + (4 if g[1] & 0x80 else 0)
    return g[hl:] if len(g) > hl else None


def ike_payloads(pkts):
    out = []
    for _, _, p in pkts:
        if p["proto"] != 17 or p["frag"] or len(p["payload"]) < 8:
            continue
        sport, dport = struct.unpack("!HH", p["payload"][:4])
        data = p["payload"][8:]
        if 4500 in (sport, dport) and data[:4] == b"\0\0\0\0":
            data = data[4:]
        elif 500 not in (sport, dport):
            continue
        if len(data) >= 28:
            out.append(data)
    return out


def l2tp_payloads(pkts):
    """(over_ip, bytes) of UDP 1701 and IP protocol 115 payloads."""
    out = []
    for _, _, p in pkts:
        if p["frag"]:
            continue
        if p["proto"] == 115:
            out.append((1, p["payload"]))
        elif p["proto"] == 17 and len(p["payload"]) >= 8:
            sport, dport = struct.unpack("!HH", p["payload"][:4])
            if 1701 in (sport, dport):
                out.append((0, p["payload"][8:]))
    return out


def seeds_from_capture(out, path, all_links):
    blob = open(path, "rb").read()
    cap = pl.read_capture(blob)
    if cap is None:
        return
    linktype, frames = cap
    name = os.path.splitext(os.path.basename(path))[0]
    frames = frames[:2000]
    if len(blob) <= 16384:
        out.put("pcap", name + ".pcap", blob)
    if linktype in LINKTYPES and frames:
        out.put("engine", name, engine_input(linktype, frames))
    pkts = list(packets(linktype, frames))
    if all_links and pkts:
        for lt in LINKTYPES:
            if lt != linktype:
                conv = [(ts, wrap_ip(lt, ip), len(ip)) for ts, ip, _ in pkts]
                out.put("engine", "%s-link%d" % (name, lt), engine_input(lt, conv))
        conv = [(ts, vlan_pppoe(ip), 0) for ts, ip, _ in pkts]
        out.put("engine", name + "-vlan-pppoe", engine_input(1, conv))
        out.put("engine", name + "-tiny-limits", engine_input(linktype, frames, options=1))

    for i, ((src, sport, dst, dport), stream) in enumerate(sorted(tcp_streams(pkts, 1723).items())):
        out.put("pptp", "%s-dir%d" % (name, i), b"\x00" + stream)
        if all_links:
            out.put("pptp", "%s-dir%d-bytewise" % (name, i), b"\x01\x01" + stream)
            out.put("pptp", "%s-dir%d-gaps" % (name, i), b"\x03\x07\x00\x1d" + stream)

    gre = gre_packets(pkts)
    if gre:
        out.put("gre", name, records(gre))
        ppp = [(d, x) for d, x in ((d, ppp_of_gre(g)) for d, g in gre) if x]
        if ppp:
            out.put("ppp", name, records(ppp))
    for i, (over_ip, m) in enumerate(l2tp_payloads(pkts)[:40]):
        out.put("l2tp", "%s-%d" % (name, i), bytes([over_ip]) + m)
    for i, m in enumerate(ike_payloads(pkts)):
        target = "ikev2" if m[17] >> 4 == 2 else "ikev1"
        out.put(target, "%s-%d" % (name, i), m)


# ---- hand-made IKE messages (RFC 2408/2409 and RFC 7296 layouts) --------------------------

def gp(next_type, body, flags=0):
    """Generic payload header: next payload, flags/reserved, length."""
    return struct.pack("!BBH", next_type, flags, 4 + len(body)) + body


def chain(payloads):
    """[(type, body)] -> (first type, bytes) with the next-payload fields linked."""
    data = b""
    for i, (_, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        data += gp(nxt, body)
    return (payloads[0][0] if payloads else 0), data


def ike_msg(version, exchange, flags, payloads, msgid=0, spi_r=b"\0" * 8, body=None):
    first, data = chain(payloads) if body is None else body
    hdr = b"\x11\x22\x33\x44\x55\x66\x77\x88" + spi_r + struct.pack(
        "!BBBBII", first, version, exchange, flags, msgid, 28 + len(data))
    return hdr + data


def tv(t, v):
    return struct.pack("!HH", 0x8000 | t, v)


def tlv(t, v):
    return struct.pack("!HH", t, len(v)) + v


def v1_transform(num, tid, attrs, last):
    body = struct.pack("!BBH", num, tid, 0) + attrs
    return struct.pack("!BBH", 0 if last else 3, 0, 8 + len(attrs)) + body


def v1_proposal(num, proto, spi, transforms, last=True):
    body = struct.pack("!BBBB", num, proto, len(spi), len(transforms)) + spi + b"".join(transforms)
    return struct.pack("!BBH", 0 if last else 2, 0, 4 + len(body)) + body


def v1_sa(proposals):
    return struct.pack("!II", 1, 1) + b"".join(proposals)


NATT_VID = bytes.fromhex("4a131c81070358455c5728f20e95452f")
DPD_VID = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")
MS_VID = bytes.fromhex("1e2b516905991c7d7c96fcbfb587e46100000009")


def ikev1_messages():
    p1 = [
        v1_transform(1, 1, tv(1, 7) + tv(14, 256) + tv(2, 4) + tv(3, 1) + tv(4, 14) + tv(11, 1)
                     + tv(12, 28800), False),
        v1_transform(2, 1, tv(1, 5) + tv(2, 2) + tv(3, 65001) + tv(4, 2) + tv(11, 1)
                     + tlv(12, struct.pack("!I", 86400)), False),
        v1_transform(3, 1, tv(1, 1) + tv(2, 1) + tv(3, 3) + tv(4, 1) + tv(11, 2)
                     + tlv(12, b"\x00\x46\x50\x00\x00\x00\x00\x00\x01"), True),
    ]
    sa1 = v1_sa([v1_proposal(1, 1, b"", p1)])
    yield "main-1", ike_msg(0x10, 2, 0, [(1, sa1), (13, NATT_VID), (13, DPD_VID), (13, MS_VID)])
    natd = hashlib.sha1(b"natd").digest()
    yield "main-3", ike_msg(0x10, 2, 0, [(4, b"\x01" * 128), (10, b"\x02" * 32), (20, natd),
                                         (20, natd[::-1])], spi_r=b"\x99" * 8)
    ident = struct.pack("!BBH", 2, 17, 500) + b"vpn.example.com"
    yield "aggressive-1", ike_msg(0x10, 4, 0, [(1, sa1), (4, b"\x03" * 128), (10, b"\x04" * 24),
                                               (5, ident), (13, NATT_VID), (130, natd)])
    yield "id-subnet", ike_msg(0x10, 2, 0, [(5, struct.pack("!BBH", 4, 0, 0) + bytes([10, 0, 0, 0, 255, 255, 255, 0])),
                                            (5, struct.pack("!BBH", 7, 6, 80) + bytes([10, 0, 0, 1, 10, 0, 0, 9])),
                                            (5, struct.pack("!BBH", 5, 0, 0) + bytes(range(16))),
                                            (5, struct.pack("!BBH", 3, 0, 0) + b"user@example.com"),
                                            (5, struct.pack("!BBH", 9, 0, 0) + b"\x30\x0b\x31\x09")])
    notify = struct.pack("!IBBH", 1, 1, 16, 14) + b"\x11" * 16
    yield "info-notify", ike_msg(0x10, 5, 0, [(11, notify)], msgid=0x1234)
    rut = struct.pack("!IBBH", 1, 1, 16, 36136) + b"\x11" * 16 + struct.pack("!I", 7)
    yield "info-dpd", ike_msg(0x10, 5, 0, [(8, b"\x00" * 20), (11, rut)], msgid=0x55)
    delete = struct.pack("!IBBH", 1, 3, 4, 2) + b"\xaa\xbb\xcc\xdd\x01\x02\x03\x04"
    yield "info-delete", ike_msg(0x10, 5, 0, [(12, delete)], msgid=0x56)
    p2 = [v1_transform(1, 12, tv(4, 1) + tv(5, 2) + tv(6, 128) + tv(1, 1) + tv(2, 3600)
                       + tv(3, 14) + tv(11, 1), False),
          v1_transform(2, 3, tv(4, 3) + tv(5, 1) + tv(1, 2) + tlv(2, struct.pack("!I", 4608000)), True)]
    sa2 = v1_sa([v1_proposal(1, 3, b"\xde\xad\xbe\xef", p2, last=False),
                 v1_proposal(1, 2, b"\xde\xad\xbe\xf0", [v1_transform(1, 3, tv(5, 2) + tv(4, 1), True)])])
    yield "quick-clear", ike_msg(0x10, 32, 0, [(8, b"\x00" * 20), (1, sa2), (10, b"\x05" * 16),
                                               (5, struct.pack("!BBH", 1, 0, 0) + bytes([192, 0, 2, 1])),
                                               (21, struct.pack("!BBH", 1, 0, 0) + bytes([10, 1, 1, 1]))],
                                      msgid=0x77)
    yield "quick-encrypted", ike_msg(0x10, 32, 1, [], msgid=0x78, body=(8, bytes(range(64))))
    attrs = struct.pack("!BBH", 1, 0, 2) + tv(16520, 0) + tlv(16521, b"") + tlv(16522, b"")
    yield "transaction-xauth", ike_msg(0x10, 6, 0, [(8, b"\0" * 20), (14, attrs)], msgid=9)
    status = struct.pack("!BBH", 3, 0, 3) + tv(16527, 0) + tlv(16528, b"Login failed")
    yield "transaction-status", ike_msg(0x10, 6, 0, [(14, status)], msgid=10)
    frag = struct.pack("!HBB", 7, 1, 0) + bytes(40)
    yield "fragment", ike_msg(0x10, 2, 0, [(132, frag)])
    yield "cert-cr", ike_msg(0x10, 2, 0, [(6, b"\x04" + bytes(60)), (7, b"\x04"), (9, bytes(64))])


def v2_transform(ttype, tid, keylen=None, last=False):
    attrs = tv(14, keylen) if keylen else b""
    body = struct.pack("!BBH", ttype, 0, tid) + attrs
    return struct.pack("!BBH", 0 if last else 3, 0, 4 + len(body)) + body


def v2_proposal(num, proto, spi, transforms, last=True):
    body = struct.pack("!BBBB", num, proto, len(spi), len(transforms)) + spi + b"".join(transforms)
    return struct.pack("!BBH", 0 if last else 2, 0, 4 + len(body)) + body


def v2_notify(ntype, data=b"", proto=0, spi=b""):
    return struct.pack("!BBH", proto, len(spi), ntype) + spi + data


def v2_ts(entries):
    body = b""
    for a, b in entries:
        t = 7 if len(a) == 4 else 8
        body += struct.pack("!BBHHH", t, 0, 8 + 2 * len(a), 0, 65535) + a + b
    return struct.pack("!BBH", len(entries), 0, 0) + body


def ikev2_messages():
    ike_sa = [v2_proposal(1, 1, b"", [v2_transform(1, 12, 256), v2_transform(1, 12, 128),
                                      v2_transform(2, 5), v2_transform(2, 2),
                                      v2_transform(3, 12), v2_transform(3, 2),
                                      v2_transform(4, 14), v2_transform(4, 19), v2_transform(4, 31, last=True)],
                          last=False),
              v2_proposal(2, 1, b"", [v2_transform(1, 20, 256), v2_transform(2, 7),
                                      v2_transform(4, 21), v2_transform(6, 36, last=True)])]
    natd = hashlib.sha1(b"natd").digest()
    init = [(33, b"".join(ike_sa)), (34, struct.pack("!HH", 14, 0) + b"\x01" * 256),
            (40, b"\x02" * 32), (41, v2_notify(16388, natd)), (41, v2_notify(16389, natd[::-1])),
            (41, v2_notify(16430, b"\x00\x02\x00\x03\x00\x04")), (43, b"strongSwan-fuzz!")]
    yield "sa-init-request", ike_msg(0x20, 34, 0x08, init)
    resp_sa = v2_proposal(1, 1, b"", [v2_transform(1, 12, 256), v2_transform(2, 5),
                                      v2_transform(3, 12), v2_transform(4, 14, last=True)])
    yield "sa-init-response", ike_msg(0x20, 34, 0x20, [(33, resp_sa), (34, struct.pack("!HH", 14, 0) + b"\x03" * 256),
                                                       (40, b"\x04" * 32), (38, b"\x04" + b"\x05" * 20)],
                                      spi_r=b"\x99" * 8)
    yield "invalid-ke", ike_msg(0x20, 34, 0x20, [(41, v2_notify(17, struct.pack("!H", 19)))])
    yield "no-proposal", ike_msg(0x20, 34, 0x20, [(41, v2_notify(14))])
    yield "cookie", ike_msg(0x20, 34, 0x20, [(41, v2_notify(16390, b"\x07" * 20))])
    yield "auth-encrypted", ike_msg(0x20, 35, 0x08, [], msgid=1, spi_r=b"\x99" * 8,
                                    body=(46, gp(35, bytes(range(80)))))
    yield "auth-fragment", ike_msg(0x20, 35, 0x08, [], msgid=1, spi_r=b"\x99" * 8,
                                   body=(53, gp(35, struct.pack("!HH", 1, 3) + bytes(48))))
    child = v2_proposal(1, 3, b"\xc0\xff\xee\x01", [v2_transform(1, 20, 128), v2_transform(1, 12, 256),
                                                    v2_transform(3, 12), v2_transform(5, 0),
                                                    v2_transform(5, 1, last=True)])
    cp = struct.pack("!BBH", 1, 0, 0) + struct.pack("!HH", 1, 0) + struct.pack("!HH", 3, 0) + \
        struct.pack("!HH", 1, 4) + bytes([10, 9, 8, 7])
    eap = struct.pack("!BBHB", 1, 1, 5, 1)
    clear_auth = [(35, struct.pack("!BBH", 2, 0, 0) + b"client.example.com"),
                  (36, struct.pack("!BBH", 1, 0, 0) + bytes([192, 0, 2, 1])),
                  (39, struct.pack("!BBH", 2, 0, 0) + bytes(32)), (47, cp), (33, child),
                  (44, v2_ts([(bytes([0, 0, 0, 0]), bytes([255] * 4))])),
                  (45, v2_ts([(bytes(16), bytes([255] * 16)), (bytes([10, 0, 0, 0]), bytes([10, 0, 0, 255]))])),
                  (48, eap), (41, v2_notify(16384))]
    yield "auth-clear", ike_msg(0x20, 35, 0x08, clear_auth, msgid=1, spi_r=b"\x99" * 8)
    yield "informational-delete", ike_msg(0x20, 37, 0x08, [(42, struct.pack("!BBH", 3, 4, 2) + b"\x01\x02\x03\x04\x05\x06\x07\x08")],
                                          msgid=5, spi_r=b"\x99" * 8)
    yield "auth-failed", ike_msg(0x20, 35, 0x20, [(41, v2_notify(24))], msgid=1, spi_r=b"\x99" * 8)
    yield "ts-unacceptable", ike_msg(0x20, 35, 0x20, [(41, v2_notify(38, proto=3, spi=b"\x01\x02\x03\x04"))],
                                     msgid=1, spi_r=b"\x99" * 8)


def avp(t, value, m=True, h=False, vendor=0):
    flags = (0x8000 if m else 0) | (0x4000 if h else 0)
    return struct.pack("!HHH", flags | (6 + len(value)), vendor, t) + value


def l2tp_ctrl(tunnel, session, ns, nr, avps):
    body = b"".join(avps)
    return struct.pack("!HHHHHH", 0xC802, 12 + len(body), tunnel, session, ns, nr) + body


def l2tp_messages():
    u16, u32 = (lambda v: struct.pack("!H", v)), (lambda v: struct.pack("!I", v))
    yield "sccrq", l2tp_ctrl(0, 0, 0, 0, [avp(0, u16(1)), avp(2, b"\x01\x00"), avp(3, u32(3)),
                                          avp(4, u32(3)), avp(6, u16(0x0680), m=False),
                                          avp(7, b"client"), avp(8, b"xelerance.com", m=False),
                                          avp(9, u16(12)), avp(10, u16(4)), avp(11, bytes(16)),
                                          avp(5, bytes(8), m=False)])
    yield "sccrp", l2tp_ctrl(12, 0, 0, 1, [avp(0, u16(2)), avp(2, b"\x01\x00"), avp(3, u32(3)),
                                           avp(7, b"lns"), avp(9, u16(7)), avp(13, bytes(16))])
    yield "stopccn", l2tp_ctrl(12, 0, 1, 1, [avp(0, u16(4)), avp(9, u16(7)),
                                             avp(1, u16(4) + u16(0) + b"not authorized")])
    yield "hello", l2tp_ctrl(12, 0, 2, 1, [avp(0, u16(6))])
    yield "zlb", struct.pack("!HHHHHH", 0xC802, 12, 12, 0, 3, 2)
    yield "icrq", l2tp_ctrl(12, 0, 3, 2, [avp(0, u16(10)), avp(14, u16(5)), avp(15, u32(1)),
                                          avp(18, u32(1)), avp(21, b"5551234"), avp(22, b"5550000")])
    yield "iccn", l2tp_ctrl(12, 9, 4, 2, [avp(0, u16(12)), avp(24, u32(100000000)), avp(19, u32(1)),
                                          avp(29, u16(2)), avp(30, b"user"), avp(31, b"\x01" * 16),
                                          avp(32, b"\x02" * 16), avp(33, u16(1))])
    yield "cdn", l2tp_ctrl(12, 9, 5, 2, [avp(0, u16(14)), avp(1, u16(3)), avp(14, u16(5)),
                                         avp(12, u16(16) + b"\x00" + b"normal"),
                                         avp(46, u16(1) + u16(0xC021) + b"\x01" + b"peer gone")])
    yield "hidden-avps", l2tp_ctrl(12, 0, 6, 2, [avp(0, u16(1)), avp(9, bytes(10), h=True),
                                                 avp(99, b"x", vendor=311), avp(200, b"", m=True)])
    lcp = b"\xff\x03\xc0\x21\x01\x01\x00\x0e\x01\x04\x05\xd4\x05\x06\x12\x34\x56\x78"
    yield "data-lcp", struct.pack("!HHHH", 0x4002, 8 + len(lcp), 12, 9) + lcp
    yield "data-seq-offset", struct.pack("!HHHHHH", 0x0A02, 12, 9, 1, 2, 4) + b"\0\0\0\0" + lcp
    yield "l2fv1", b"\x00\x01" + bytes(20)


def l2tpv3_ip_messages():
    # RFC 3931 4.1.1.1: a zero Session ID, then the control header
    body = avp(0, b"\x00\x01") + avp(7, b"v3host") + avp(61, b"\x00\x00\x00\x2a")
    ctrl = struct.pack("!IHHIHH", 0, 0xC803, 12 + len(body), 0, 0, 0) + body
    yield "v3-ip-sccrq", ctrl
    yield "v3-ip-data", struct.pack("!I", 0x1234) + b"\x45" + bytes(27)


POLICIES = [
    "aes256-sha256-modp2048", "aes128-sha1-modp1024,3des-md5-modp1024",
    "esp:aes128gcm16-esn", "ike:aes256gcm16-prfsha384-ecp384!,esp:aes256-sha256-noesn",
    "ah:sha1-sha256", "aes256-sha256-x25519-ke1_mlkem768", "AES256-SHA256-MODP2048",
    "aes256-aes128-sha512-sha384-prfsha256-modp4096-modp3072-ecp521",
    "aes256ctr-aes192ccm12-chacha20poly1305-camellia256-sha1-md5-aesxcbc-curve448-modp8192", "esp:aes256-sha256-modp2048-esn-noesn",
    "", ",", "aes256--sha256", "ike:", "esp:", "aes256-nonsense-modp2048", "esp:prfsha256",
    "aes256", "sha256-modp2048", "ike:aes256-sha256-modp2048,esp:aes256gcm16,ah:sha256,ike:3des-sha1-modp1024",
]


# ---- capture-file edge cases for the pcap target -----------------------------------------

def pcap_edge_cases(out, sample_frames):
    f = sample_frames[:6] or [(1700000000 * 10**9, pl.ether(b"\x45" + bytes(19)), 0)]
    frames = [(ts, d) for ts, d, _ in f]
    full = pl.pcap_file(frames)
    out.put("pcap", "edge-header-only.pcap", pl.pcap_header())
    out.put("pcap", "edge-cut-record.pcap", full[:-7])
    out.put("pcap", "edge-cut-record-header.pcap", full[:24 + 9])
    out.put("pcap", "edge-nanosecond.pcap", pl.pcap_file(frames, nano=True))
    out.put("pcap", "edge-pcapng.pcapng", pl.pcapng_file(frames))
    out.put("pcap", "edge-pcapng-raw.pcapng",
            pl.pcapng_file([(ts, pl.ip_of_frame(1, d) or d) for ts, d in frames], linktype=101))
    big = bytearray(pl.pcap_header(snaplen=64))
    big += pl.pcap_record(frames[0][0], frames[0][1] + bytes(100))
    out.put("pcap", "edge-caplen-over-snaplen.pcap", bytes(big))
    out.put("pcap", "edge-zero-caplen.pcap", pl.pcap_header() + pl.pcap_record(0, b"", wire_len=60))
    out.put("pcap", "edge-unsupported-link.pcap", pl.pcap_header(linktype=147) + pl.pcap_record(0, b"\0" * 20))
    be = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for ts, d in frames:
        be += struct.pack(">IIII", ts // 10**9, 0, len(d), len(d)) + d
    out.put("pcap", "edge-big-endian.pcap", be)
    times = [(0, frames[0][1]), (2**63 - 1, frames[-1][1]), (5, frames[0][1])]
    out.put("pcap", "edge-odd-times.pcap", pl.pcap_file([(t if t < 2**32 * 10**9 else (2**32 - 1) * 10**9, d)
                                                         for t, d in times]))


def handmade(out):
    for name, m in ikev1_messages():
        out.put("ikev1", name, m)
        out.put("engine", "ikev1-" + name, engine_input(101, [
            (1700000000 * 10**9, pl.ipv4(b"\xc0\x00\x02\x01", b"\xc6\x33\x64\x01", 17, pl.udp(500, 500, m)), 0),
            (1700000000 * 10**9 + 1, pl.ipv4(b"\xc0\x00\x02\x01", b"\xc6\x33\x64\x01", 17,
                                             pl.udp(4500, 4500, b"\0\0\0\0" + m)), 0)]))
    for name, m in ikev2_messages():
        out.put("ikev2", name, m)
        out.put("engine", "ikev2-" + name, engine_input(101, [
            (1700000000 * 10**9, pl.ipv4(b"\xc0\x00\x02\x01", b"\xc6\x33\x64\x01", 17, pl.udp(500, 500, m)), 0)]))
    for name, m in l2tp_messages():
        out.put("l2tp", name, b"\x00" + m)
        out.put("engine", "l2tp-" + name, engine_input(101, [
            (1700000000 * 10**9, pl.ipv4(b"\xc0\x00\x02\x01", b"\xc6\x33\x64\x01", 17,
                                         pl.udp(1701, 1701, m)), 0)]))
    for name, m in l2tpv3_ip_messages():
        out.put("l2tp", name, b"\x01" + m)
        out.put("engine", "l2tp-" + name, engine_input(101, [
            (1700000000 * 10**9, pl.ipv4(b"\xc0\x00\x02\x01", b"\xc6\x33\x64\x01", 115, m), 0)]))
    for i, p in enumerate(POLICIES):
        out.put("ike_policy", "policy-%02d" % i, p.encode())
    esp_seeds(out)


# ---- ESP (the esp target: fuzz_esp.c) ------------------------------------------------

def esp_null(spi, seq, inner, nh, block=4):
    """An ESP packet with NULL encryption and no ICV (RFC 2410, RFC 4303 2): what table 0 of
    fuzz_esp.c decrypts, so the payload reaches the trackers as it is."""
    npad = (-(len(inner) + 2)) % block
    return struct.pack("!II", spi, seq) + inner + bytes(range(1, npad + 1)) + bytes([npad, nh])


def esp_records(items):
    return b"".join(struct.pack("!BH", 1, len(d)) + d for d in items)


def esp_seeds(out):
    """L2TP (the clear lab capture's datagrams) inside NULL-encrypted ESP: transport mode
    on IP 50 and in UDP 4500, tunnel mode; and ESP SA table texts."""
    path = os.path.join(ROOT, "captures", "l2tp-healthy-client.pcap")
    cap = pl.read_capture(open(path, "rb").read()) if os.path.exists(path) else None
    if cap:
        linktype, frames = cap
        pkts = [p for _, _, p in packets(linktype, frames)
                if p["proto"] == 17 and not p["frag"] and len(p["payload"]) >= 8 and
                1701 in struct.unpack("!HH", p["payload"][:4])]
        first = pkts[0]["src"] if pkts else None
        for mode, name in ((0, "transport"), (1, "natt"), (2, "tunnel")):
            ips = []
            seq = [0, 0]
            for p in pkts:
                d = direction(first, p)
                seq[d] += 1
                spi = 0xc0000001 + d
                if mode == 2:
                    inner, nh = pl.ipv4(p["src"], p["dst"], 17, p["payload"]), 4
                else:
                    inner, nh = p["payload"], 17
                esp = esp_null(spi, seq[d], inner, nh)
                if mode == 1:
                    ips.append(pl.ipv4(p["src"], p["dst"], 17, pl.udp(4500, 4500, esp)))
                else:
                    ips.append(pl.ipv4(p["src"], p["dst"], 50, esp))
            out.put("esp", "l2tp-" + name, bytes([0]) + esp_records(ips))
            out.put("esp", "l2tp-" + name + "-streaming", bytes([4]) + esp_records(ips[:12]))
        # the other tables: the same packets fail their ICV, padding or tag
        if pkts:
            ips = [pl.ipv4(p["src"], p["dst"], 50, esp_null(0xc0000001, i + 1, p["payload"], 17, 16))
                   for i, p in enumerate(pkts[:6])]
            for t in (1, 2, 3):
                out.put("esp", "l2tp-table%d" % t, bytes([t]) + esp_records(ips))
    for t in sorted(glob.glob(os.path.join(ROOT, "captures", "*.esp_sa"))):
        out.put("esp", "table-" + os.path.basename(t), b"\x80" + open(t, "rb").read())
    out.put("esp", "table-wildcards", b"\x80" +
            b'"IPv4","10.0.*.*","10.0.2.0/24","*","TripleDES-CBC [RFC2451]",'
            b'"0x0123456789abcdef0123456789abcdef0123456789abcdef","NULL","0x"\n'
            b'"IPv6","2001:db8::1","*","1234","AES-GCM with 8 octet ICV [RFC4106]",'
            b'"0x00112233445566778899aabbccddeeff01020304","NULL",""\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="directory for the seeds, one subdirectory per target")
    ap.add_argument("--handmade-only", action="store_true",
                    help="only the hand-made seeds and capture-file edge cases")
    ap.add_argument("captures", nargs="*")
    a = ap.parse_args()
    out = Out(a.out)
    default = not a.captures
    caps = a.captures or sorted(glob.glob(os.path.join(ROOT, "captures", "**", "*.pcap*"), recursive=True))
    if a.handmade_only:
        caps = []
    sample = None
    for i, path in enumerate(caps):
        # every link type and chunking variant for a few captures only: the
        # committed corpus stays small, the fuzzer does the rest
        seeds_from_capture(out, path, all_links=not default or "healthy" in path)
        if sample is None and "healthy" in path:
            sample = pl.read_capture(open(path, "rb").read())[1]
    if default:
        handmade(out)
        if sample is None:
            healthy = sorted(glob.glob(os.path.join(ROOT, "captures", "pptp-healthy*.pcap")))
            sample = pl.read_capture(open(healthy[0], "rb").read())[1] if healthy else []
        pcap_edge_cases(out, sample)
    print("%d seed files written under %s" % (len(out.written), a.out))


if __name__ == "__main__":
    main()
