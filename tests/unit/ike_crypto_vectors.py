#!/usr/bin/env python3
# ike_crypto_vectors.py - writes ike_crypto_vectors.h, the known-answer vectors of
# test_ike_crypto.c, computed independently of pcapdiag and of libgcrypt with Python's
# hashlib/hmac and the `cryptography` package (OpenSSL):
#
#   python3 tests/unit/ike_crypto_vectors.py > tests/unit/ike_crypto_vectors.h
#
# Each IKEv2 vector is a whole message as RFC 7296 3.14 lays it out (IKE header, SK or
# SKF payload: generic header, IV, ciphertext of inner payloads + padding + pad length,
# ICV), encrypted and authenticated with fixed keys; RFC 5282 for AES-GCM/CCM (nonce =
# salt | IV, AAD = header through the payload's generic header), RFC 5930 for AES-CTR.
# The IKEv1 vectors follow RFC 2409 Appendix B (IV = HASH(g^xi | g^xr), then the last
# cipher block; phase 2 / informational IV = HASH(last phase-1 block | M-ID)).
#
# SPDX-License-Identifier: GPL-2.0-or-later
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

try:  # cryptography >= 43 moved 3DES here
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    TripleDES = algorithms.TripleDES


def det(n, seed):
    """n deterministic bytes (a test key is no secret)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s-%d" % (seed.encode(), i)).digest()
        i += 1
    return out[:n]


SPI_I = bytes.fromhex("0102030405060708")
SPI_R = bytes.fromhex("1112131415161718")

# Inner payloads: N(AUTHENTICATION_FAILED) alone, and IDr(FQDN) + N(TS_UNACCEPTABLE).
N_AUTH_FAILED = bytes([0, 0, 0, 8, 0, 0, 0, 24])
IDR = b"gw.example.net"
INNER2 = bytes([41, 0]) + struct.pack(">H", 8 + len(IDR)) + bytes([2, 0, 0, 0]) + IDR + \
    bytes([0, 0, 0, 8, 0, 0, 0, 38])


# IDr + AUTH (shared key MIC) + N(INTERNAL_ADDRESS_FAILURE): an IKE SA up, no address.
AUTHDATA = bytes(32)
INNER_CFG = bytes([39, 0]) + struct.pack(">H", 8 + len(IDR)) + bytes([2, 0, 0, 0]) + IDR + \
    bytes([41, 0]) + struct.pack(">H", 8 + len(AUTHDATA)) + bytes([2, 0, 0, 0]) + AUTHDATA + \
    bytes([0, 0, 0, 8, 0, 0, 0, 36])
# EAP payload carrying an EAP Failure (RFC 3748 4.2: code 4, identifier, length 4).
INNER_EAP = bytes([0, 0, 0, 8, 4, 1, 0, 4])
# IDr + AUTH + EAP Request of type 26 (EAP-MSCHAPv2, draft-kamath-pppext-eap-mschapv2-02
# section 2): OpCode 4 (Failure), MS-CHAPv2-ID, MS-Length, then RFC 2759's failure text.
MSCHAP_FAIL = b"E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=FAILED"
EAP_MSCHAP = bytes([1, 0xA9]) + struct.pack(">H", 9 + len(MSCHAP_FAIL)) + bytes([26, 4, 0xA8]) + \
    struct.pack(">H", 4 + len(MSCHAP_FAIL)) + MSCHAP_FAIL
INNER_EAP_MSCHAP = bytes([39, 0]) + struct.pack(">H", 8 + len(IDR)) + bytes([2, 0, 0, 0]) + IDR + \
    bytes([48, 0]) + struct.pack(">H", 8 + len(AUTHDATA)) + bytes([2, 0, 0, 0]) + AUTHDATA + \
    bytes([0, 0]) + struct.pack(">H", 4 + len(EAP_MSCHAP)) + EAP_MSCHAP


def header(next_payload, exch, flags, msgid, length):
    return SPI_I + SPI_R + bytes([next_payload, 0x20, exch, flags]) + struct.pack(">II", msgid,
                                                                               length)


def pad(inner, block, padlen=None):
    if padlen is None:
        padlen = (block - (len(inner) + 1) % block) % block
    return inner + bytes(range(1, padlen + 1)) + bytes([padlen])


def cbc_enc(alg, key, iv, data):
    e = Cipher(alg(key), modes.CBC(iv)).encryptor()
    return e.update(data) + e.finalize()


def ikev2_cbc(alg, block, ek, ak, md, icv_len, inner, first, skf=None, exch=35, flags=0x20,
              msgid=1):
    iv = det(block, "iv")
    ct = cbc_enc(alg, ek, iv, pad(inner, block))
    head = 8 if skf else 4
    pl_len = head + len(iv) + len(ct) + icv_len
    h = header(53 if skf else 46, exch, flags, msgid, 28 + pl_len)
    gen = bytes([first, 0]) + struct.pack(">H", pl_len)
    if skf:
        gen += struct.pack(">HH", *skf)
    body = h + gen + iv + ct
    icv = hmac.new(ak, body, md).digest()[:icv_len]
    return body + icv


def ikev2_ctr(ek, ak, md, icv_len, inner, first):
    key, nonce = ek[:-4], ek[-4:]
    iv = det(8, "ctr-iv")
    e = Cipher(algorithms.AES(key), modes.CTR(nonce + iv + b"\x00\x00\x00\x01")).encryptor()
    ct = e.update(pad(inner, 1)) + e.finalize()
    pl_len = 4 + 8 + len(ct) + icv_len
    h = header(46, 35, 0x20, 1, 28 + pl_len)
    body = h + bytes([first, 0]) + struct.pack(">H", pl_len) + iv + ct
    return body + hmac.new(ak, body, md).digest()[:icv_len]


def ikev2_gcm(ek, icv_len, inner, first, padlen=0):
    key, salt = ek[:-4], ek[-4:]
    iv = det(8, "gcm-iv")
    pt = pad(inner, 1, padlen)
    pl_len = 4 + 8 + len(pt) + icv_len
    h = header(46, 35, 0x20, 1, 28 + pl_len)
    gen = bytes([first, 0]) + struct.pack(">H", pl_len)
    e = Cipher(algorithms.AES(key), modes.GCM(salt + iv)).encryptor()
    e.authenticate_additional_data(h + gen)
    ct = e.update(pt) + e.finalize()
    return h + gen + iv + ct + e.tag[:icv_len]


def ikev2_ccm(ek, icv_len, inner, first):
    key, salt = ek[:-3], ek[-3:]
    iv = det(8, "ccm-iv")
    pt = pad(inner, 1, 3)
    pl_len = 4 + 8 + len(pt) + icv_len
    h = header(46, 35, 0x20, 1, 28 + pl_len)
    gen = bytes([first, 0]) + struct.pack(">H", pl_len)
    ct_tag = AESCCM(key, tag_length=icv_len).encrypt(salt + iv, pt, h + gen)
    return h + gen + iv + ct_tag


def carr(name, data):
    lines = []
    for i in range(0, len(data), 12):
        lines.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 12]) + ",")
    return "static const uint8_t %s[%d] = {\n%s\n};\n" % (name, len(data), "\n".join(lines))


out = []
w = out.append
w("/* ike_crypto_vectors.h - generated by ike_crypto_vectors.py (Python hashlib/hmac and the\n"
  " * cryptography package, independent of pcapdiag and libgcrypt); do not edit.\n"
  " * SPDX-License-Identifier: GPL-2.0-or-later\n */\n")
w("#ifndef IKE_CRYPTO_VECTORS_H\n#define IKE_CRYPTO_VECTORS_H\n#include <stdint.h>\n")
w(carr("v_inner1", N_AUTH_FAILED))
w(carr("v_inner2", INNER2))

# IKEv2 AES-CBC-128 + HMAC-SHA2-256-128 (the lab's proposal), responder's message.
k = {"ek": det(16, "cbc128-e"), "ak": det(32, "cbc128-a")}
w(carr("v_cbc128_ek", k["ek"]))
w(carr("v_cbc128_ak", k["ak"]))
w(carr("v_cbc128_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha256, 16,
                                 N_AUTH_FAILED, 41)))
# AES-CBC-256 + HMAC-SHA2-512-256, IDr + N.
k = {"ek": det(32, "cbc256-e"), "ak": det(64, "cbc256-a")}
w(carr("v_cbc256_ek", k["ek"]))
w(carr("v_cbc256_ak", k["ak"]))
w(carr("v_cbc256_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha512, 32,
                                 INNER2, 36)))
# 3DES + HMAC-SHA1-96.
k = {"ek": det(24, "3des-e"), "ak": det(20, "3des-a")}
w(carr("v_3des_ek", k["ek"]))
w(carr("v_3des_ak", k["ak"]))
w(carr("v_3des_msg", ikev2_cbc(TripleDES, 8, k["ek"], k["ak"], hashlib.sha1, 12, INNER2, 36)))
# AES-CTR-128 (+ 4-byte nonce) + HMAC-SHA2-384-192.
k = {"ek": det(20, "ctr-e"), "ak": det(48, "ctr-a")}
w(carr("v_ctr_ek", k["ek"]))
w(carr("v_ctr_ak", k["ak"]))
w(carr("v_ctr_msg", ikev2_ctr(k["ek"], k["ak"], hashlib.sha384, 24, INNER2, 36)))
# AES-GCM-256 with 16-octet ICV (+ 4-byte salt); AES-GCM-128 with 8-octet ICV.
ek = det(36, "gcm256-e")
w(carr("v_gcm256_ek", ek))
w(carr("v_gcm256_msg", ikev2_gcm(ek, 16, INNER2, 36)))
ek = det(20, "gcm128-e")
w(carr("v_gcm128_ek", ek))
w(carr("v_gcm128_8_msg", ikev2_gcm(ek, 8, N_AUTH_FAILED, 41, padlen=2)))
# AES-CCM-128 with 16- and 8-octet ICVs (+ 3-byte salt).
ek = det(19, "ccm128-e")
w(carr("v_ccm128_ek", ek))
w(carr("v_ccm128_16_msg", ikev2_ccm(ek, 16, INNER2, 36)))
w(carr("v_ccm128_8_msg", ikev2_ccm(ek, 8, INNER2, 36)))
# IKE_AUTH responses for the engine tests: no inner address; EAP Failure.
k = {"ek": det(16, "cbc128-e"), "ak": det(32, "cbc128-a")}
w(carr("v_cfg_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha256, 16,
                              INNER_CFG, 36)))
w(carr("v_eap_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha256, 16,
                              INNER_EAP, 48)))
# IKE_AUTH response 1 [ IDr AUTH EAP ] with the gateway's EAP-MSCHAPv2 Failure request, then
# the client's INFORMATIONAL request 4 [ N(AUTHENTICATION_FAILED) ] under the initiator's keys
# (the test's key-table row has zero initiator keys), as strongSwan's client answers it.
w(carr("v_eap_mschap_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha256, 16,
                                     INNER_EAP_MSCHAP, 36)))
w(carr("v_info_authfail_msg", ikev2_cbc(algorithms.AES, 16, bytes(16), bytes(32), hashlib.sha256,
                                        16, N_AUTH_FAILED, 41, exch=37, flags=0x08, msgid=4)))
# SKF (RFC 7383): fragment 1 of 2 and 2 of 2, AES-CBC-128 + HMAC-SHA2-256-128.
k = {"ek": det(16, "cbc128-e"), "ak": det(32, "cbc128-a")}
w(carr("v_skf1_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha256, 16,
                               INNER2[:10], 36, skf=(1, 2))))
w(carr("v_skf2_msg", ikev2_cbc(algorithms.AES, 16, k["ek"], k["ak"], hashlib.sha256, 16,
                               INNER2[10:], 0, skf=(2, 2))))

# IKEv1 (RFC 2409 App. B), AES-128-CBC with SHA2-256 as the negotiated hash.
gi, gr = det(256, "g^xi"), det(256, "g^xr")
ka = det(16, "v1-ka")
iv1 = hashlib.sha256(gi + gr).digest()[:16]
mm5 = bytes([8, 0, 0, 12]) + bytes([1, 0, 0, 0]) + det(4, "id") + bytes([0, 0, 0, 24]) + \
    det(20, "hash")  # ID (next HASH) + HASH: 36 bytes
mm5 += bytes(16 - len(mm5) % 16) if len(mm5) % 16 else b""
ct5 = cbc_enc(algorithms.AES, ka, iv1, mm5)
mid = bytes.fromhex("c6290c36")
iv_info = hashlib.sha256(ct5[-16:] + mid).digest()[:16]
info = bytes([11, 0, 0, 24]) + det(20, "hash2") + bytes([0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 16])
info += bytes(16 - len(info) % 16) if len(info) % 16 else b""
ct_info = cbc_enc(algorithms.AES, ka, iv_info, info)
w(carr("v1_gi", gi))
w(carr("v1_gr", gr))
w(carr("v1_ka", ka))
w(carr("v1_iv1", iv1))
w(carr("v1_mm5_plain", mm5))
w(carr("v1_mm5_ct", ct5))
w(carr("v1_info_mid", mid))
w(carr("v1_info_iv", iv_info))
w(carr("v1_info_plain", info))
w(carr("v1_info_ct", ct_info))
# IKEv1 3DES-CBC with SHA1: IV from SHA1(g^xi | g^xr).
ka3 = det(24, "v1-3des")
iv3 = hashlib.sha1(gi + gr).digest()[:8]
w(carr("v1_3des_ka", ka3))
w(carr("v1_3des_iv", iv3))
w(carr("v1_3des_ct", cbc_enc(TripleDES, ka3, iv3, mm5)))
# RFC 3602 section 4, case #1 (AES-128-CBC), as published.
w(carr("rfc3602_key", bytes.fromhex("06a9214036b8a15b512e03d534120006")))
w(carr("rfc3602_iv", bytes.fromhex("3dafba429d9eb430b422da802c9fac41")))
w(carr("rfc3602_ct", bytes.fromhex("e353779c1079aeb82708942dbe77181a")))
assert cbc_enc(algorithms.AES, bytes.fromhex("06a9214036b8a15b512e03d534120006"),
               bytes.fromhex("3dafba429d9eb430b422da802c9fac41"),
               b"Single block msg") == bytes.fromhex("e353779c1079aeb82708942dbe77181a")
w("#endif\n")
sys.stdout.write("\n".join(out))
