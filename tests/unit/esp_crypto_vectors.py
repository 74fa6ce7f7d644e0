#!/usr/bin/env python3
# esp_crypto_vectors.py - writes esp_crypto_vectors.h, the known-answer vectors of
# test_esp_crypto.c and the ESP frames of test_esp_track.c, computed independently of
# pcapdiag and of libgcrypt with Python's hmac/hashlib and the `cryptography` package
# (OpenSSL):
#
#   python3 tests/unit/esp_crypto_vectors.py > tests/unit/esp_crypto_vectors.h
#
# Each packet is an ESP packet as RFC 4303 2 lays it out: SPI, Sequence Number, IV,
# ciphertext of (payload | padding 1, 2, 3... | pad length | next header), ICV (HMAC over
# SPI through the ciphertext, truncated). AES-CBC per RFC 3602, 3DES-CBC per RFC 2451,
# AES-CTR per RFC 3686 (nonce from the key's last 4 bytes | IV | counter from 1), AES-GCM
# per RFC 4106 (nonce = salt | IV, AAD = SPI | sequence number, the tag truncated to the
# ICV length), NULL encryption per RFC 2410.
#
# The L2TP messages carried in the frames are the SCCRQ and SCCRP of the lab capture
# captures/l2tpipsec-healthy-client.pcap (xl2tpd 1.3.18), as tshark decrypts them.
#
# SPDX-License-Identifier: GPL-2.0-or-later
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

try:  # cryptography >= 43 moved 3DES here
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    TripleDES = algorithms.TripleDES


def det(n, seed):
    """n deterministic bytes (so the header is reproducible)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s:%d" % (seed.encode(), i)).digest()
        i += 1
    return out[:n]


ENCR = {
    # name: (mode, block, iv_len, cipher_key_len, salt_len, icv_len)
    "AES-CBC [RFC3602]/16": ("cbc", 16, 16, 16, 0, 0),
    "AES-CBC [RFC3602]/24": ("cbc", 16, 16, 24, 0, 0),
    "AES-CBC [RFC3602]/32": ("cbc", 16, 16, 32, 0, 0),
    "TripleDES-CBC [RFC2451]": ("cbc3des", 8, 8, 24, 0, 0),
    "AES-CTR [RFC3686]": ("ctr", 1, 8, 16, 4, 0),
    "AES-GCM with 16 octet ICV [RFC4106]": ("gcm", 1, 8, 16, 4, 16),
    "AES-GCM with 8 octet ICV [RFC4106]": ("gcm", 1, 8, 32, 4, 8),
    "NULL": ("null", 1, 0, 0, 0, 0),
}
AUTH = {
    "NULL": (None, 0),
    "HMAC-SHA-1-96 [RFC2404]": (hashlib.sha1, 12),
    "HMAC-SHA-256-128 [RFC4868]": (hashlib.sha256, 16),
    "HMAC-SHA-512-256 [RFC4868]": (hashlib.sha512, 32),
    "HMAC-MD5-96 [RFC2403]": (hashlib.md5, 12),
}


def pad4(n, block):
    align = max(block, 4)
    return (-(n + 2)) % align


def esp_packet(encr, auth, ekey, akey, spi, seq, payload, nh, iv, padding=None):
    mode, block, iv_len, klen, salt, icv_len = ENCR[encr]
    npad = pad4(len(payload), block)
    pad = bytes(range(1, npad + 1)) if padding is None else padding
    pt = payload + pad + bytes([len(pad), nh])
    head = struct.pack(">II", spi, seq)
    if mode == "null":
        ct, iv = pt, b""
    elif mode == "cbc":
        e = Cipher(algorithms.AES(ekey), modes.CBC(iv)).encryptor()
        ct = e.update(pt) + e.finalize()
    elif mode == "cbc3des":
        e = Cipher(TripleDES(ekey), modes.CBC(iv)).encryptor()
        ct = e.update(pt) + e.finalize()
    elif mode == "ctr":
        ctr = ekey[-4:] + iv + b"\x00\x00\x00\x01"
        e = Cipher(algorithms.AES(ekey[:-4]), modes.CTR(ctr)).encryptor()
        ct = e.update(pt) + e.finalize()
    elif mode == "gcm":
        nonce = ekey[-4:] + iv
        full = AESGCM(ekey[:-4]).encrypt(nonce, pt, head)
        ct, tag = full[:-16], full[-16:]
        return head + iv + ct + tag[:icv_len]
    md, ilen = AUTH[auth]
    icv = b""
    if md and akey:
        icv = hmac.new(akey, head + iv + ct, md).digest()[:ilen]
    elif ilen:
        icv = det(ilen, "unchecked icv")
    return head + iv + ct + icv


def carr(name, data):
    body = ", ".join("0x%02x" % b for b in data)
    lines = []
    line = "   "
    for tok in body.split(" "):
        if len(line) + len(tok) + 1 > 96:
            lines.append(line)
            line = "   "
        line += " " + tok
    lines.append(line)
    return "static const uint8_t %s[%d] = {\n%s\n};\n" % (name, len(data), "\n".join(lines))


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ip4(src, dst, proto, payload, ident=1):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      bytes(src), bytes(dst))
    s = sum(struct.unpack(">10H", hdr))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    hdr = hdr[:10] + struct.pack(">H", ~s & 0xffff) + hdr[12:]
    return hdr + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def ip6(src, dst, nh, payload):
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), nh, 64, bytes(src), bytes(dst)) + payload


def eth(payload):
    etype = b"\x86\xdd" if payload[0] >> 4 == 6 else b"\x08\x00"
    return bytes.fromhex("020000000002020000000001") + etype + payload


out = []
w = out.append
w("/* esp_crypto_vectors.h - generated by esp_crypto_vectors.py (Python hmac/hashlib and\n"
  " * the cryptography package, not libgcrypt): ESP packets (RFC 4303) for test_esp_crypto.c\n"
  " * and ESP frames carrying L2TP for test_esp_track.c. Do not edit.\n"
  " *\n * SPDX-License-Identifier: GPL-2.0-or-later\n */\n")
w("#ifndef ESP_CRYPTO_VECTORS_H\n#define ESP_CRYPTO_VECTORS_H\n\n#include <stddef.h>\n"
  "#include <stdint.h>\n\n")

# ---- algorithm known answers ---------------------------------------------------------
PAYLOAD = udp(1701, 1701, det(33, "l2tp-ish payload"))
cases = [
    ("aes128_sha1", "AES-CBC [RFC3602]/16", "HMAC-SHA-1-96 [RFC2404]", 20),
    ("aes192_sha256", "AES-CBC [RFC3602]/24", "HMAC-SHA-256-128 [RFC4868]", 32),
    ("aes256_sha256", "AES-CBC [RFC3602]/32", "HMAC-SHA-256-128 [RFC4868]", 32),
    ("aes256_sha512", "AES-CBC [RFC3602]/32", "HMAC-SHA-512-256 [RFC4868]", 64),
    ("tdes_sha1", "TripleDES-CBC [RFC2451]", "HMAC-SHA-1-96 [RFC2404]", 20),
    ("tdes_md5", "TripleDES-CBC [RFC2451]", "HMAC-MD5-96 [RFC2403]", 16),
    ("aes128_noauth", "AES-CBC [RFC3602]/16", "NULL", 0),
    ("aesctr_sha1", "AES-CTR [RFC3686]", "HMAC-SHA-1-96 [RFC2404]", 20),
    ("gcm128_16", "AES-GCM with 16 octet ICV [RFC4106]", "NULL", 0),
    ("gcm256_8", "AES-GCM with 8 octet ICV [RFC4106]", "NULL", 0),
    ("null_sha256", "NULL", "HMAC-SHA-256-128 [RFC4868]", 32),
]
w("typedef struct esp_vector {\n    const char *name, *encr, *auth;\n"
  "    const uint8_t *ekey;\n    size_t ekey_len;\n    const uint8_t *akey;\n    size_t akey_len;\n"
  "    const uint8_t *packet;\n    size_t packet_len;\n    uint8_t next_header, pad_len;\n"
  "} esp_vector;\n\n")
w(carr("esp_payload", PAYLOAD))
rows = []
for i, (cname, encr, auth, alen) in enumerate(cases):
    mode, block, iv_len, klen, salt, icv_len = ENCR[encr]
    ekey = det(klen + salt, "ekey " + cname)
    akey = det(alen, "akey " + cname)
    iv = det(iv_len, "iv " + cname)
    pkt = esp_packet(encr, auth, ekey, akey, 0x1000 + i, i + 1, PAYLOAD, 17, iv)
    npad = pad4(len(PAYLOAD), block)
    w(carr("ek_" + cname, ekey or b"\0"))
    w(carr("ak_" + cname, akey or b"\0"))
    w(carr("pkt_" + cname, pkt))
    rows.append("    { %s, %s, %s, ek_%s, %d, ak_%s, %d, pkt_%s, sizeof pkt_%s, 17, %d },"
                % (cstr(cname), cstr(encr.split("/")[0]), cstr(auth), cname, len(ekey), cname,
                   len(akey), cname, cname, npad))
w("static const esp_vector esp_vectors[] = {\n" + "\n".join(rows) + "\n};\n\n")

# Bad padding with the right key and no ICV (pad bytes 0, 0...): must be refused.
ekey = det(16, "ekey badpad")
iv = det(16, "iv badpad")
npad = pad4(len(PAYLOAD), 16)
w(carr("ek_badpad", ekey))
w(carr("pkt_badpad", esp_packet("AES-CBC [RFC3602]/16", "NULL", ekey, b"", 0x2000, 1, PAYLOAD, 17,
                                 iv, padding=bytes(npad))))
# A pad length running past the plaintext (200 in 16 bytes), with a good ICV: refused too.
akey = det(20, "akey badlen")
w(carr("ak_badlen", akey))
head = struct.pack(">II", 0x2001, 1)
e = Cipher(algorithms.AES(ekey), modes.CBC(iv)).encryptor()
ct = e.update(bytes(range(1, 15)) + bytes([200, 17])) + e.finalize()
icv = hmac.new(akey, head + iv + ct, hashlib.sha1).digest()[:12]
w(carr("pkt_badlen", head + iv + ct + icv))

# ---- frames for the engine: L2TP inside ESP ------------------------------------------
SCCRQ = bytes.fromhex(
    "c8020068000000000000000080080000000000018008000000020100800a0000000300000003800a00000004"
    "000000000008000000060690800d000000076c61622d6c616300130000000878656c6572616e63652e636f6d"
    "80080000000910b580080000000a0004")
SCCRP = bytes.fromhex(
    "c802006810b500000000000180080000000000028008000000020100800a0000000300000003800a00000004"
    "000000000008000000060690800d000000076c61622d6c6e7300130000000878656c6572616e63652e636f6d"
    "80080000000939e380080000000a0004")
C, S = [10, 0, 1, 2], [10, 0, 2, 2]
ENC = "AES-CBC [RFC3602]/32"
kc = det(32, "frame ekey c2s")
ks = det(32, "frame ekey s2c")
ac = det(20, "frame akey c2s")
as_ = det(20, "frame akey s2c")
w(carr("fk_enc_c2s", kc))
w(carr("fk_enc_s2c", ks))
w(carr("fk_auth_c2s", ac))
w(carr("fk_auth_s2c", as_))


def esp_frame(src, dst, spi, seq, key, akey, inner, nh, natt=False):
    pkt = esp_packet(ENC, "HMAC-SHA-1-96 [RFC2404]", key, akey, spi, seq, inner, nh,
                     det(16, "iv %x %d" % (spi, seq)))
    if len(src) == 16:
        return eth(ip6(src, dst, 50, pkt))
    if natt:
        return eth(ip4(src, dst, 17, udp(4500, 4500, pkt)))
    return eth(ip4(src, dst, 50, pkt))


C6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
S6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]


frames = [
    # transport mode, IP protocol 50
    ("tr_sccrq", esp_frame(C, S, 0xc0000001, 1, kc, ac, udp(1701, 1701, SCCRQ), 17)),
    ("tr_sccrp", esp_frame(S, C, 0xc0000002, 1, ks, as_, udp(1701, 1701, SCCRP), 17)),
    # transport mode in UDP 4500 (RFC 3948)
    ("nat_sccrq", esp_frame(C, S, 0xc0000001, 1, kc, ac, udp(1701, 1701, SCCRQ), 17, True)),
    ("nat_sccrp", esp_frame(S, C, 0xc0000002, 1, ks, as_, udp(1701, 1701, SCCRP), 17, True)),
    # tunnel mode between the same two hosts
    ("tun_sccrq", esp_frame(C, S, 0xc0000001, 1, kc, ac, ip4(C, S, 17, udp(1701, 1701, SCCRQ)), 4)),
    ("tun_sccrp", esp_frame(S, C, 0xc0000002, 1, ks, as_, ip4(S, C, 17, udp(1701, 1701, SCCRP)), 4)),
    # tunnel mode, inner hosts of their own (a site-to-site tunnel)
    ("net_sccrq", esp_frame(C, S, 0xc0000001, 1, kc, ac,
                            ip4([192, 168, 11, 1], [192, 168, 22, 1], 17, udp(1701, 1701, SCCRQ)), 4)),
    ("net_sccrp", esp_frame(S, C, 0xc0000002, 1, ks, as_,
                            ip4([192, 168, 22, 1], [192, 168, 11, 1], 17, udp(1701, 1701, SCCRP)), 4)),
    # IPv6 outside and inside: tunnel mode between the same two hosts (next header 41)
    ("v6_sccrq", esp_frame(C6, S6, 0xc0000001, 1, kc, ac, ip6(C6, S6, 17, udp(1701, 1701, SCCRQ)), 41)),
    ("v6_sccrp", esp_frame(S6, C6, 0xc0000002, 1, ks, as_, ip6(S6, C6, 17, udp(1701, 1701, SCCRP)), 41)),
]
for name, data in frames:
    w(carr("frame_" + name, data))
w("\n#endif\n")
sys.stdout.write("".join(out))
