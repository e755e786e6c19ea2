"""The company's contract seal: its signing key and certificate, and the certificate
authority a sealed contract is checked against.

In production the three PEM files are named by the settings ``CONTRACT_SEAL_KEY_FILE``,
``CONTRACT_SEAL_CERT_FILE`` and ``CONTRACT_SEAL_CA_FILE`` (the CA file is embedded in each
seal to complete the chain, and is the trust root ``trust_roots`` answers). Left unset
(development, tests, the demo) a development identity, with its own self-signed CA, is made
once in ``CONTRACT_SEAL_DIR`` and reused by every process after: it is written into a
private temporary directory that is then renamed into place, so two processes that race
both end up with the winner's complete set of files.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from kilowatt.sales.domain.seal import SealIdentity, make_company_identity

KEY_FILE = "seal-key.pem"
CERT_FILE = "seal-cert.pem"
CA_FILE = "ca-cert.pem"
DEVELOPMENT_ORGANISATION = "Kilowatt Energy Ltd (development)"
# A fixed validity for the development identity, so making it reads no clock: it is good
# from 2020 to 2060 wherever and whenever it is made.
_DEVELOPMENT_FROM = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
_DEVELOPMENT_DAYS = 40 * 365


def company_seal() -> SealIdentity:
    """Return the company's seal identity: from the configured PEM files, or else the
    development identity in ``CONTRACT_SEAL_DIR`` (made on first use). Raises ``OSError``
    when a configured file cannot be read."""
    identity, _ = _configured()
    return identity


def trust_roots() -> tuple[bytes, ...]:
    """Return the PEM certificates a sealed contract must chain to (the company CA).
    Raises ``OSError`` when a configured file cannot be read."""
    _, ca_pem = _configured()
    return (ca_pem,)


def write_seal_identity(directory: Path, identity: SealIdentity, ca_pem: bytes) -> None:
    """Write a seal identity's key (readable by its owner only), certificate and CA
    certificate as PEM files into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / KEY_FILE
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(identity.key_pem)
    (directory / CERT_FILE).write_bytes(identity.cert_pem)
    (directory / CA_FILE).write_bytes(ca_pem)


def _configured() -> tuple[SealIdentity, bytes]:
    key_file = getattr(settings, "CONTRACT_SEAL_KEY_FILE", "")
    cert_file = getattr(settings, "CONTRACT_SEAL_CERT_FILE", "")
    ca_file = getattr(settings, "CONTRACT_SEAL_CA_FILE", "")
    if key_file or cert_file or ca_file:
        if not (key_file and cert_file and ca_file):
            raise OSError(
                "CONTRACT_SEAL_KEY_FILE, CONTRACT_SEAL_CERT_FILE and CONTRACT_SEAL_CA_FILE "
                "are set together or not at all"
            )
        return _from_files(str(key_file), str(cert_file), str(ca_file))
    directory = getattr(settings, "CONTRACT_SEAL_DIR", "") or Path.cwd() / "var" / "contract-seal"
    return _development(str(Path(directory).resolve()))


@functools.lru_cache(maxsize=8)
def _from_files(key_file: str, cert_file: str, ca_file: str) -> tuple[SealIdentity, bytes]:
    ca_pem = Path(ca_file).read_bytes()
    identity = SealIdentity(
        key_pem=Path(key_file).read_bytes(),
        cert_pem=Path(cert_file).read_bytes(),
        chain_pem=(ca_pem,),
    )
    return identity, ca_pem


@functools.lru_cache(maxsize=8)
def _development(directory: str) -> tuple[SealIdentity, bytes]:
    target = Path(directory)
    if not (target / CA_FILE).exists():
        _make_development(target)
    return _from_files(str(target / KEY_FILE), str(target / CERT_FILE), str(target / CA_FILE))


def _make_development(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    identity, ca_pem = make_company_identity(
        organisation=DEVELOPMENT_ORGANISATION,
        not_before=_DEVELOPMENT_FROM,
        days=_DEVELOPMENT_DAYS,
    )
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        write_seal_identity(staging, identity, ca_pem)
        with contextlib.suppress(FileNotFoundError):
            # An empty directory left in the way (made by hand): renaming replaces it.
            if target.is_dir() and not any(target.iterdir()):
                target.rmdir()
        try:
            staging.rename(target)  # atomic; fails when another process got there first
        except OSError:
            if not (target / CA_FILE).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
