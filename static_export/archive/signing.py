"""The WACZ's anonymous signature, as "WACZ Signing and Verification" 0.1.0 defines it.

A signed WACZ has a ``datapackage-digest.json`` holding the SHA-256 of its ``datapackage.json`` (which
lists the SHA-256 of every other file in it) and ``signedData``: that hash, its creation time, the
signing software, a signature of the hash and the public key to check it with. The signature is
ECDSA on the P-384 curve with SHA-256 over the UTF-8 text of ``hash``, encoded as WebCrypto writes it
(r and s, 48 bytes each) in base64; the public key is its SubjectPublicKeyInfo (DER) in base64. This
is what ReplayWeb.page's verifier (wabac.js ``verifyWACZSignature``) checks.

The key is the organisation's, made by ``manage.py make_signing_key`` and kept outside the
repository. Signing goes through py-wacz's own ``--signing-url`` and verification through
``wacz validate --verify-auth --verifier-url``: ``signing_service`` and ``verifier_service`` answer
them on the loopback interface only, for as long as they are needed.
"""

import base64
import contextlib
import hashlib
import importlib.metadata
import json
import os
import secrets
import threading
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

SPEC_VERSION = "0.1.0"  # WACZ Signing and Verification
CURVE = ec.SECP384R1()
COORDINATE_BYTES = 48  # P-384


class SigningError(Exception):
    """A key cannot be made, read or used; the message names the file and what is wrong."""


def software():
    return f"wellbeing-archive static_export; cryptography {importlib.metadata.version('cryptography')}"


# Keys


def make_key(path):
    """Write a new P-384 private key to ``path`` (PKCS #8 PEM, readable by its owner only) and its
    public key beside it (``<path>.pub``); refuses to replace a key. Returns the public key's fingerprint."""
    path = Path(path)
    if path.exists():
        raise SigningError(f"{path} already exists; a signing key is never replaced (move it away first).")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(CURVE)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    public_path(path).write_bytes(public_pem(key.public_key()))
    return fingerprint(key.public_key())


def public_path(key_path):
    return Path(str(key_path) + ".pub")


def load_private_key(path):
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"Cannot read the signing key {path}: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != CURVE.name:
        raise SigningError(f"{path} is not an ECDSA P-384 private key, as WACZ signing needs.")
    return key


def load_public_key(path):
    """A public key from a PEM file: a public key, or the private key it belongs to."""
    data = Path(path).read_bytes()
    try:
        if b"PRIVATE KEY" in data:
            return load_private_key(path).public_key()
        return serialization.load_pem_public_key(data)
    except (OSError, ValueError) as exc:
        raise SigningError(f"Cannot read the public key {path}: {exc}") from exc


def public_pem(public_key):
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def spki_base64(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def fingerprint(public_key):
    """``SHA256:<hex>`` of the public key's SubjectPublicKeyInfo: what the organisation publishes."""
    return "SHA256:" + hashlib.sha256(base64.b64decode(spki_base64(public_key))).hexdigest()


# Signing and checking


def sign(private_key, hash_, created):
    """The anonymous ``signedData`` for ``hash`` (``sha256:<hex>``) made at ``created``."""
    r, s = decode_dss_signature(private_key.sign(hash_.encode("utf-8"), ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")
    return {
        "hash": hash_,
        "created": created,
        "software": software(),
        "version": SPEC_VERSION,
        "signature": base64.b64encode(raw).decode("ascii"),
        "publicKey": spki_base64(private_key.public_key()),
    }


@dataclass(frozen=True)
class SignatureCheck:
    """What checking a ``signedData`` found: ``problem`` is empty when the signature holds and its key
    is one of those trusted (or none were given); ``fingerprint`` names the key that signed."""

    fingerprint: str
    problem: str = ""
    trusted: bool = False  # The key is one of those given as the organisation's.
    signed: bool = True  # False: there is no signature to check.

    @property
    def ok(self):
        return not self.problem


def check_signed_data(signed, trusted_keys=()):
    """Check an anonymous ``signedData``: the signature of ``hash`` with ``publicKey``, and that key
    against ``trusted_keys`` (public keys) when any are given."""
    if not isinstance(signed, dict) or not signed.get("publicKey") or not signed.get("signature"):
        return SignatureCheck("", "it is not signed with a public key (an anonymous signature)")
    try:
        public_key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"], validate=True))
        raw = base64.b64decode(signed["signature"], validate=True)
    except ValueError as exc:
        return SignatureCheck("", f"its public key or signature cannot be read ({exc})")
    key_fingerprint = fingerprint(public_key)
    if len(raw) != 2 * COORDINATE_BYTES or not isinstance(public_key, ec.EllipticCurvePublicKey):
        return SignatureCheck(key_fingerprint, "its signature is not an ECDSA P-384 signature")
    half = COORDINATE_BYTES
    der = encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))
    try:
        public_key.verify(der, str(signed.get("hash", "")).encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return SignatureCheck(key_fingerprint, "its signature does not match its hash")
    trusted = {fingerprint(key) for key in trusted_keys}
    if trusted and key_fingerprint not in trusted:
        return SignatureCheck(
            key_fingerprint, f"it was signed with the key {key_fingerprint}, not the organisation's"
        )
    return SignatureCheck(key_fingerprint, "", trusted=bool(trusted))


def check_wacz(wacz_path, trusted_keys=()):
    """Check a WACZ's signature as "WACZ Signing and Verification" asks: every file against
    ``datapackage.json``, that file against ``datapackage-digest.json``, and the signature."""
    try:
        with zipfile.ZipFile(wacz_path) as bundle:
            package_bytes = bundle.read("datapackage.json")
            digest = json.loads(bundle.read("datapackage-digest.json"))
            package = json.loads(package_bytes)
            for resource in package.get("resources", []):
                algorithm, _, expected = resource["hash"].partition(":")
                found = hashlib.new(algorithm)
                with bundle.open(resource["path"]) as member:
                    while chunk := member.read(1 << 20):
                        found.update(chunk)
                if found.hexdigest() != expected:
                    return SignatureCheck("", f"{resource['path']} in it does not match datapackage.json")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        return SignatureCheck("", f"it cannot be read as a WACZ ({type(exc).__name__}: {exc})")
    if digest.get("hash") != "sha256:" + hashlib.sha256(package_bytes).hexdigest():
        return SignatureCheck("", "its datapackage.json does not match datapackage-digest.json")
    signed = digest.get("signedData")
    if signed is None:
        return SignatureCheck(
            "", "it is not signed (datapackage-digest.json has no signedData)", signed=False
        )
    if signed.get("hash") != digest.get("hash") or signed.get("created") != package.get("created"):
        return SignatureCheck("", "its signature is for another datapackage.json")
    return check_signed_data(signed, trusted_keys)


# The loopback services py-wacz talks to


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # http.server's name for it
        service = self.server.service
        try:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            status, answer = service(request, self.headers.get("Authorization", ""))
        except (ValueError, TypeError) as exc:
            status, answer = 400, {"error": f"bad request: {exc}"}
        body = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # Quiet: the export and the verifier print their own reports.
        pass


@contextlib.contextmanager
def _serve(service, path, port=0):
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.service = service
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{path}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def signing_service(private_key):
    """A signer for ``wacz create --signing-url URL --signing-token TOKEN``, yields (URL, TOKEN).

    It answers py-wacz's request ``{"hash", "created"}`` with the signedData, as authsign's /sign
    does, on 127.0.0.1 only and only to requests carrying the token."""
    token = secrets.token_hex(32)  # Hex: a token starting with "-" would read as an option to py-wacz.

    def service(request, authorization):
        if not secrets.compare_digest(authorization, f"bearer {token}"):
            return 403, {"error": "not allowed"}
        return 200, sign(private_key, str(request["hash"]), str(request["created"]))

    with _serve(service, "sign") as url:
        yield url, token


@contextlib.contextmanager
def verifier_service(trusted_keys, port=0):
    """A verifier for ``wacz validate --verify-auth --verifier-url URL``, yields URL: it answers 200
    when the signature holds and its key is one of ``trusted_keys``, 400 otherwise (py-wacz's own
    check, through authsign, knows only domain-certificate signatures, not anonymous ones)."""

    def service(request, _authorization):
        check = check_signed_data(request, trusted_keys)
        if check.ok:
            return 200, {"observer": check.fingerprint, "timestamp": request.get("created")}
        return 400, {"error": check.problem}

    if not trusted_keys:
        raise SigningError("A verifier needs the organisation's public key to check signatures against.")
    with _serve(service, "verify", port) as url:
        yield url
