#!/usr/bin/env python3
# make_non_vpn.py - write captures/non-vpn-dns.pcap: a client resolving a name
# over IPv4 and IPv6 DNS after ARPing for its gateway. No VPN traffic at all:
# pcapdiag must report no session and no finding, and say so plainly.
#
# Every byte follows its RFC layout (ARP RFC 826, IPv4 RFC 791, IPv6 RFC 8200,
# UDP RFC 768, DNS RFC 1035) with correct checksums, so tshark dissects it
# without a warning (`tshark -r FILE -z expert -q`). The output is the same
# bytes on every run (fixed addresses, IDs and times).
#
# Usage: make_non_vpn.py [OUTPUT]   (default: captures/non-vpn-dns.pcap)
#
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import struct
import sys

# Documentation addresses (RFC 5737, RFC 3849) and locally administered MACs.
CLIENT_MAC = bytes.fromhex("02000000000a")
GATEWAY_MAC = bytes.fromhex("020000000001")
CLIENT_V4 = bytes([192, 0, 2, 10])
GATEWAY_V4 = bytes([192, 0, 2, 1])
RESOLVER_V4 = bytes([198, 51, 100, 53])
ANSWER_V4 = bytes([203, 0, 113, 80])
CLIENT_V6 = bytes.fromhex("20010db8000000000000000000000010")
RESOLVER_V6 = bytes.fromhex("20010db8005300000000000000000053")
ANSWER_V6 = bytes.fromhex("20010db8000000000000000000000080")

T0_S = 1795245434  # 2026-11-21T07:17:14Z
T0_US = 123456

LINKTYPE_ETHERNET = 1


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ethernet(dst, src, ethertype, payload):
    frame = dst + src + struct.pack("!H", ethertype) + payload
    # Pad to the 60-byte minimum (without FCS), as a NIC would.
    return frame + b"\0" * max(0, 60 - len(frame))


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def udp(src, dst, sport, dport, payload, pseudo):
    length = 8 + len(payload)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    csum = checksum(pseudo(src, dst, length) + header + payload)
    return struct.pack("!HHHH", sport, dport, length, csum or 0xFFFF) + payload


def pseudo_v4(src, dst, length):
    return src + dst + struct.pack("!BBH", 0, 17, length)


def pseudo_v6(src, dst, length):
    return src + dst + struct.pack("!IxxxB", length, 17)


def ipv4(src, dst, ident, ttl, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, 17, 0,
                         src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(src, dst, hop_limit, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), 17, hop_limit) + src + dst + payload


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def dns_query(ident, name, qtype):
    # RD set; one question, class IN.
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack(
        "!HH", qtype, 1)


def dns_answer(ident, name, qtype, rdata):
    question = dns_name(name) + struct.pack("!HH", qtype, 1)
    # QR, RD, RA; the answer's name points back at the question (offset 12).
    answer = struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata
    return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + question + answer


def frames():
    v4 = lambda s, d, sp, dp, p: udp(s, d, sp, dp, p, pseudo_v4)
    v6 = lambda s, d, sp, dp, p: udp(s, d, sp, dp, p, pseudo_v6)
    name = "example.com"
    yield 0, ethernet(b"\xff" * 6, CLIENT_MAC, 0x0806,
                      arp(1, CLIENT_MAC, CLIENT_V4, b"\0" * 6, GATEWAY_V4))
    yield 412, ethernet(CLIENT_MAC, GATEWAY_MAC, 0x0806,
                        arp(2, GATEWAY_MAC, GATEWAY_V4, CLIENT_MAC, CLIENT_V4))
    # The client's packets carry its initial TTL (64), the resolver's have
    # crossed routers: a client-side capture.
    yield 1203, ethernet(GATEWAY_MAC, CLIENT_MAC, 0x0800,
                         ipv4(CLIENT_V4, RESOLVER_V4, 0x3A01, 64,
                              v4(CLIENT_V4, RESOLVER_V4, 53001, 53, dns_query(0x1A2B, name, 1))))
    yield 19877, ethernet(CLIENT_MAC, GATEWAY_MAC, 0x0800,
                          ipv4(RESOLVER_V4, CLIENT_V4, 0x7C44, 57,
                               v4(RESOLVER_V4, CLIENT_V4, 53, 53001,
                                  dns_answer(0x1A2B, name, 1, ANSWER_V4))))
    yield 20310, ethernet(GATEWAY_MAC, CLIENT_MAC, 0x86DD,
                          ipv6(CLIENT_V6, RESOLVER_V6, 64,
                               v6(CLIENT_V6, RESOLVER_V6, 53002, 53, dns_query(0x1A2C, name, 28))))
    yield 41022, ethernet(CLIENT_MAC, GATEWAY_MAC, 0x86DD,
                          ipv6(RESOLVER_V6, CLIENT_V6, 57,
                               v6(RESOLVER_V6, CLIENT_V6, 53, 53002,
                                  dns_answer(0x1A2C, name, 28, ANSWER_V6))))


def pcap_bytes():
    # Classic pcap (draft-ietf-opsawg-pcap): magic for microsecond
    # timestamps, little-endian, version 2.4, snaplen, link type.
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET)
    for offset_us, frame in frames():
        us = T0_US + offset_us
        out += struct.pack("<IIII", T0_S + us // 1000000, us % 1000000, len(frame), len(frame))
        out += frame
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "captures", "non-vpn-dns.pcap")
    path = sys.argv[1] if len(sys.argv) > 1 else default
    with open(path, "wb") as f:
        f.write(pcap_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
