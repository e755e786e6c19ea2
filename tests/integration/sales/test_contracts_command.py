"""``kilowatt contracts``: verify a signed contract's seal (exit 0 or 1), write a development
seal certificate; and the company seal the operations load (made once, reused, raced)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kilowatt.sales import operations
from kilowatt.sales.domain.contract_document import render_contract, render_signed_contract
from kilowatt.sales.domain.seal import seal, verify
from kilowatt.sales.operations import _seal
from tests.unit.sales.test_contract_document import home_terms, signature

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def seal_dir(settings, tmp_path: Path) -> Path:
    settings.CONTRACT_SEAL_KEY_FILE = ""
    settings.CONTRACT_SEAL_CERT_FILE = ""
    settings.CONTRACT_SEAL_CA_FILE = ""
    settings.CONTRACT_SEAL_DIR = tmp_path / "var" / "contract-seal"
    return settings.CONTRACT_SEAL_DIR


def sealed_contract() -> bytes:
    terms = home_terms()
    pdf = render_signed_contract(terms, signature(render_contract(terms)))
    return seal(pdf, identity=operations.company_seal(), reason="Signed", location="UK")


def run(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("contracts", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_verify_reports_a_sealed_contract_ok(seal_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(sealed_contract())
    out, error = run("verify", str(path))
    assert error is None
    assert "signer: Kilowatt Energy Ltd (development) Contract Seal" in out
    assert "intact: yes" in out
    assert "trusted: yes" in out
    assert "covers whole document: yes" in out
    assert "OK: the seal holds" in out


def test_verify_refuses_a_changed_contract_with_exit_status_1(
    seal_dir: Path, tmp_path: Path
) -> None:
    sealed = sealed_contract()
    at = sealed.index(b"Energy supply contract S00000042")
    path = tmp_path / "changed.pdf"
    path.write_bytes(sealed[:at] + b"e" + sealed[at + 1 :])
    out, error = run("verify", str(path))
    assert error is not None and error.returncode == 1
    assert "intact: NO" in out
    assert "changed after it was sealed" in str(error)


def test_verify_refuses_an_unsigned_or_missing_file(seal_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(render_contract(home_terms()))
    _, error = run("verify", str(path))
    assert error is not None and error.returncode == 1
    assert "not sealed" in str(error)
    _, error = run("verify", str(tmp_path / "nowhere.pdf"))
    assert error is not None and "cannot read" in str(error)


def test_the_development_seal_is_made_once_and_reused(seal_dir: Path) -> None:
    identity = operations.company_seal()
    assert (seal_dir / _seal.KEY_FILE).exists()
    assert stat.S_IMODE((seal_dir / _seal.KEY_FILE).stat().st_mode) == 0o600
    _seal._development.cache_clear()
    _seal._from_files.cache_clear()
    assert operations.company_seal() == identity
    assert operations.trust_roots() == ((seal_dir / _seal.CA_FILE).read_bytes(),)


def _make(directory: str) -> bytes:
    return _seal._development(directory)[1]


def test_processes_racing_to_make_the_development_seal_share_one(tmp_path: Path) -> None:
    directory = str(tmp_path / "contract-seal")
    with ProcessPoolExecutor(max_workers=4) as pool:
        roots = set(pool.map(_make, [directory] * 8))
    assert len(roots) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["contract-seal"]  # no staging left
    assert roots == {(tmp_path / "contract-seal" / _seal.CA_FILE).read_bytes()}


def test_seal_certificate_writes_an_identity_the_settings_can_name(
    settings, tmp_path: Path
) -> None:
    out_dir = tmp_path / "seal"
    out, error = run("seal-certificate", "--out", str(out_dir), "--organisation", "Kilowatt Test")
    assert error is None
    assert f"CONTRACT_SEAL_KEY_FILE={out_dir / _seal.KEY_FILE}" in out
    _, error = run("seal-certificate", "--out", str(out_dir))
    assert error is not None and "already holds" in str(error)

    settings.CONTRACT_SEAL_KEY_FILE = str(out_dir / _seal.KEY_FILE)
    settings.CONTRACT_SEAL_CERT_FILE = str(out_dir / _seal.CERT_FILE)
    settings.CONTRACT_SEAL_CA_FILE = str(out_dir / _seal.CA_FILE)
    sealed = sealed_contract()
    result = verify(sealed, trust_roots_pem=operations.trust_roots())
    assert result.ok
    assert result.signer == "Kilowatt Test Contract Seal"


def test_the_kilowatt_command_exits_0_or_1(tmp_path: Path) -> None:
    seal_dir = tmp_path / "seal"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "CONTRACT_SEAL_DIR": str(seal_dir),
        "DJANGO_SETTINGS_MODULE": "kilowatt.config.settings",
    }
    for name in ("CONTRACT_SEAL_KEY_FILE", "CONTRACT_SEAL_CERT_FILE", "CONTRACT_SEAL_CA_FILE"):
        env.pop(name, None)
    identity, _ = _seal._development(str(seal_dir))
    terms = home_terms()
    pdf = render_signed_contract(terms, signature(render_contract(terms)))
    good = tmp_path / "good.pdf"
    good.write_bytes(seal(pdf, identity=identity, reason="Signed", location="UK"))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good.read_bytes() + b"%%EOF\n")
    command = [sys.executable, "-m", "kilowatt.config.cli", "contracts", "verify"]
    ok = subprocess.run([*command, str(good)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "OK: the seal holds" in ok.stdout
    refused = subprocess.run([*command, str(bad)], env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "covers whole document: NO" in refused.stdout
    assert "NOT OK" in refused.stderr
