#!/usr/bin/python3
"""
gen_passkey.py: print the known answers of the passkey unit tests
(tests/unit/test_passkey*.c) from a software authenticator written here,
with Debian's python3-cryptography for the keys and signatures and
python3-cbor2 for every CBOR text: nothing of restauth's lib/passkey/.

    apt-get install -y python3-cryptography python3-cbor2
    tests/unit/gen_passkey.py > tests/unit/kat_passkey.h
    tests/unit/gen_passkey.py --seeds tests/fuzz/corpus   # fuzz_passkey,
                                                # fuzz_clientdata seeds

The authenticator makes what a browser hands a relying party (WebAuthn
Level 3): clientDataJSON as Chrome writes it, authenticatorData, the
attestation object ("none", "packed" self attestation, "packed" with an
x5c certificate it signs itself) and assertions, for ES256, EdDSA and
RS256 keys; then each failure SPEC-mfa-passkeys-social 2.4 and 4.2 name
(wrong origin, wrong rpId, another challenge, a bad signature, UV missing
when required, a sign count going back) and malformed CBOR, authData and
clientData of many kinds. The stored form of each key is what py_webauthn
stores, cbor2.dumps(cbor2.loads(key)). With python3-fido2 installed, its
relying-party code must agree on every accepted vector and each listed
failure first (cross_check). Keys and ECDSA signatures are
random: running this again changes the bytes, never the verdicts.
"""
import base64
import datetime
import hashlib
import json
import struct
import sys

import cbor2
import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from genutil import c_str

RP_ID = "example.com"
ORIGIN = "https://example.com"
ORIGIN2 = "https://login.example.com:8443"   # the second allowed origin
CHALLENGE = bytes((i * 7 + 3) & 0xFF for i in range(64))
OTHER_CHALLENGE = bytes((i * 11 + 5) & 0xFF for i in range(64))
AAGUID = bytes.fromhex("adce000235bcc60a648b0b25f1f05503")

UP, UV, BE, BS, AT, ED = 0x01, 0x04, 0x08, 0x10, 0x40, 0x80
ES256, EDDSA, RS256 = -7, -8, -257
FMT = {"none": "ATTEST_NONE", "self": "ATTEST_PACKED_SELF",
       "x5c": "ATTEST_PACKED_X5C"}


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def c_bytes(b, indent="\t    "):
    """b as adjacent C string literals, every byte \\x-escaped."""
    if not b:
        return '""'
    parts = []
    for i in range(0, len(b), 24):
        parts.append('"' + "".join("\\x%02x" % c for c in b[i:i + 24]) + '"')
    return ("\n" + indent).join(parts)


class Key:
    """A credential key of one algorithm and its COSE_Key."""

    def __init__(self, alg, rsa_bits=2048):
        self.alg = alg
        if alg == ES256:
            self.priv = ec.generate_private_key(ec.SECP256R1())
        elif alg == EDDSA:
            self.priv = ed25519.Ed25519PrivateKey.generate()
        else:
            self.priv = rsa.generate_private_key(65537, rsa_bits)

    def cose_map(self):
        """The COSE_Key in the order authenticators write (CTAP2)."""
        pub = self.priv.public_key()
        if self.alg == ES256:
            n = pub.public_numbers()
            return {1: 2, 3: ES256, -1: 1, -2: n.x.to_bytes(32, "big"),
                    -3: n.y.to_bytes(32, "big")}
        if self.alg == EDDSA:
            raw = pub.public_bytes(serialization.Encoding.Raw,
                                   serialization.PublicFormat.Raw)
            return {1: 1, 3: EDDSA, -1: 6, -2: raw}
        n = pub.public_numbers()
        return {1: 3, 3: RS256,
                -1: n.n.to_bytes((n.n.bit_length() + 7) // 8, "big"),
                -2: n.e.to_bytes((n.e.bit_length() + 7) // 8, "big")}

    def cose(self):
        return cbor2.dumps(self.cose_map())

    def sign(self, data):
        if self.alg == ES256:
            return self.priv.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.alg == EDDSA:
            return self.priv.sign(data)
        return self.priv.sign(data, padding.PKCS1v15(), hashes.SHA256())


def stored_form(cose):
    """What py_webauthn stores: its parse_authenticator_data's
    encode_cbor(parse_cbor(key))."""
    return cbor2.dumps(cbor2.loads(cose))


def client_data(typ, challenge=CHALLENGE, origin=ORIGIN, extra=None):
    """clientDataJSON as Chrome writes it."""
    d = {"type": typ, "challenge": b64url(challenge), "origin": origin,
         "crossOrigin": False}
    if extra:
        d.update(extra)
    return json.dumps(d, separators=(",", ":")).encode()


def auth_data(flags, count, rp_id=RP_ID, cred=None, ext=None):
    """authenticatorData; cred is (credential ID, COSE key) or None."""
    out = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + \
        struct.pack(">I", count)
    if cred is not None:
        cred_id, cose = cred
        out += AAGUID + struct.pack(">H", len(cred_id)) + cred_id + cose
    if ext is not None:
        out += ext
    return out


def att_cert(key, aaguid=AAGUID, ca=False):
    """A self-made packed attestation certificate (8.2.1) for key."""
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Authenticator"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME,
                           "Authenticator Attestation"),
        x509.NameAttribute(NameOID.COMMON_NAME, "gen_passkey")])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(key.public_key()).serial_number(4242)
         .not_valid_before(datetime.datetime(2024, 1, 1))
         .not_valid_after(datetime.datetime(2044, 1, 1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                        critical=True))
    if aaguid is not None:
        b = b.add_extension(x509.UnrecognizedExtension(
            ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"),
            b"\x04\x10" + aaguid), critical=False)
    return b.sign(key, hashes.SHA256()).public_bytes(
        serialization.Encoding.DER)


# --- registrations ---------------------------------------------------------

REG = []   # (name, require_uv, cdata, attobj, ok, cred_id, stored, count,
#             flags, alg, fmt)


def reg(name, key, fmt="none", flags=UP | UV | AT, count=0, require_uv=False,
        ok=True, cdata=None, rp_id=RP_ID, cred_id=None, ext=None,
        cose=None, st=None, att_key=None, cert=None, mangle=None,
        obj=None):
    cred_id = cred_id if cred_id is not None else hashlib.sha256(
        name.encode()).digest()
    cose = cose if cose is not None else key.cose()
    cdata = cdata if cdata is not None else client_data("webauthn.create")
    ad = auth_data(flags, count, rp_id, (cred_id, cose), ext)
    if mangle:
        ad = mangle(ad)
    signed = ad + hashlib.sha256(cdata).digest()
    if st is None:
        if fmt == "none":
            st = {}
        elif fmt == "self":
            st = {"alg": key.alg, "sig": key.sign(signed)}
        else:
            ak = att_key or Key(ES256)
            st = {"alg": ak.alg, "sig": ak.sign(signed),
                  "x5c": [cert if cert is not None else att_cert(ak.priv)]}
    fmt_name = "none" if fmt == "none" else "packed"
    if obj is None:
        obj = {"fmt": fmt_name, "attStmt": st, "authData": ad}
    attobj = cbor2.dumps(obj)
    stored = stored_form(cose) if ok else b""
    if ok:
        assert stored == cose, name    # the stored form is the slice
    REG.append((name, require_uv, cdata, attobj, ok,
                cred_id if ok else b"", stored, count, flags,
                key.alg if ok else 0, FMT[fmt] if ok else "ATTEST_NONE"))


def registrations(keys):
    es, ed, rs = keys[ES256], keys[EDDSA], keys[RS256]
    for k, nm in ((es, "es256"), (ed, "eddsa"), (rs, "rs256")):
        reg(nm + " none", k)
        reg(nm + " packed self", k, "self")
        reg(nm + " packed self, UV required", k, "self", require_uv=True)
    reg("es256 packed x5c", es, "x5c")
    reg("eddsa packed x5c by an RS256 certificate", ed, "x5c",
        att_key=Key(RS256))
    ak = Key(ES256)
    reg("x5c certificate without aaguid extension", es, "x5c", att_key=ak,
        cert=att_cert(ak.priv, aaguid=None))
    reg("synced passkey BE BS", es, flags=UP | UV | AT | BE | BS, count=0)
    reg("BE without BS", ed, flags=UP | AT | BE)
    reg("UV not set, not required", es, flags=UP | AT)
    reg("sign count 7", rs, "self", count=7)
    reg("credProtect extension", es, flags=UP | UV | AT | ED,
        ext=cbor2.dumps({"credProtect": 2}))
    reg("second allowed origin", es,
        cdata=client_data("webauthn.create", origin=ORIGIN2))
    reg("extra clientData members", es, cdata=client_data(
        "webauthn.create", extra={"other_keys_can_be_added_here": "x",
                                  "tokenBinding": {"status": "present"}}))
    reg("longest credential id", es, cred_id=bytes(range(256)) * 3 +
        bytes(255))
    reg("rsa 4096", Key(RS256, 4096), "self")
    # Failures.
    bad = dict(ok=False)
    reg("wrong origin", es, cdata=client_data(
        "webauthn.create", origin="https://evil.example.com"), **bad)
    reg("origin with default port", es, cdata=client_data(
        "webauthn.create", origin="https://example.com:443"), **bad)
    reg("origin with a slash", es, cdata=client_data(
        "webauthn.create", origin="https://example.com/"), **bad)
    reg("http origin", es, cdata=client_data(
        "webauthn.create", origin="http://example.com"), **bad)
    reg("wrong rpId", es, rp_id="evil.com", **bad)
    reg("rpId of a subdomain", es, rp_id="login.example.com", **bad)
    reg("other challenge", es, cdata=client_data(
        "webauthn.create", challenge=OTHER_CHALLENGE), **bad)
    reg("challenge with padding", es, cdata=client_data(
        "webauthn.create").replace(b'","origin', b'==","origin'), **bad)
    reg("challenge in standard base64", es, cdata=json.dumps(
        {"type": "webauthn.create", "challenge":
         base64.b64encode(CHALLENGE).decode(), "origin": ORIGIN}).encode(),
        **bad)
    reg("type webauthn.get", es, cdata=client_data("webauthn.get"), **bad)
    reg("crossOrigin true", es, cdata=client_data(
        "webauthn.create", extra={"crossOrigin": True}), **bad)
    reg("crossOrigin a string", es, cdata=client_data(
        "webauthn.create", extra={"crossOrigin": "false"}), **bad)
    reg("UP missing", es, flags=UV | AT, **bad)
    reg("UV missing when required", es, "self", flags=UP | AT,
        require_uv=True, **bad)
    reg("AT missing", es, flags=UP | UV,
        mangle=lambda ad: ad[:37], **bad)
    reg("BS without BE", es, flags=UP | UV | AT | BS, **bad)
    reg("packed self bad signature", es, "self",
        st={"alg": ES256, "sig": es.sign(b"something else")}, **bad)
    reg("packed self alg not the key's", ed, "self",
        st={"alg": ES256, "sig": b"\x30\x06\x02\x01\x01\x02\x01\x01"}, **bad)
    reg("packed self with RS256 sig by ES256 key", es, "self",
        st={"alg": RS256, "sig": es.sign(b"x")}, **bad)
    reg("packed without sig", es, "self", st={"alg": ES256}, **bad)
    reg("packed extra member", es, "self",
        st={"alg": ES256, "sig": b"\x00", "ecdaaKeyId": b"\x00"}, **bad)
    reg("none with a statement", es, st={"alg": ES256}, **bad)
    reg("x5c signed by another key", es, "x5c",
        cert=att_cert(Key(ES256).priv), **bad)
    ak = Key(ES256)
    reg("x5c CA certificate", es, "x5c", att_key=ak,
        cert=att_cert(ak.priv, ca=True), **bad)
    reg("x5c aaguid mismatch", es, "x5c", att_key=ak,
        cert=att_cert(ak.priv, aaguid=bytes(16)), **bad)
    reg("x5c not DER", es, "x5c", att_key=ak, cert=b"\x30\x03\x02\x01\x01",
        **bad)
    reg("x5c empty", es, st={"alg": ES256, "sig": b"\x00", "x5c": []},
        **bad)
    ad = auth_data(UP | UV | AT, 0, RP_ID, (b"\x01", es.cose()))
    for fmt in ("fido-u2f", "tpm", "apple", "android-key", "NONE", ""):
        reg("fmt " + repr(fmt), es, obj={"fmt": fmt, "attStmt": {},
                                         "authData": ad}, **bad)
    reg("attestation object extra member", es, obj={
        "fmt": "none", "attStmt": {}, "authData": ad, "x": 1}, **bad)
    reg("attestation object without attStmt", es, obj={
        "fmt": "none", "authData": ad}, **bad)
    reg("authData a text string", es, obj={
        "fmt": "none", "attStmt": {}, "authData": ad.hex()}, **bad)
    reg("authData trailing byte", es, mangle=lambda a: a + b"\x00", **bad)
    reg("authData truncated key", es, mangle=lambda a: a[:-1], **bad)
    reg("empty credential id", es, cred_id=b"", **bad)
    reg("credential id over 1023 bytes", es, cred_id=bytes(1024), **bad)
    reg("RSA 1024 key", Key(RS256, 1024), "self", **bad)
    reg("ES256 point not on the curve", es, cose=cbor2.dumps(
        {**es.cose_map(), -3: bytes(31) + b"\x01"}), **bad)
    reg("ES256 key with EdDSA alg", es, cose=cbor2.dumps(
        {**es.cose_map(), 3: EDDSA}), **bad)
    reg("EdDSA key with crv 4 (X25519)", ed, cose=cbor2.dumps(
        {**ed.cose_map(), -1: 4}), **bad)
    reg("ES256 key with a kid", es, cose=cbor2.dumps(
        {**es.cose_map(), 2: b"kid"}), **bad)
    reg("unsupported alg ES512", es, cose=cbor2.dumps(
        {**es.cose_map(), 3: -36}), **bad)
    reg("COSE key non-minimal int", es, cose=b"\xa5\x01\x02\x03\x26\x20"
        b"\x18\x01" + es.cose()[7:], **bad)
    reg("clientData duplicate type", es, cdata=b'{"type":"webauthn.get",' +
        client_data("webauthn.create")[1:], **bad)
    reg("clientData not UTF-8", es, cdata=client_data(
        "webauthn.create")[:-1] + b',"x":"\xff"}', **bad)
    reg("clientData an array", es, cdata=b"[" + client_data(
        "webauthn.create") + b"]", **bad)
    reg("clientData trailing garbage", es, cdata=client_data(
        "webauthn.create") + b"x", **bad)
    reg("clientData over 4096 bytes", es, cdata=client_data(
        "webauthn.create", extra={"pad": "x" * 4096}), **bad)


# --- assertions ------------------------------------------------------------

AUTH = []  # (name, require_uv, cdata, adata, sig, stored, stored_count,
#            ok, new_count, regressed)


def assertion(name, key, flags=UP | UV, count=1, stored_count=0,
              require_uv=False, ok=True, new_count=None, cdata=None,
              rp_id=RP_ID, sig=None, stored=None, regressed=False,
              signer=None, adata=None, ext=None):
    cdata = cdata if cdata is not None else client_data("webauthn.get")
    if adata is None:
        adata = auth_data(flags, count, rp_id, None, ext)
    if sig is None:
        sig = (signer or key).sign(adata + hashlib.sha256(cdata).digest())
    stored = stored if stored is not None else stored_form(key.cose())
    AUTH.append((name, require_uv, cdata, adata, sig, stored, stored_count,
                 ok, new_count if new_count is not None else count,
                 regressed))


def assertions(keys):
    es, ed, rs = keys[ES256], keys[EDDSA], keys[RS256]
    for k, nm in ((es, "es256"), (ed, "eddsa"), (rs, "rs256")):
        assertion(nm, k)
        assertion(nm + " UV required", k, require_uv=True)
        assertion(nm + " bad signature", k, sig=None, signer=Key(k.alg),
                  ok=False)
    assertion("second origin", es,
              cdata=client_data("webauthn.get", origin=ORIGIN2))
    assertion("count grows", ed, count=6, stored_count=5)
    assertion("count 0 stays 0", es, count=0, stored_count=0)
    assertion("synced: BE and count 0 keep the stored count", es,
              flags=UP | UV | BE | BS, count=0, stored_count=7, new_count=7)
    assertion("synced: BE, count grows", es, flags=UP | BE, count=9,
              stored_count=7)
    assertion("UV not set, not required", rs, flags=UP)
    assertion("extension output", es, flags=UP | UV | ED,
              ext=cbor2.dumps({"credProtect": 1}))
    assertion("max count", ed, count=0xFFFFFFFF, stored_count=0xFFFFFFFE)
    bad = dict(ok=False)
    assertion("counter regression", es, count=3, stored_count=5,
              regressed=True, **bad)
    assertion("counter repeated", es, count=5, stored_count=5,
              regressed=True, **bad)
    assertion("counter reset to 0 (BE=0)", ed, count=0, stored_count=5,
              regressed=True, **bad)
    assertion("synced but count goes back", es, flags=UP | BE, count=2,
              stored_count=5, regressed=True, **bad)
    assertion("UV missing when required", es, flags=UP, require_uv=True,
              **bad)
    assertion("UP missing", es, flags=UV, **bad)
    assertion("wrong origin", es, cdata=client_data(
        "webauthn.get", origin="https://example.org"), **bad)
    assertion("wrong rpId", es, rp_id="example.org", **bad)
    assertion("replayed: other challenge", es, cdata=client_data(
        "webauthn.get", challenge=OTHER_CHALLENGE), **bad)
    assertion("short challenge", es, cdata=client_data(
        "webauthn.get", challenge=CHALLENGE[:63]), **bad)
    assertion("type webauthn.create", es, cdata=client_data(
        "webauthn.create"), **bad)
    assertion("crossOrigin true", es, cdata=client_data(
        "webauthn.get", extra={"crossOrigin": True}), **bad)
    assertion("clientData without origin", es, cdata=json.dumps(
        {"type": "webauthn.get", "challenge": b64url(CHALLENGE)}).encode(),
        **bad)
    assertion("origin with NUL", es, cdata=client_data(
        "webauthn.get", origin=ORIGIN + "\x00"), **bad)
    assertion("signature by another key", ed, signer=Key(EDDSA), **bad)
    assertion("ES256 signature raw r||s", es, sig=bytes(64), **bad)
    assertion("EdDSA signature 63 bytes", ed, sig=bytes(63), **bad)
    assertion("empty signature", rs, sig=b"", **bad)
    assertion("stored key of another algorithm", es,
              stored=stored_form(ed.cose()), **bad)
    assertion("AT in an assertion", es, adata=auth_data(
        UP | UV | AT, 1, RP_ID, (b"\x01", es.cose())), **bad)
    assertion("BS without BE", es, flags=UP | BS, **bad)
    assertion("authData 36 bytes", es, adata=auth_data(UP, 1)[:36], **bad)
    assertion("authData trailing byte", es,
              adata=auth_data(UP, 1) + b"\x00", **bad)
    assertion("ED without extensions", es, flags=UP | ED, **bad)
    assertion("ED with a non-map", es, flags=UP | ED, ext=b"\x01", **bad)


# --- COSE keys -------------------------------------------------------------

COSE = []  # (name, bytes, alg or 0)


def cose_cases(keys):
    es, ed, rs = keys[ES256], keys[EDDSA], keys[RS256]
    for k in (es, ed, rs):
        COSE.append(("alg %d" % k.alg, k.cose(), k.alg))
    m = es.cose_map()
    # Another key order is still the same stored bytes (cbor2 keeps order).
    COSE.append(("es256 keys reversed", cbor2.dumps(
        dict(reversed(list(m.items())))), ES256))
    rm = rs.cose_map()
    for name, mm in (
            ("kty missing", {k: v for k, v in m.items() if k != 1}),
            ("alg missing", {k: v for k, v in m.items() if k != 3}),
            ("y missing", {k: v for k, v in m.items() if k != -3}),
            ("x 31 bytes", {**m, -2: m[-2][1:]}),
            ("x 33 bytes", {**m, -2: b"\x00" + m[-2]}),
            ("x as text", {**m, -2: m[-2].hex()}),
            ("crv P-384", {**m, -1: 2}),
            ("kty as text", {**m, 1: "EC2"}),
            ("text label", {**m, "x": 1}),
            ("label 4", {**m, 4: [1]}),
            ("label -4", {**m, -4: b"\x00"}),
            ("point at x=0,y=0", {**m, -2: bytes(32), -3: bytes(32)}),
            ("rsa e even", {**rm, -2: b"\x01\x00\x00"}),
            ("rsa e 1", {**rm, -2: b"\x01"}),
            ("rsa e leading zero", {**rm, -2: b"\x00\x01\x00\x01"}),
            ("rsa e 9 bytes", {**rm, -2: b"\x01" * 9}),
            ("rsa n leading zero", {**rm, -1: b"\x00" + rm[-1]}),
            ("rsa n 2047 bits", {**rm, -1: b"\x7f" + rm[-1][1:]}),
            ("rsa with crv", {**rm, -3: b"\x01"}),
            ("okp with y", {**ed.cose_map(), -3: bytes(32)})):
        COSE.append((name, cbor2.dumps(mm), 0))
    COSE.append(("not a map", cbor2.dumps([1, 2]), 0))
    COSE.append(("trailing byte", es.cose() + b"\x00", 0))
    COSE.append(("empty", b"", 0))
    COSE.append(("legacy 0x04 point", b"\x04" + m[-2] + m[-3], 0))
    COSE.append(("indefinite map", b"\xbf" + es.cose()[1:] + b"\xff", 0))


# --- strict CBOR -----------------------------------------------------------

CBOR = []  # (name, bytes, item length or -1)


def cbor_cases():
    ok = [("0", b"\x00"), ("23", b"\x17"), ("24", b"\x18\x18"),
          ("255", b"\x18\xff"), ("256", b"\x19\x01\x00"),
          ("65536", b"\x1a\x00\x01\x00\x00"),
          ("2^32", b"\x1b\x00\x00\x00\x01\x00\x00\x00\x00"),
          ("2^64-1", b"\x1b" + b"\xff" * 8), ("-1", b"\x20"),
          ("-2^64", b"\x3b" + b"\xff" * 8),
          ("empty bytes", b"\x40"), ("bytes", b"\x43abc"),
          ("text", b"\x63\xc3\xa9x"), ("empty map", b"\xa0"),
          ("array", b"\x83\x01\x02\x03"), ("false", b"\xf4"),
          ("true", b"\xf5"), ("null", b"\xf6"),
          ("nested", cbor2.dumps({"a": [1, {"b": b"\x00"}], -7: None}))]
    for name, b in ok:
        assert cbor2.dumps(cbor2.loads(b)) == b, name
        CBOR.append((name, b, len(b)))
    # One item and then more bytes: the walk stops at the item's end.
    CBOR.append(("item then bytes", b"\x01\x02\x03", 1))
    bad = [("empty", b""), ("24 in one byte", b"\x18\x17"),
           ("255 in two", b"\x19\x00\xff"),
           ("65535 in four", b"\x1a\x00\x00\xff\xff"),
           ("2^32-1 in eight", b"\x1b\x00\x00\x00\x00\xff\xff\xff\xff"),
           ("-1 in one byte", b"\x38\x00"),
           ("bytes length non-minimal", b"\x58\x01a"),
           ("reserved 28", b"\x1c"), ("reserved 30", b"\x5e"),
           ("indefinite bytes", b"\x5f\x41a\xff"),
           ("indefinite text", b"\x7f\x61a\xff"),
           ("indefinite array", b"\x9f\x01\xff"),
           ("indefinite map", b"\xbf\x01\x02\xff"), ("break", b"\xff"),
           ("tag 0", b"\xc0\x60"), ("tag 2 bignum", b"\xc2\x41\x01"),
           ("half float", b"\xf9\x3c\x00"),
           ("single float", b"\xfa\x3f\x80\x00\x00"),
           ("double float", b"\xfb" + struct.pack(">d", 1.0)),
           ("undefined", b"\xf7"), ("simple 16", b"\xf0"),
           ("simple 32", b"\xf8\x20"), ("simple 24 in two", b"\xf8\x18"),
           ("truncated uint16", b"\x19\x01"), ("truncated bytes", b"\x43ab"),
           ("truncated array", b"\x83\x01\x02"),
           ("truncated map", b"\xa2\x01\x02\x03"),
           ("bad UTF-8 text", b"\x62\xc3\x28"),
           ("surrogate in text", b"\x63\xed\xa0\x80"),
           ("overlong UTF-8", b"\x62\xc0\xaf"),
           ("duplicate int key", b"\xa2\x01\x02\x01\x03"),
           ("duplicate text key", b"\xa2\x61a\x01\x61a\x02"),
           ("bytes key", b"\xa1\x41a\x01"), ("array key", b"\xa1\x80\x01"),
           ("true key", b"\xa1\xf5\x01"), ("null key", b"\xa1\xf6\x01"),
           ("array of 2^32 claims", b"\x9a\xff\xff\xff\xff\x00"),
           ("map of 2^63 claims", b"\xbb\x7f" + b"\xff" * 7 + b"\x00"),
           ("bytes of 2^64-1", b"\x5b" + b"\xff" * 8),
           ("deep arrays", b"\x81" * 8 + b"\x00"),
           ("too many items", b"\x99\x04\x00" + b"\x00" * 1024)]
    for name, b in bad:
        CBOR.append((name, b, -1))
    # 7 levels deep is the most (LIMIT_CBOR_DEPTH 8 counts the leaf).
    CBOR.append(("7 arrays deep", b"\x81" * 7 + b"\x00", 8))
    CBOR.append(("1023 items", b"\x99\x03\xfe" + b"\x00" * 1022, 1025))


# --- output ----------------------------------------------------------------

def blob(b, text=False):
    """b (bytes) and its length, as two C initializers."""
    return [c_str(b) if text else c_bytes(b), str(len(b))]


def table(head, rows):
    """A static table: head (its comment and declaration, up to "= {"),
    then each row's initializers."""
    print(head)
    for row in rows:
        print("\t{ " + ",\n\t    ".join(row) + " },")
    print("};")


def seeds(top):
    """The libFuzzer seeds of tests/fuzz/fuzz_passkey.c (first byte: 0
    CBOR, 1 authData, 2 COSE key, 3 attestation object) and
    fuzz_clientdata.c, from the cases above, into top/passkey/ and
    top/clientdata/."""
    import os
    import re
    for d in ("passkey", "clientdata"):
        os.makedirs(os.path.join(top, d), exist_ok=True)

    def put(d, name, data):
        name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        with open(os.path.join(top, d, name), "wb") as f:
            f.write(data)
    for name, ruv, cd, ao, ok, *_ in REG:
        if ok or "x5c" in name or "fmt" in name:
            put("passkey", "att-" + name, b"\x03" + ao)
        if ok or "clientData" in name or "origin" in name:
            put("clientdata", "create-" + name, cd)
        if ok:
            ad = cbor2.loads(ao)["authData"]
            put("passkey", "authdata-" + name, b"\x01" + ad)
    for name, ruv, cd, ad, *_ in AUTH[:12]:
        put("passkey", "authdata-get-" + name, b"\x01" + ad)
        put("clientdata", "get-" + name, cd)
    for name, b, alg in COSE:
        put("passkey", "cose-" + name, b"\x02" + b)
    for name, b, n in CBOR:
        if len(b) < 64:
            put("passkey", "cbor-" + name, b"\x00" + b)


# The failures of the specification's list: another relying party's
# library refuses these too.
LISTED = ("wrong origin", "wrong rpId", "other challenge", "bad signature",
          "UV missing when required", "signature by another key",
          "type webauthn")


def cross_check():
    """When Debian's python3-fido2 is installed, its Fido2Server (another
    relying party's code) must accept every registration and assertion
    above that restauth must accept, and refuse each listed failure, or
    nothing is printed. Returns its version, or None (and says so on
    stderr) when it is not installed."""
    try:
        import fido2
        from fido2 import cbor as fcbor
        from fido2.cose import CoseKey
        from fido2.client import ClientData
        from fido2.ctap2 import AttestationObject, AuthenticatorData
        from fido2.server import Fido2Server
        from fido2.webauthn import PublicKeyCredentialRpEntity
    except ImportError:
        print("gen_passkey.py: no python3-fido2, not cross-checked",
              file=sys.stderr)
        return None
    from fido2.attestation import Attestation

    def attestation(obj, client_data_hash):
        """The statement's own checks (no trust path, as restauth)."""
        Attestation.for_type(obj.fmt)().verify(obj.att_statement, obj.auth_data,
                                               client_data_hash)
    server = Fido2Server(PublicKeyCredentialRpEntity(RP_ID, "test"),
                         attestation="direct",
                         verify_origin=lambda o: o in (ORIGIN, ORIGIN2),
                         verify_attestation=attestation)
    state = {"challenge": b64url(CHALLENGE), "user_verification": None}

    class Cred:
        def __init__(self, stored):
            self.credential_id = b"id"
            self.public_key = CoseKey.parse(fcbor.decode(stored))

    def verdict(fn):
        try:
            fn()
            return True
        except Exception:
            return False
    for (name, ruv, cd, ao, ok, *_) in REG:
        st = dict(state, user_verification="required" if ruv else None)
        got = verdict(lambda: server.register_complete(
            st, ClientData(cd), AttestationObject(ao)))
        if ok or any(w in name for w in LISTED):
            assert got == ok, ("python-fido2 registration", name, got)
    for (name, ruv, cd, ad, sig, stored, *_rest) in AUTH:
        ok = _rest[1]
        st = dict(state, user_verification="required" if ruv else None)
        got = verdict(lambda: server.authenticate_complete(
            st, [Cred(stored)], b"id", ClientData(cd),
            AuthenticatorData(ad), sig))
        if ok or any(w in name for w in LISTED):
            assert got == ok, ("python-fido2 assertion", name, got)
    return fido2.__version__


def main():
    keys = {ES256: Key(ES256), EDDSA: Key(EDDSA), RS256: Key(RS256)}
    registrations(keys)
    assertions(keys)
    cose_cases(keys)
    cbor_cases()
    fido2 = cross_check()
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        seeds(sys.argv[2])
        return
    print("/* generated by tests/unit/gen_passkey.py (python3-cryptography "
          "%s, Python %d.%d%s); do not edit */" % (
              cryptography.__version__, sys.version_info[0],
              sys.version_info[1], ", cross-checked with python-fido2 " +
              fido2 if fido2 else ""))
    print("/* clang-format off */")
    print("#define KAT_RP_ID %s" % c_str(RP_ID))
    print("#define KAT_ORIGIN %s" % c_str(ORIGIN))
    print("#define KAT_ORIGIN2 %s" % c_str(ORIGIN2))
    print("static const char kat_challenge[] =\n\t    %s;" %
          c_bytes(CHALLENGE))
    print("#define KAT_CHALLENGE_LEN %d" % len(CHALLENGE))
    table("""
/* A registration: clientDataJSON and attestation object as the software
 * authenticator made them, whether attest_verify must accept them and
 * then what it must give back (the stored key is cbor2's round trip). */
static const struct reg_kat {
	const char *name;
	int require_uv;
	const char *cdata; size_t cdata_len;
	const char *attobj; size_t attobj_len;
	int ok;
	const char *cred_id; size_t cred_id_len;
	const char *stored; size_t stored_len;
	unsigned count, flags;
	int alg;
	enum attest_fmt fmt;
} reg_kats[] = {""", [
        [c_str(name), str(int(ruv))] + blob(cd, True) + blob(ao) +
        [str(int(ok))] + blob(cid) + blob(st) +
        [str(cnt), "0x%02x" % fl, str(alg), fmt]
        for (name, ruv, cd, ao, ok, cid, st, cnt, fl, alg, fmt) in REG])
    table("""
/* An assertion with its stored credential: whether assertion_verify must
 * accept it, the count it must give back, and whether a refusal is the
 * sign count's. */
static const struct auth_kat {
	const char *name;
	int require_uv;
	const char *cdata; size_t cdata_len;
	const char *adata; size_t adata_len;
	const char *sig; size_t sig_len;
	const char *stored; size_t stored_len;
	unsigned stored_count;
	int ok;
	unsigned new_count;
	int regressed;
} auth_kats[] = {""", [
        [c_str(name), str(int(ruv))] + blob(cd, True) + blob(ad) +
        blob(sig) + blob(st) + ["%du" % sc, str(int(ok)), "%du" % nc,
                                str(int(rg))]
        for (name, ruv, cd, ad, sig, st, sc, ok, nc, rg) in AUTH])
    table("""
/* A COSE_Key and the algorithm cose_key_parse must find (0: refused). */
static const struct cose_kat {
	const char *name;
	const char *key; size_t len;
	int alg;
} cose_kats[] = {""", [[c_str(name)] + blob(b) + [str(alg)]
                       for name, b, alg in COSE])
    table("""
/* A CBOR text and the length of the strict item at its start (-1:
 * refused); every accepted one is its own cbor2 round trip. */
static const struct cbor_kat {
	const char *name;
	const char *text; size_t len;
	long item_len;
} cbor_kats[] = {""", [[c_str(name)] + blob(b) + [str(n)]
                       for name, b, n in CBOR])
    print("/* clang-format on */")


if __name__ == "__main__":
    main()
