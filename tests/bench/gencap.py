#!/usr/bin/env python3
# gencap.py - a large, realistic server-side capture for the benchmark, with
# the list of findings it must produce.
#
# What it writes (pcap, Ethernet, microsecond timestamps), seeded: the same
# command always writes the same bytes.
#   - Ordinary traffic, most of the file: web and bulk TCP (full handshakes,
#     1514-byte segments, delayed ACKs, FIN), QUIC, DNS, RTP media, NTP,
#     ICMP echo, ARP, a tenth of it over IPv6, between a few thousand hosts.
#   - VPN sessions interleaved with it, each from its own client address to
#     one of the concentrator's addresses. Most are replays of the real
#     captures in captures/ (the lab's strongSwan, pptpd/pppd: PPTP and IKE,
#     healthy and broken; addresses rewritten, IKE NAT-D hashes recomputed for
#     the new addresses where they matched the old ones), the rest are built
#     here from the RFC layouts: L2TP (RFC 2661), ESP with no IKE in view
#     (RFC 4303) and NetMotion Mobility (UDP 5008, payload opaque).
#   - The expected findings (--expected): per planted session its template,
#     client and server addresses, protocol and the signatures pcapdiag must
#     report for it. For replays these are the lab's ground truth
#     (captures/NAME.expected.json: errors and warnings) plus the notes the
#     scenario implies; the generator refuses to run if its table and the
#     lab's files disagree.
#
#   gencap.py --out FILE [--expected FILE.json] [--size 1G] [--sessions N]
#             [--duration S] [--window S] [--seed N] [--captures DIR]
#
# --size is the target file size (K/M/G suffixes); --sessions defaults to 4
# per MB; --duration is the capture's span (default: size at 1 MB/s, at
# least 60 s), --window the span over which sessions start (default: the
# whole capture): a small window with many sessions makes them all live at
# once (the memory-per-session measurement).
# Python standard library only.
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import hashlib
import heapq
import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 1_000_000_000
MS = 1_000_000

ETH_IPV4, ETH_IPV6, ETH_ARP = 0x0800, 0x86DD, 0x0806
MAC_A = b"\x00\x1b\x21\x3a\x4f\x10"  # the concentrator side of the link
MAC_B = b"\x00\x0c\x29\x8e\x51\x02"  # the upstream router

# The concentrator's addresses, one per service (TEST-NET-2).
SERVER = {"pptp": "198.51.100.1", "l2tp": "198.51.100.2", "ike": "198.51.100.3",
          "netmotion": "198.51.100.4"}
NM_REAL = "10.255.0.4"  # the NetMotion server's own (private) address


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip4_str(b):
    return ".".join(str(x) for x in b)


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    return ~fold(sum(struct.unpack("!%dH" % (len(data) // 2), data))) & 0xFFFF


# ---- reading the lab captures --------------------------------------------------------

def read_pcap(path):
    """[(ts_ns, linktype, frame)] of a classic pcap file."""
    with open(path, "rb") as f:
        blob = f.read()
    magic = struct.unpack("<I", blob[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", blob[:4])[0]
    nano = magic == 0xA1B23C4D
    linktype = struct.unpack(e + "I", blob[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(blob):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", blob[off:off + 16])
        off += 16
        ts = sec * NS + (frac if nano else frac * 1000)
        out.append((ts, linktype, blob[off:off + incl]))
        off += incl
    return out


def ip_of(linktype, frame):
    """The IPv4 packet a frame carries, or None."""
    if linktype == 1:  # Ethernet, with 802.1Q tags
        off, et = 14, struct.unpack("!H", frame[12:14])[0]
        while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
            et = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
    elif linktype == 113:  # Linux cooked
        off, et = 16, struct.unpack("!H", frame[14:16])[0]
    elif linktype in (101, 228):
        off, et = 0, ETH_IPV4
    else:
        return None
    if et != ETH_IPV4 or len(frame) < off + 20 or frame[off] >> 4 != 4:
        return None
    return frame[off:]


# ---- IKE NAT-D (RFC 3947 section 3.2, RFC 7296 section 2.23) --------------------------

HASHES = {16: hashlib.md5, 20: hashlib.sha1, 32: hashlib.sha256, 48: hashlib.sha384,
          64: hashlib.sha512}


def natd_hash(n, spis, addr, port):
    return HASHES[n](spis + addr + struct.pack("!H", port)).digest()


def natd_slots(ip):
    """NAT-D payloads of a clear IKE message in this IPv4 packet: a list of
    (offset of the hash in the packet, length, 'src'|'dst'|None): which of
    the packet's own (address, port) it hashes, None for neither (a NAT on
    the way, or a hash faked to force encapsulation: left as it is)."""
    ihl = (ip[0] & 15) * 4
    if ip[9] != 17 or len(ip) < ihl + 8 + 28:
        return []
    sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
    off = ihl + 8
    if 4500 in (sport, dport):
        if ip[off:off + 4] != b"\0\0\0\0":
            return []  # ESP in UDP
        off += 4
    if len(ip) < off + 28:
        return []
    spis = ip[off:off + 16]
    nxt, ver, _exch, flags = ip[off + 16], ip[off + 17] >> 4, ip[off + 18], ip[off + 19]
    if ver == 1 and flags & 1:
        return []  # IKEv1 encrypted
    src, dst = ip[12:16], ip[16:20]
    slots, p = [], off + 28
    while nxt and p + 4 <= len(ip):
        plen = struct.unpack("!H", ip[p + 2:p + 4])[0]
        if plen < 4 or p + plen > len(ip):
            break
        body = (p + 4, plen - 4)
        h = None
        if ver == 1 and nxt in (20, 130):  # NAT-D, and its draft number
            h = body
        elif ver == 2 and nxt == 41 and plen >= 8:
            ntype = struct.unpack("!H", ip[p + 6:p + 8])[0]
            spi_size = ip[p + 5]
            if ntype in (16388, 16389):
                h = (p + 8 + spi_size, plen - 8 - spi_size)
        elif ver == 2 and nxt in (46, 53):
            break  # encrypted from here
        if h and h[1] in HASHES:
            data = ip[h[0]:h[0] + h[1]]
            role = None
            if data == natd_hash(h[1], spis, src, sport):
                role = "src"
            elif data == natd_hash(h[1], spis, dst, dport):
                role = "dst"
            slots.append((h[0], h[1], role, off))
        nxt = ip[p]
        p += plen
    return slots


# ---- templates: one VPN session each ---------------------------------------------------

class Template:
    """Frames of one session as IPv4 packets with relative times; addresses
    are roles: 'server' (the concentrator), 'client', 'aux1'... (a router, a
    NAT's other side), rewritten per planted session."""

    def __init__(self, name, service, protocol, findings, frames, weight, server_in_template):
        self.name, self.service, self.protocol = name, service, protocol
        self.server_in_template = server_in_template
        self.findings = sorted(findings)
        self.weight = weight
        t0 = frames[0][0]
        self.frames = [(ts - t0, ip) for ts, ip in frames]
        self.span = self.frames[-1][0]
        self.vpn_bytes = sum(len(ip) + 14 + 16 for _, ip in frames)
        self._prepare()

    def _prepare(self):
        server = self.server_in_template
        roles, order = {server: "server"}, []
        for _, ip in self.frames:
            for a in (ip[12:16], ip[16:20]):
                if a not in roles:
                    roles[a] = "client" if not order else "aux%d" % len(order)
                    order.append(a)
        self.roles = roles
        self.n_aux = max(0, len(order) - 1)
        prepared = []
        for ts, ip in self.frames:
            slots = natd_slots(ip)
            quoted = None
            ihl = (ip[0] & 15) * 4
            if ip[9] == 1 and len(ip) >= ihl + 8 + 20 and ip[ihl] in (3, 4, 5, 11, 12):
                quoted = ihl + 8  # the IPv4 header an ICMP error quotes
            prepared.append((ts, ip, slots, quoted))
        self.prepared = prepared


def load_lab_template(captures, name, findings, weight=1):
    path = os.path.join(captures, name + ".pcap")
    frames = []
    for ts, lt, fr in read_pcap(path):
        ip = ip_of(lt, fr)
        if ip is not None:
            frames.append((ts, bytes(ip[:struct.unpack("!H", ip[2:4])[0]] or ip)))
    service = "pptp" if name.startswith("pptp") else "ike"
    protocol = "pptp" if service == "pptp" else name.split("-")[0]
    # 10.0.2.2 is the lab's server (captures/README.md).
    t = Template(name, service, protocol, findings, frames, weight, ip4("10.0.2.2"))
    # The lab's own verdict must agree with ours on errors and warnings.
    with open(os.path.join(captures, name + ".expected.json")) as f:
        lab = json.load(f)
    lab_sigs = sorted(x["signature"] for x in lab.get("findings", [])
                      if x["signature"] not in NOTES)
    ours = sorted(s for s in findings if s not in NOTES)
    if lab.get("strict") and lab_sigs != ours:
        sys.exit("gencap: %s: the table says %s, %s.expected.json says %s"
                 % (name, ours, name, lab_sigs))
    return t


# Signatures whose severity is note (the lab files may leave them out).
NOTES = {"ppp.terminated", "ike.nat_detected", "ike.invalid_ke"}

# Lab captures replayed (server side unless named -client), with every
# finding each must produce and how often it is planted relative to others
# (healthy sessions are the common case on a concentrator).
LAB = [
    ("pptp-healthy-server", ["ppp.terminated"], 6),
    ("pptp-nat-server", ["ppp.terminated"], 3),
    ("pptp-server-hangup-server", ["ppp.terminated"], 2),
    ("pptp-auth-failed-server", ["ppp.auth_failed", "ppp.terminated"], 1),
    ("pptp-auth-protocol-mismatch-server", ["ppp.auth_protocol_mismatch", "ppp.terminated"], 1),
    ("pptp-encryption-rejected-server", ["ppp.encryption_rejected", "ppp.terminated"], 1),
    ("pptp-encryption-rejected-client-server", ["ppp.encryption_rejected", "ppp.terminated"], 1),
    ("pptp-fixup-mangled-server", ["pptp.fixup_mangled"], 1),
    ("pptp-gre-blocked-c2s-server", ["pptp.gre_blocked"], 1),
    ("pptp-gre-blocked-s2c-server", ["pptp.gre_blocked"], 1),
    ("pptp-gre-blocked-server-teardown-server", ["pptp.gre_blocked"], 1),
    ("pptp-gre-cut-midway-server", ["pptp.gre_cut_midway"], 1),
    ("pptp-icmp-unreachable-gre-server", ["pptp.control_failure"], 1),
    ("pptp-icmp-unreachable-client", ["pptp.icmp_unreachable"], 1),
    ("pptp-ipcp-failed-server", ["ppp.ipcp_failed", "ppp.terminated"], 1),
    ("pptp-lcp-unanswered-server", ["ppp.lcp_unanswered"], 1),
    ("pptp-no-answer-server", ["pptp.no_answer"], 1),
    ("pptp-port-rejected-server", ["pptp.port_rejected"], 1),
    ("pptp-server-ppp-fails-server", ["pptp.control_failure"], 1),
    ("ikev1-healthy-server", [], 4),
    ("ikev1-auth-failed-server", ["ike.auth_failed"], 1),
    ("ikev1-aggressive-psk-mismatch-server", ["ike.auth_failed"], 1),
    ("ikev1-no-proposal-server", ["ike.no_proposal_chosen"], 1),
    ("ikev2-healthy-server", [], 6),
    ("ikev2-fragments-ok-server", [], 2),
    ("ikev2-auth-failed-server", ["ike.auth_failed"], 1),
    ("ikev2-dpd-timeout-server", ["ike.dpd_timeout"], 1),
    ("ikev2-fragments-lost-server", ["ike.fragments_lost"], 1),
    ("ikev2-invalid-ke-server", ["ike.invalid_ke"], 1),
    ("ikev2-invalid-ke-no-common-group-server", ["ike.no_proposal_chosen"], 1),
    ("ikev2-nat-t-blocked-server", ["ike.nat_detected", "ike.nat_t_blocked"], 1),
    ("ikev2-no-proposal-server", ["ike.no_proposal_chosen"], 1),
]


# ---- templates built here --------------------------------------------------------------

def ipv4_packet(src, dst, proto, l4, ttl, ident=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000, ttl, proto, 0,
                      src, dst)
    c = checksum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + l4


def udp_packet(src, dst, sport, dport, payload, ttl):
    return ipv4_packet(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
                       + payload, ttl)


# The synthetic templates use these stand-in addresses (roles as for the lab).
T_CLIENT, T_SERVER, T_OTHER = ip4("10.0.1.2"), ip4("10.0.2.2"), ip4("10.0.9.9")
C_TTL, S_TTL = 52, 64  # the client routed from afar, the server local


class Script:
    """Builds a synthetic session: client/server UDP datagrams over time."""

    def __init__(self, sport, dport):
        self.frames, self.sport, self.dport = [], sport, dport

    def c2s(self, t, payload, dst=T_SERVER):
        self.frames.append((t, udp_packet(T_CLIENT, dst, self.sport, self.dport, payload, C_TTL)))

    def s2c(self, t, payload, src=T_SERVER):
        self.frames.append((t, udp_packet(src, T_CLIENT, self.dport, self.sport, payload, S_TTL)))

    def raw(self, t, ip):
        self.frames.append((t, ip))


# L2TPv2 (RFC 2661 sections 3.1, 4.4): control messages with AVPs.
SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO, ICRQ, ICRP, ICCN, CDN = 1, 2, 3, 4, 6, 10, 11, 12, 14
C_TID, S_TID, C_SID, S_SID = 12, 7, 3, 9


def avp(t, value):
    return struct.pack("!HHH", 0x8000 | (6 + len(value)), 0, t) + value


def l2tp_ctrl(tunnel, session, ns, nr, mtype=None, avps=()):
    body = (avp(0, struct.pack("!H", mtype)) if mtype else b"") + b"".join(avps)
    return struct.pack("!HHHHHH", 0xC802, 12 + len(body), tunnel, session, ns, nr) + body


def l2tp_data(tunnel, session, ppp):
    return struct.pack("!HHH", 0x0002, tunnel, session) + ppp


def result(code, err=0, msg=b""):
    return avp(1, struct.pack("!HH", code, err) + msg)


def sccrq():
    return l2tp_ctrl(0, 0, 0, 0, SCCRQ, [avp(2, b"\x01\x00"), avp(3, struct.pack("!I", 3)),
                                         avp(7, b"client"), avp(9, struct.pack("!H", C_TID)),
                                         avp(10, struct.pack("!H", 4))])


# PPP frames as L2TP peers send them (RFC 1661, 1334, 1332), FF 03 included.
LCP_REQ_S = bytes.fromhex("ff03c0210101000e0304c02305061111 1111".replace(" ", ""))
LCP_ACK_C = bytes.fromhex("ff03c0210201000e0304c02305061111 1111".replace(" ", ""))
LCP_REQ_C = bytes.fromhex("ff03c0210101000a0506 22222222".replace(" ", ""))
LCP_ACK_S = bytes.fromhex("ff03c0210201000a0506 22222222".replace(" ", ""))
PAP_REQ = bytes.fromhex("ff03c0230101000e04") + b"user" + b"\x04" + b"pass"
PAP_ACK = bytes.fromhex("ff03c023020100050 0".replace(" ", ""))
PAP_NAK = bytes.fromhex("ff03c0230301000b06") + b"denied"
IPCP_REQ_C1 = bytes.fromhex("ff0380210101000a030600000000")
IPCP_REQ_S = bytes.fromhex("ff0380210101000a0306c0a86401")
IPCP_ACK_C = bytes.fromhex("ff0380210201000a0306c0a86401")
IPCP_NAK_S = bytes.fromhex("ff0380210301000a0306c0a8640a")
IPCP_REQ_C2 = bytes.fromhex("ff0380210102000a0306c0a8640a")
IPCP_ACK_S = bytes.fromhex("ff0380210202000a0306c0a8640a")


def ip_data(n):
    inner = ipv4_packet(ip4("192.168.100.10"), ip4("192.168.100.1"), 17,
                        struct.pack("!HHHH", 40000, 53, 8 + n, 0) + bytes(n), 64)
    return b"\xff\x03\x00\x21" + inner


def l2tp_tunnel_up(s, t):
    s.c2s(t, sccrq())
    s.s2c(t + 12 * MS, l2tp_ctrl(C_TID, 0, 0, 1, SCCRP, [avp(2, b"\x01\x00"), avp(7, b"lns"),
                                                          avp(9, struct.pack("!H", S_TID))]))
    s.c2s(t + 25 * MS, l2tp_ctrl(S_TID, 0, 1, 1, SCCCN))
    s.s2c(t + 37 * MS, l2tp_ctrl(C_TID, 0, 1, 2))


def l2tp_call_up(s, t):
    s.c2s(t, l2tp_ctrl(S_TID, 0, 2, 1, ICRQ, [avp(14, struct.pack("!H", C_SID)),
                                                avp(15, struct.pack("!I", 1))]))
    s.s2c(t + 11 * MS, l2tp_ctrl(C_TID, C_SID, 1, 3, ICRP, [avp(14, struct.pack("!H", S_SID))]))
    s.c2s(t + 23 * MS, l2tp_ctrl(S_TID, S_SID, 3, 2, ICCN, [avp(24, struct.pack("!I", 10000000)),
                                                              avp(19, struct.pack("!I", 1))]))
    s.s2c(t + 35 * MS, l2tp_ctrl(C_TID, 0, 2, 4))


def l2tp_ppp(s, t, to_server, ppp):
    if to_server:
        s.c2s(t, l2tp_data(S_TID, S_SID, ppp))
    else:
        s.s2c(t, l2tp_data(C_TID, C_SID, ppp))


def l2tp_lcp_up(s, t):
    l2tp_ppp(s, t, False, LCP_REQ_S)
    l2tp_ppp(s, t + 1 * MS, True, LCP_REQ_C)
    l2tp_ppp(s, t + 2 * MS, True, LCP_ACK_C)
    l2tp_ppp(s, t + 3 * MS, False, LCP_ACK_S)


def tpl_l2tp_healthy(rng):
    s = Script(1701, 1701)
    l2tp_tunnel_up(s, 0)
    l2tp_call_up(s, 100 * MS)
    l2tp_lcp_up(s, 200 * MS)
    l2tp_ppp(s, 300 * MS, True, PAP_REQ)
    l2tp_ppp(s, 310 * MS, False, PAP_ACK)
    for i, (to_server, m) in enumerate([(True, IPCP_REQ_C1), (False, IPCP_REQ_S),
                                        (True, IPCP_ACK_C), (False, IPCP_NAK_S),
                                        (True, IPCP_REQ_C2), (False, IPCP_ACK_S)]):
        l2tp_ppp(s, (400 + i) * MS, to_server, m)
    t = 1 * NS
    for _ in range(rng.randint(10, 40)):  # some traffic through the tunnel
        l2tp_ppp(s, t, True, ip_data(rng.randint(40, 1200)))
        l2tp_ppp(s, t + 30 * MS, False, ip_data(rng.randint(40, 1200)))
        t += rng.randint(200, 900) * MS
    s.c2s(t, l2tp_ctrl(S_TID, 0, 4, 2, HELLO))
    s.s2c(t + 5 * MS, l2tp_ctrl(C_TID, 0, 2, 5))
    t += 1 * NS
    s.c2s(t, l2tp_ctrl(S_TID, S_SID, 5, 2, CDN, [result(3), avp(14, struct.pack("!H", C_SID))]))
    s.s2c(t + 5 * MS, l2tp_ctrl(C_TID, 0, 2, 6))
    s.c2s(t + 1 * NS, l2tp_ctrl(S_TID, 0, 6, 2, STOPCCN, [avp(9, struct.pack("!H", C_TID)),
                                                          result(1)]))
    s.s2c(t + 1 * NS + 5 * MS, l2tp_ctrl(C_TID, 0, 2, 7))
    return s.frames


def tpl_l2tp_no_answer(rng):
    s = Script(1701, 1701)
    for t in (0, 1, 3, 7):
        s.c2s(t * NS, sccrq())
    return s.frames


def tpl_l2tp_clear_rejected(rng):
    """The server answers clear L2TP with port unreachable: it wants IPsec."""
    s = Script(1701, 1701)
    for t in (0, 1):
        s.c2s(t * NS, sccrq())
        q = s.frames[-1][1]
        icmp = struct.pack("!BBHI", 3, 3, 0, 0) + q[:28]
        icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
        s.raw(t * NS + 2 * MS, ipv4_packet(T_SERVER, T_CLIENT, 1, icmp, S_TTL))
    return s.frames


def tpl_l2tp_not_authorized(rng):
    s = Script(1701, 1701)
    s.c2s(0, sccrq())
    s.s2c(20 * MS, l2tp_ctrl(C_TID, 0, 0, 1, STOPCCN, [avp(9, struct.pack("!H", S_TID)),
                                                        result(4, 0, b"peer not allowed")]))
    s.c2s(30 * MS, l2tp_ctrl(S_TID, 0, 1, 1))
    return s.frames


def tpl_l2tp_call_refused(rng):
    s = Script(1701, 1701)
    l2tp_tunnel_up(s, 0)
    s.c2s(100 * MS, l2tp_ctrl(S_TID, 0, 2, 1, ICRQ, [avp(14, struct.pack("!H", C_SID))]))
    s.s2c(110 * MS, l2tp_ctrl(C_TID, C_SID, 1, 3, CDN, [result(2, 4),
                                                        avp(14, struct.pack("!H", S_SID))]))
    s.c2s(120 * MS, l2tp_ctrl(S_TID, 0, 3, 2))
    s.c2s(130 * MS, l2tp_ctrl(S_TID, 0, 3, 2, STOPCCN, [avp(9, struct.pack("!H", C_TID)),
                                                        result(1)]))
    s.s2c(140 * MS, l2tp_ctrl(C_TID, 0, 2, 4))
    return s.frames


def tpl_l2tp_auth_failed(rng):
    s = Script(1701, 1701)
    l2tp_tunnel_up(s, 0)
    l2tp_call_up(s, 100 * MS)
    l2tp_lcp_up(s, 200 * MS)
    l2tp_ppp(s, 300 * MS, True, PAP_REQ)
    l2tp_ppp(s, 310 * MS, False, PAP_NAK)
    s.s2c(400 * MS, l2tp_ctrl(C_TID, C_SID, 2, 4, CDN, [result(2, 6, b"auth failed"),
                                                        avp(14, struct.pack("!H", S_SID))]))
    s.c2s(410 * MS, l2tp_ctrl(S_TID, 0, 4, 3))
    return s.frames


# ESP with no IKE in view (the capture began after the negotiation).
def esp_packet(src, dst, spi, seq, n, ttl):
    return ipv4_packet(src, dst, 50, struct.pack("!II", spi, seq) + bytes(n), ttl)


def tpl_esp_healthy(rng):
    frames, t = [], 0
    spi_c, spi_s = rng.getrandbits(32) | 0x100, rng.getrandbits(32) | 0x100
    for i in range(rng.randint(20, 80)):
        frames.append((t, esp_packet(T_CLIENT, T_SERVER, spi_c, i + 1, rng.randint(60, 1400),
                                     C_TTL)))
        frames.append((t + 15 * MS, esp_packet(T_SERVER, T_CLIENT, spi_s, i + 1,
                                               rng.randint(60, 1400), S_TTL)))
        t += rng.randint(100, 600) * MS
    return frames


def tpl_esp_one_way(rng):
    frames, t = [], 0
    spi_c = rng.getrandbits(32) | 0x100
    for i in range(rng.randint(30, 60)):
        frames.append((t, esp_packet(T_CLIENT, T_SERVER, spi_c, i + 1, rng.randint(60, 1400),
                                     C_TTL)))
        t += rng.randint(200, 700) * MS
    return frames


# NetMotion Mobility: UDP to port 5008; the payload is opaque (and not read).
def tpl_nm_healthy(rng):
    s = Script(rng.randint(49152, 65000), 5008)
    t = 0
    for _ in range(rng.randint(20, 60)):
        s.c2s(t, rng.randbytes(rng.randint(60, 1300)))
        s.s2c(t + rng.randint(20, 80) * MS, rng.randbytes(rng.randint(60, 1300)))
        t += rng.randint(200, 1500) * MS
    return s.frames


def tpl_nm_no_answer(rng):
    s = Script(rng.randint(49152, 65000), 5008)
    for i in range(6):
        s.c2s(i * 3 * NS, rng.randbytes(rng.randint(60, 300)))
    return s.frames


def tpl_nm_address_mismatch(rng):
    s = Script(rng.randint(49152, 65000), 5008)
    for i in range(4):
        s.c2s(i * 2 * NS, rng.randbytes(200))
        s.s2c(i * 2 * NS + 40 * MS, rng.randbytes(200), src=T_OTHER)
    return s.frames


SYNTHETIC = [
    ("l2tp-healthy", "l2tp", "l2tp", [], 3, tpl_l2tp_healthy),
    ("l2tp-no-answer", "l2tp", "l2tp", ["l2tp.no_answer"], 1, tpl_l2tp_no_answer),
    ("l2tp-clear-rejected", "l2tp", "l2tp", ["l2tp.clear_without_ipsec"], 1,
     tpl_l2tp_clear_rejected),
    ("l2tp-not-authorized", "l2tp", "l2tp", ["l2tp.control_failure"], 1, tpl_l2tp_not_authorized),
    ("l2tp-call-refused", "l2tp", "l2tp", ["l2tp.session_refused"], 1, tpl_l2tp_call_refused),
    ("l2tp-auth-failed", "l2tp", "l2tp", ["ppp.auth_failed"], 1, tpl_l2tp_auth_failed),
    ("esp-healthy", "ike", "esp", [], 2, tpl_esp_healthy),
    ("esp-one-way", "ike", "esp", ["esp.one_way"], 1, tpl_esp_one_way),
    ("netmotion-healthy", "netmotion", "netmotion", [], 4, tpl_nm_healthy),
    ("netmotion-no-answer", "netmotion", "netmotion", ["netmotion.no_answer"], 1,
     tpl_nm_no_answer),
    ("netmotion-address-mismatch", "netmotion", "netmotion", ["netmotion.address_mismatch"], 1,
     tpl_nm_address_mismatch),
]

# Variants per synthetic template (their payload sizes and pacing vary).
SYNTH_VARIANTS = 8


def synthetic_templates(rng):
    out = []
    for name, service, protocol, findings, weight, fn in SYNTHETIC:
        for v in range(SYNTH_VARIANTS):
            out.append(Template(name, service, protocol, findings, fn(rng),
                                weight / SYNTH_VARIANTS, T_SERVER))
    return out


# ---- planting a session ----------------------------------------------------------------

class AddressPool:
    """Unique addresses: clients from 100.64.0.0/10, others from 100.112.0.0/12."""

    def __init__(self, base):
        self.next = base

    def take(self):
        while True:
            a = self.next
            self.next += 1
            if a & 0xFF not in (0, 255):
                return struct.pack("!I", a)


def plant(t, start_ns, client, aux, server):
    """The template's frames for one session: (ts_ns, ethernet frame)."""
    addr = {"server": server, "client": client}
    for i, a in enumerate(aux):
        addr["aux%d" % (i + 1)] = a
    remap = {old: addr[role] for old, role in t.roles.items()}
    if t.service == "netmotion":
        remap[T_OTHER] = ip4(NM_REAL)
    out = []
    for ts, ip, slots, quoted in t.prepared:
        b = bytearray(ip)
        old_src, old_dst = ip[12:16], ip[16:20]
        b[12:16] = remap[old_src]
        b[16:20] = remap[old_dst]
        b[10:12] = b"\0\0"
        ihl = (b[0] & 15) * 4
        b[10:12] = struct.pack("!H", checksum(bytes(b[:ihl])))
        if quoted is not None and len(b) >= quoted + 20:
            for o in (quoted + 12, quoted + 16):
                old = bytes(b[o:o + 4])
                if old in remap:
                    b[o:o + 4] = remap[old]
        if slots:
            sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
            for off, n, role, ike_off in slots:
                if role is None:
                    continue
                a, port = (b[12:16], sport) if role == "src" else (b[16:20], dport)
                spis = bytes(b[ike_off:ike_off + 16])
                b[off:off + n] = natd_hash(n, spis, bytes(a), port)
        if ip[9] == 17 and len(b) >= ihl + 8:
            b[ihl + 6:ihl + 8] = b"\0\0"  # UDP checksum: none (the addresses changed)
        frame = (MAC_A + MAC_B if remap[old_dst] == server else MAC_B + MAC_A) \
            + b"\x08\x00" + bytes(b)
        out.append((start_ns + ts, frame))
    return out


# ---- ordinary traffic ------------------------------------------------------------------

class Background:
    """Flows between hosts, each a generator of (ts_ns, frame), merged in
    time order; new flows arrive as a Poisson process sized for the byte
    rate asked for."""

    def __init__(self, rng, bytes_per_s, payload, total_bytes):
        self.rng = rng
        self.payload = payload
        self.bytes_per_s = bytes_per_s
        # No single flow may be a large part of a small capture (the file
        # size would follow one random bulk transfer).
        self.max_segments = max(8, int(total_bytes / 100 / 1514))
        self.inside = [struct.pack("!I", 0x0A140000 + i) for i in range(1, 2500)]  # 10.20/16
        self.outside = [struct.pack("!I", rng.randrange(0x01000000, 0xDF000000))
                        for _ in range(20000)]
        self.inside6 = [bytes.fromhex("20010db8000a0000") + rng.randbytes(8) for _ in range(400)]
        self.outside6 = [bytes.fromhex("2a00") + rng.randbytes(14) for _ in range(4000)]
        self.kinds = [  # (weight by flows started, maker)
            (30, self.web), (1.2, self.bulk), (14, self.quic), (30, self.dns), (0.15, self.rtp),
            (4, self.ntp), (3, self.icmp), (1, self.arp), (4, self.web6),
        ]
        total_w = sum(k[0] for k in self.kinds)
        self.cum, acc = [], 0.0
        for w, fn in self.kinds:
            acc += w / total_w
            self.cum.append((acc, fn))
        self.seq = 0

    def pick(self):
        x = self.rng.random()
        for acc, fn in self.cum:
            if x <= acc:
                return fn
        return self.cum[-1][1]

    def data(self, n):
        off = self.rng.randrange(0, len(self.payload) - n)
        return self.payload[off:off + n]

    # -- IPv4 / IPv6 packet makers, a closure per flow for speed --
    def v4(self, src, dst, proto, ttl):
        eth_out = MAC_A + MAC_B + b"\x08\x00"
        base = 0x4500 + 0x4000 + (ttl << 8 | proto) + sum(struct.unpack("!HHHH", src + dst))
        pack = struct.Struct("!BBHHHBBH4s4s").pack
        ident = [self.rng.randrange(65536)]

        def mk(l4, out=True):
            total = 20 + len(l4)
            ident[0] = (ident[0] + 1) & 0xFFFF
            c = ~fold(base + total + ident[0]) & 0xFFFF
            return (eth_out if out else MAC_B + MAC_A + b"\x08\x00") + pack(
                0x45, 0, total, ident[0], 0x4000, ttl, proto, c, src, dst) + l4
        return mk

    def v6(self, src, dst, nh, hlim):
        pack = struct.Struct("!IHBB16s16s").pack

        def mk(l4, out=True):
            return (MAC_A + MAC_B if out else MAC_B + MAC_A) + b"\x86\xdd" + pack(
                0x60000000, len(l4), nh, hlim, src, dst) + l4
        return mk

    def tcp_flow(self, t, c, s, cport, sport, req, resp_segments, pace_ns, v6=False):
        """A TCP conversation: handshake, request, response segments (MSS
        1448 with timestamps), delayed ACKs, FINs."""
        rng = self.rng
        if v6:
            up, down = self.v6(c, s, 6, 64), self.v6(s, c, 6, 57)
        else:
            up, down = self.v4(c, s, 6, 64), self.v4(s, c, 6, 57)
        tcp = struct.Struct("!HHIIBBHHH").pack
        opts = b"\x01\x01\x08\x0a" + rng.randbytes(8)  # NOP NOP timestamps
        isn_c, isn_s = rng.getrandbits(32), rng.getrandbits(32)
        rtt = rng.randint(2, 60) * MS
        yield t, up(tcp(cport, sport, isn_c, 0, 0xA0, 0x02, 64240, 0, 0)
                    + b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + rng.randbytes(8) + b"\x01\x03\x03\x07")
        t += rtt
        yield t, down(tcp(sport, cport, isn_s, isn_c + 1, 0xA0, 0x12, 65160, 0, 0)
                      + b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + rng.randbytes(8) + b"\x01\x03\x03\x07")
        t += 300_000
        sc, ss = isn_c + 1, isn_s + 1
        yield t, up(tcp(cport, sport, sc, ss, 0x80, 0x10, 502, 0, 0) + opts)
        t += 200_000
        yield t, up(tcp(cport, sport, sc, ss, 0x80, 0x18, 502, 0, 0) + opts + self.data(req))
        sc += req
        t += rtt
        unacked = 0
        for i in range(resp_segments):
            n = 1448 if i < resp_segments - 1 else rng.randint(100, 1448)
            yield t, down(tcp(sport, cport, ss & 0xFFFFFFFF, sc & 0xFFFFFFFF, 0x80, 0x10, 509, 0, 0)
                          + opts + self.data(n))
            ss += n
            unacked += 1
            if unacked == 2:
                yield t + 40_000, up(tcp(cport, sport, sc & 0xFFFFFFFF, ss & 0xFFFFFFFF, 0x80,
                                         0x10, 2000, 0, 0) + opts)
                unacked = 0
            t += pace_ns + rng.randrange(pace_ns // 2 + 1)
        t += rtt
        yield t, up(tcp(cport, sport, sc & 0xFFFFFFFF, ss & 0xFFFFFFFF, 0x80, 0x11, 2000, 0, 0)
                    + opts)
        t += rtt
        yield t, down(tcp(sport, cport, ss & 0xFFFFFFFF, (sc + 1) & 0xFFFFFFFF, 0x80, 0x11, 509,
                          0, 0) + opts)
        yield t + 200_000, up(tcp(cport, sport, (sc + 1) & 0xFFFFFFFF, (ss + 1) & 0xFFFFFFFF,
                                  0x80, 0x10, 2000, 0, 0) + opts)

    def host_pair(self):
        return self.rng.choice(self.inside), self.rng.choice(self.outside)

    def web(self, t):
        c, s = self.host_pair()
        segs = min(int(self.rng.expovariate(1 / 40)) + 1, 2000, self.max_segments)
        req = self.rng.randint(200, 900)
        return self.tcp_flow(t, c, s, self.rng.randint(32768, 60999),
                             self.rng.choice((443, 443, 443, 80, 8443)), req, segs,
                             120_000), segs * 1547 + req + 500

    def web6(self, t):
        c, s = self.rng.choice(self.inside6), self.rng.choice(self.outside6)
        segs = min(int(self.rng.expovariate(1 / 40)) + 1, 2000, self.max_segments)
        req = self.rng.randint(200, 900)
        return self.tcp_flow(t, c, s, self.rng.randint(32768, 60999), 443, req, segs, 120_000,
                             v6=True), segs * 1580 + req + 600

    def bulk(self, t):
        c, s = self.rng.choice(self.inside), self.rng.choice(self.inside)
        segs = min(self.rng.randint(1000, 8000), self.max_segments)
        req = self.rng.randint(100, 400)
        return self.tcp_flow(t, c, s, self.rng.randint(32768, 60999),
                             self.rng.choice((445, 22, 873, 3260, 5001)), req, segs,
                             60_000), segs * 1547 + req + 500

    # Each maker returns the flow's frames (a generator) and about how many
    # bytes they make, which paces the arrival of flows.
    def quic(self, t):
        n = min(int(self.rng.expovariate(1 / 100)) + 2, 3000, self.max_segments)
        return self.quic_frames(t, n), n * 1330

    def quic_frames(self, t, n):
        rng = self.rng
        c, s = self.host_pair()
        cp = rng.randint(32768, 60999)
        up, down = self.v4(c, s, 17, 64), self.v4(s, c, 17, 56)
        udp = struct.Struct("!HHHH").pack
        for i in range(n):
            if i % 8 == 0:
                m = rng.randint(40, 80)
                yield t, up(udp(cp, 443, 8 + m, 0) + self.data(m))
            m = rng.randint(1200, 1350)
            yield t + 30_000, down(udp(443, cp, 8 + m, 0) + self.data(m))
            t += rng.randint(50_000, 400_000)

    def dns(self, t):
        return self.dns_frames(t), 360

    def dns_frames(self, t):
        rng = self.rng
        c, s = rng.choice(self.inside), rng.choice(self.outside[:50])
        cp = rng.randint(32768, 60999)
        up, down = self.v4(c, s, 17, 64), self.v4(s, c, 17, 58)
        q, a = rng.randint(30, 60), rng.randint(60, 400)
        yield t, up(struct.pack("!HHHH", cp, 53, 8 + q, 0) + self.data(q))
        yield t + rng.randint(1, 40) * MS, down(struct.pack("!HHHH", 53, cp, 8 + a, 0) + self.data(a))

    def rtp(self, t):
        n = min(self.rng.randint(1500, 9000), self.max_segments * 6)  # 30 s to 3 min at 20 ms
        m = self.rng.choice((172, 172, 52, 332))
        return self.rtp_frames(t, n, m), n * 2 * (66 + m)

    def rtp_frames(self, t, n, m):
        rng = self.rng
        c, s = self.host_pair()
        cp, sp = rng.randrange(16384, 32767, 2), rng.randrange(10000, 20000, 2)
        up, down = self.v4(c, s, 17, 64), self.v4(s, c, 17, 55)
        hdr = struct.Struct("!HHHHBBHII").pack
        ssrc_a, ssrc_b = rng.getrandbits(32), rng.getrandbits(32)
        for i in range(n):
            yield t, up(hdr(cp, sp, 8 + 12 + m, 0, 0x80, 0, i & 0xFFFF, i * 160 & 0xFFFFFFFF,
                            ssrc_a) + self.data(m))
            yield t + 7 * MS, down(hdr(sp, cp, 8 + 12 + m, 0, 0x80, 0, i & 0xFFFF,
                                       i * 160 & 0xFFFFFFFF, ssrc_b) + self.data(m))
            t += 20 * MS

    def ntp(self, t):
        return self.ntp_frames(t), 180

    def ntp_frames(self, t):
        c, s = self.host_pair()
        up, down = self.v4(c, s, 17, 64), self.v4(s, c, 17, 50)
        yield t, up(struct.pack("!HHHH", 123, 123, 56, 0) + self.data(48))
        yield t + 20 * MS, down(struct.pack("!HHHH", 123, 123, 56, 0) + self.data(48))

    def icmp(self, t):
        n = self.rng.randint(1, 5)
        return self.icmp_frames(t, n), n * 196

    def icmp_frames(self, t, n):
        rng = self.rng
        c, s = self.host_pair()
        up, down = self.v4(c, s, 1, 64), self.v4(s, c, 1, 52)
        ident = rng.getrandbits(16)
        for i in range(n):
            body = struct.pack("!HH", ident, i) + self.data(56)
            yield t, up(struct.pack("!BBH", 8, 0, 0) + body)
            yield t + rng.randint(1, 80) * MS, down(struct.pack("!BBH", 0, 0, 0) + body)
            t += NS

    def arp(self, t):
        return self.arp_frames(t), 76

    def arp_frames(self, t):
        a, b = self.rng.choice(self.inside), self.rng.choice(self.inside)
        body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC_B + a + bytes(6) + b
        yield t, b"\xff" * 6 + MAC_B + b"\x08\x06" + body + bytes(18)

    def flows(self, duration_ns):
        """Every background frame up to duration_ns, in time order."""
        rng = self.rng
        heap = []
        next_flow = 0 if self.bytes_per_s > 0 else duration_ns
        while True:
            # Start the flows due before the next packet.
            while next_flow <= (heap[0][0] if heap else next_flow) and next_flow < duration_ns:
                g, est = self.pick()(next_flow)
                self.seq += 1
                first = next(g, None)
                if first:
                    heapq.heappush(heap, (first[0], self.seq, first[1], g))
                # The next flow starts after, on average, the time this
                # one's bytes take at the rate asked for: the byte rate is
                # met whatever the (heavy-tailed) mix of flow sizes.
                next_flow += int(rng.expovariate(1.0) * est / self.bytes_per_s * NS) + 1
            if not heap:
                return
            ts, seq, frame, g = heapq.heappop(heap)
            if ts >= duration_ns:
                continue  # the capture has ended: drop the rest of this flow
            yield ts, frame
            nxt = next(g, None)
            if nxt:
                heapq.heappush(heap, (nxt[0], seq, nxt[1], g))


# ---- the capture -----------------------------------------------------------------------

def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    s = s.strip().upper().rstrip("B")
    if s and s[-1] in mult:
        return int(float(s[:-1]) * mult[s[-1]])
    return int(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--expected")
    ap.add_argument("--size", default="1G")
    ap.add_argument("--sessions", type=int)
    ap.add_argument("--duration", type=float)
    ap.add_argument("--window", type=float)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", help="plant only templates whose name starts with one of these "
                                   "(comma-separated: pptp, ikev1, ikev2, l2tp, esp, netmotion...)")
    ap.add_argument("--captures", default=os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                                       "captures"))
    a = ap.parse_args()

    size = parse_size(a.size)
    rng = random.Random(a.seed)
    n_sessions = a.sessions if a.sessions is not None else max(1, size * 4 // (1 << 20))
    duration = a.duration or max(60.0, size / 1e6)
    duration_ns = int(duration * NS)

    templates = [load_lab_template(a.captures, n, f, w) for n, f, w in LAB]
    templates += synthetic_templates(rng)
    if a.only:
        prefixes = tuple(p.strip() for p in a.only.split(",") if p.strip())
        templates = [t for t in templates if t.name.startswith(prefixes)]
        if not templates:
            sys.exit("gencap: --only %s matches no template" % a.only)
    longest = max(t.span for t in templates)
    if duration_ns < longest + NS:
        sys.exit("gencap: --duration must be at least %.0f s" % (longest / NS + 1))
    window_ns = int(a.window * NS) if a.window else duration_ns - longest - NS
    window_ns = min(window_ns, duration_ns - longest - NS)

    # Choose the sessions: template by weight, start time, addresses.
    weights = [t.weight for t in templates]
    clients, others = AddressPool(0x64400000), AddressPool(0x64700000)
    planted = []
    vpn_bytes = 0
    for i in range(n_sessions):
        t = rng.choices(templates, weights)[0]
        start = rng.randrange(0, max(1, window_ns))
        client = clients.take()
        aux = [others.take() for _ in range(t.n_aux)]
        planted.append((start, i, t, client, aux))
        vpn_bytes += t.vpn_bytes
    planted.sort(key=lambda p: (p[0], p[1]))

    # Ordinary traffic fills what the sessions leave of the size.
    bg_bytes = max(0, size - 24 - vpn_bytes)
    payload = random.Random(a.seed + 1).randbytes(1 << 20)
    bg = Background(rng, bg_bytes / duration, payload, bg_bytes)

    # Merge: background in time order, sessions through a heap of their
    # next frame.
    expected = []
    rec = struct.Struct("<IIII").pack
    written = 0
    frames = 0
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        buf = []
        buffered = 0
        t0 = 1_763_700_000 * NS  # capture start (UTC)
        live = []  # (ts, seq, frames list, index)
        next_plant = 0
        seq = 0

        def emit(ts, frame):
            nonlocal buffered, written, frames
            ts += t0
            buf.append(rec(ts // NS, ts % NS // 1000, len(frame), len(frame)))
            buf.append(frame)
            buffered += 16 + len(frame)
            frames += 1

        def plant_until(ts_limit):
            nonlocal next_plant, seq
            while next_plant < len(planted) and planted[next_plant][0] <= ts_limit:
                start, idx, t, client, aux = planted[next_plant]
                server = ip4(SERVER[t.service])
                fr = plant(t, start, client, aux, server)
                expected.append({"template": t.name, "protocol": t.protocol,
                                 "client": ip4_str(client), "server": ip4_str(server),
                                 "start_s": round(start / NS, 6), "findings": t.findings})
                seq += 1
                heapq.heappush(live, (fr[0][0], seq, fr, 0))
                next_plant += 1

        def vpn_until(ts_limit):
            nonlocal seq
            while live and live[0][0] <= ts_limit:
                ts, s, fr, k = heapq.heappop(live)
                emit(ts, fr[k][1])
                if k + 1 < len(fr):
                    heapq.heappush(live, (fr[k + 1][0], s, fr, k + 1))

        for ts, frame in bg.flows(duration_ns):
            plant_until(ts)
            vpn_until(ts)
            emit(ts, frame)
            if buffered >= 1 << 22:
                f.write(b"".join(buf))
                written += buffered
                buf.clear()
                buffered = 0
        plant_until(1 << 62)
        vpn_until(1 << 62)
        f.write(b"".join(buf))
        written += buffered

    if a.expected:
        with open(a.expected, "w") as f:
            json.dump({"seed": a.seed, "size": written + 24, "frames": frames,
                       "duration_s": duration, "sessions": expected,
                       "capture_findings": []}, f, indent=1)
            f.write("\n")
    print("gencap: %s: %.1f MB, %d frames, %d VPN sessions over %.0f s"
          % (a.out, (written + 24) / 1e6, frames, len(expected), duration))


if __name__ == "__main__":
    main()
