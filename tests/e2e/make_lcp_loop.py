#!/usr/bin/env python3
"""Write captures/pptp-lcp-loop-client.pcap: a PPTP session, seen at the
client, whose LCP never opens because both sides keep refusing each other's
options (the client insists on MRU 1400 and the server Naks it with 1500;
the server insists on a Callback option the client Rejects) until the server
gives up with a Terminate-Request and the call is cleared.

Real pppd adopts the values a peer Naks, so no real software we can run
loops like this: this is the one PPTP capture the project generates (issue 3
allows a generator for such a case). Layouts follow RFC 2637 (PPTP, enhanced
GRE) and RFC 1661 (LCP); tshark must dissect every frame without a warning
(run_e2e.py's generator test checks it, and that this script rewrites the
file byte for byte).

  make_lcp_loop.py OUTPUT.pcap
SPDX-License-Identifier: GPL-2.0-or-later
"""
import struct
import sys

import pcapwrite as pw

CLIENT, SERVER = "10.0.1.2", "10.0.2.2"
CPORT, SPORT = 43210, 1723
CLIENT_CALL, SERVER_CALL = 0x3A7C, 0x0001
MAGIC = 0x1A2B3C4D


def pptp(ctrl_type, body):
    length = 12 + len(body)
    return struct.pack(">HHIHH", length, 1, MAGIC, ctrl_type, 0) + body


def name64(text):
    return text.encode().ljust(64, b"\0")


def sccrq():
    return pptp(1, struct.pack(">HHIIHH", 0x0100, 0, 1, 1, 0, 0x0001) + name64("client") +
                name64("pcapdiag lab"))


def sccrp():
    return pptp(2, struct.pack(">HBBIIHH", 0x0100, 1, 0, 1, 1, 1, 0x0001) + name64("server") +
                name64("pcapdiag lab"))


def ocrq():
    return pptp(7, struct.pack(">HHIIIIHHHH", CLIENT_CALL, 1, 300, 100000000, 3, 3, 64, 0, 0, 0) +
                b"\0" * 64 + b"\0" * 64)


def ocrp():
    return pptp(8, struct.pack(">HHBBHIHHI", SERVER_CALL, CLIENT_CALL, 1, 0, 0, 100000000, 64, 0, 0))


def ccrq():
    return pptp(12, struct.pack(">HH", CLIENT_CALL, 0))


def cdn():
    return pptp(13, struct.pack(">HBBHH", SERVER_CALL, 4, 0, 0, 0) + b"\0" * 128)


def lcp(code, ident, options=b"", data=None):
    body = options if data is None else data
    return b"\xff\x03\xc0\x21" + struct.pack(">BBH", code, ident, 4 + len(body)) + body


def opt(kind, value):
    return struct.pack(">BB", kind, 2 + len(value)) + value


MRU_1400 = opt(1, struct.pack(">H", 1400))
MRU_1500 = opt(1, struct.pack(">H", 1500))
CALLBACK = opt(13, b"\x06")  # callback operation 6: CBCP
CLIENT_MAGIC = opt(5, struct.pack(">I", 0x5EED1234))
SERVER_MAGIC = opt(5, struct.pack(">I", 0x0BADCAFE))


class Gre:
    """Enhanced GRE (RFC 2637 4.1): key present, sequence present."""

    def __init__(self, peer_call):
        self.peer_call, self.seq = peer_call, 0

    def wrap(self, ppp):
        hdr = struct.pack(">HHHHI", 0x3001, 0x880B, len(ppp), self.peer_call, self.seq)
        self.seq += 1
        return hdr + ppp


class Tcp:
    """One TCP connection with consistent sequence and acknowledgment numbers."""

    def __init__(self):
        self.seq = {CLIENT: 1000, SERVER: 50000}

    def seg(self, src, flags, payload=b""):
        dst = SERVER if src == CLIENT else CLIENT
        sport, dport = (CPORT, SPORT) if src == CLIENT else (SPORT, CPORT)
        ack = self.seq[dst] if flags & 0x10 else 0
        seg = pw.tcp(src, dst, sport, dport, flags, seq=self.seq[src], ack=ack, payload=payload)
        self.seq[src] += len(payload) + (1 if flags & 0x03 else 0)
        return seg


def frames():
    t, out = 0, []
    ident = {CLIENT: 1, SERVER: 100}

    def emit(dt_us, src, proto, payload):
        nonlocal t
        t += dt_us
        dst = SERVER if src == CLIENT else CLIENT
        ttl = 64 if src == CLIENT else 63  # the client's own packets, the server's routed once
        ip_id = ident[src]
        ident[src] += 1
        out.append((t, pw.ethernet(pw.ipv4(src, dst, proto, payload, ttl=ttl, ident=ip_id))))

    tcp = Tcp()
    emit(0, CLIENT, 6, tcp.seg(CLIENT, 0x02))
    emit(30000, SERVER, 6, tcp.seg(SERVER, 0x12))
    emit(200, CLIENT, 6, tcp.seg(CLIENT, 0x10))
    emit(1000, CLIENT, 6, tcp.seg(CLIENT, 0x18, sccrq()))
    emit(30000, SERVER, 6, tcp.seg(SERVER, 0x18, sccrp()))
    emit(500, CLIENT, 6, tcp.seg(CLIENT, 0x18, ocrq()))
    emit(30000, SERVER, 6, tcp.seg(SERVER, 0x18, ocrp()))
    emit(300, CLIENT, 6, tcp.seg(CLIENT, 0x10))

    to_server, to_client = Gre(SERVER_CALL), Gre(CLIENT_CALL)
    # Ten rounds: each side requests, each refuses the other's request.
    for rnd in range(10):
        cid, sid = 1 + rnd, 1 + rnd
        emit(400000 if rnd else 20000, CLIENT, 47, to_server.wrap(lcp(1, cid, MRU_1400 + CLIENT_MAGIC)))
        emit(25000, SERVER, 47, to_client.wrap(lcp(3, cid, MRU_1500)))
        emit(5000, SERVER, 47, to_client.wrap(lcp(1, sid, CALLBACK + SERVER_MAGIC)))
        emit(3000, CLIENT, 47, to_server.wrap(lcp(4, sid, CALLBACK)))
    emit(300000, SERVER, 47, to_client.wrap(lcp(5, 200, data=b"LCP negotiation does not converge")))
    emit(3000, CLIENT, 47, to_server.wrap(lcp(6, 200)))
    emit(20000, SERVER, 6, tcp.seg(SERVER, 0x18, cdn()))
    emit(2000, CLIENT, 6, tcp.seg(CLIENT, 0x18, ccrq()))
    emit(30000, SERVER, 6, tcp.seg(SERVER, 0x10))
    emit(1000, CLIENT, 6, tcp.seg(CLIENT, 0x11))
    emit(30000, SERVER, 6, tcp.seg(SERVER, 0x11))
    emit(200, CLIENT, 6, tcp.seg(CLIENT, 0x10))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_lcp_loop.py OUTPUT.pcap")
    with open(sys.argv[1], "wb") as f:
        f.write(pw.pcap_file(frames()))


if __name__ == "__main__":
    main()
