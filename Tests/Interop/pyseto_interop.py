#!/usr/bin/env python3
"""Cross-checks Vupt licenses with pyseto, a PASETO/PASERK library for Python.

Run by Tests/EndToEndTests/PysetoInteropTests.swift; usable by hand as well:

  pyseto_interop.py check
      Exit 0 when pyseto imports, 3 when it does not.
  pyseto_interop.py verify LICENSE PUBLIC_KEY
      Verify a license written by vupt-issuer with the k4.public key in PUBLIC_KEY and
      print {"payload": ..., "footer": ..., "keyId": ...} as JSON.
  pyseto_interop.py sign OUT_DIR
      Generate an Ed25519 key pair, write OUT_DIR/pyseto.pub (k4.public), sign a license
      into OUT_DIR/pyseto.lic, and the same claims without the implicit assertion into
      OUT_DIR/no-assertion.lic. Print {"keyId": ..., "serial": ...} as JSON.
  pyseto_interop.py unwrap SECRET_KEY PUBLIC_KEY
      Unwrap the k4.secret-pw file SECRET_KEY with the passphrase in the environment
      variable VUPT_ISSUER_PASSPHRASE, sign a token with it, and verify that token with
      PUBLIC_KEY.

Exit codes: 0 success, 1 a check failed (reason on stderr), 3 pyseto is not importable,
64 usage error.
"""

import json
import os
import sys

try:
    import pyseto
    from pyseto import Key
except ImportError:
    pyseto = None

IMPLICIT_ASSERTION = b"vupt:license:v1"
BEGIN = "-----BEGIN VUPT LICENSE-----"
END = "-----END VUPT LICENSE-----"


class CheckFailed(Exception):
    pass


def read_token(path):
    """Return the token between the BEGIN and END lines, white space removed."""
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle.read().splitlines()]
    try:
        start = lines.index(BEGIN)
        end = lines.index(END, start)
    except ValueError as error:
        raise CheckFailed(f"{path}: no armored license block") from error
    return "".join(lines[start + 1:end])


def read_paserk(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().strip()


def verify(license_path, public_key_path):
    public_key = Key.from_paserk(read_paserk(public_key_path))
    token = read_token(license_path)

    # No deserializer: pyseto would otherwise check exp and nbf against the current time.
    decoded = pyseto.decode(public_key, token, implicit_assertion=IMPLICIT_ASSERTION)
    payload = json.loads(decoded.payload)
    footer = json.loads(decoded.footer)

    expected_footer = {"kid": public_key.to_paserk_id(), "typ": "vupt:license:v1"}
    if footer != expected_footer:
        raise CheckFailed(f"footer {footer!r} is not {expected_footer!r}")

    # The domain tag is part of the signed message, so any other assertion must fail.
    for assertion in (b"", b"vupt:revocation-list:v1"):
        try:
            pyseto.decode(public_key, token, implicit_assertion=assertion)
        except pyseto.VerifyError:
            continue
        raise CheckFailed(f"the token verified with implicit assertion {assertion!r}")

    print(json.dumps({"payload": payload, "footer": footer, "keyId": public_key.to_paserk_id()}))


def armor(token):
    lines = [BEGIN]
    lines += [token[i:i + 64] for i in range(0, len(token), 64)]
    lines.append(END)
    return "\n".join(lines) + "\n"


def sign(out_dir):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    secret_key = Key.new(4, "public", private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public_key = Key.new(4, "public", private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))

    # The claims of a license minted by vupt-issuer, in the same member order.
    claims = {
        "iss": "vupt",
        "sub": "pyseto-001",
        "jti": "VUPT-00000042",
        "iat": "2026-01-01T00:00:00Z",
        "nbf": "2026-01-01T00:00:00Z",
        "exp": "2027-01-01T00:00:00Z",
        "customerName": "Pyseto Interop Ltd",
        "tier": "enterprise",
        "features": ["desktop-app", "kanban"],
        "seats": 7,
        "graceDays": 30,
        "subscription": "SUB-00000042",
        "sequence": 1,
        "ledgerIndex": 42,
        "telemetry": False,
    }
    payload = json.dumps(claims, separators=(",", ":")).encode()
    footer = json.dumps(
        {"kid": public_key.to_paserk_id(), "typ": "vupt:license:v1"}, separators=(",", ":")).encode()

    signed = pyseto.encode(secret_key, payload, footer=footer, implicit_assertion=IMPLICIT_ASSERTION)
    unbound = pyseto.encode(secret_key, payload, footer=footer)

    with open(os.path.join(out_dir, "pyseto.pub"), "w", encoding="utf-8") as handle:
        handle.write(public_key.to_paserk() + "\n")
    with open(os.path.join(out_dir, "pyseto.lic"), "w", encoding="utf-8") as handle:
        handle.write(armor(signed.decode()))
    with open(os.path.join(out_dir, "no-assertion.lic"), "w", encoding="utf-8") as handle:
        handle.write(armor(unbound.decode()))
    print(json.dumps({"keyId": public_key.to_paserk_id(), "serial": claims["jti"]}))


def unwrap(secret_key_path, public_key_path):
    passphrase = os.environ.get("VUPT_ISSUER_PASSPHRASE")
    if not passphrase:
        raise CheckFailed("set VUPT_ISSUER_PASSPHRASE to the key's passphrase")
    secret_key = Key.from_paserk(read_paserk(secret_key_path), password=passphrase.encode())
    public_key = Key.from_paserk(read_paserk(public_key_path))

    message = b'{"check":"unwrap"}'
    token = pyseto.encode(secret_key, message, implicit_assertion=IMPLICIT_ASSERTION)
    decoded = pyseto.decode(public_key, token, implicit_assertion=IMPLICIT_ASSERTION)
    if decoded.payload != message:
        raise CheckFailed("the unwrapped key's signature did not round-trip")
    print(json.dumps({"secretKeyId": secret_key.to_paserk_id(), "keyId": public_key.to_paserk_id()}))


def main(arguments):
    if pyseto is None:
        print("pyseto is not importable; install it with 'pip install pyseto'", file=sys.stderr)
        return 3
    commands = {"check": (0, lambda: None), "verify": (2, verify), "sign": (1, sign), "unwrap": (2, unwrap)}
    if not arguments or arguments[0] not in commands or len(arguments) - 1 != commands[arguments[0]][0]:
        print(__doc__, file=sys.stderr)
        return 64
    try:
        commands[arguments[0]][1](*arguments[1:])
    except (CheckFailed, ValueError, OSError, pyseto.VerifyError, pyseto.DecryptError) as error:
        print(f"pyseto_interop.py {arguments[0]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
