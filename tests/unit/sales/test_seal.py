"""The company seal: a sealed contract verifies; any change to it, anything added after the
seal, no seal at all, or a seal from another CA does not."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from kilowatt.sales.domain.contract_document import render_contract, render_signed_contract
from kilowatt.sales.domain.seal import (
    SealError,
    SealIdentity,
    Verification,
    make_company_identity,
    seal,
    verify,
)
from tests.unit.sales.test_contract_document import home_terms, signature

FROM = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def company() -> tuple[SealIdentity, bytes]:
    return make_company_identity(organisation="Kilowatt Energy Ltd", not_before=FROM, days=36500)


@pytest.fixture(scope="module")
def contract() -> bytes:
    terms = home_terms()
    return render_signed_contract(terms, signature(render_contract(terms)))


@pytest.fixture(scope="module")
def sealed(company: tuple[SealIdentity, bytes], contract: bytes) -> bytes:
    identity, _ = company
    return seal(contract, identity=identity, reason="Contract S00000042 signed", location="UK")


def test_a_sealed_contract_verifies(company: tuple[SealIdentity, bytes], sealed: bytes) -> None:
    _, ca_pem = company
    result = verify(sealed, trust_roots_pem=(ca_pem,))
    assert result == Verification(
        intact=True,
        trusted=True,
        covers_whole_document=True,
        signer="Kilowatt Energy Ltd Contract Seal",
        signed_at=result.signed_at,
        problem="",
    )
    assert result.ok
    assert result.signed_at is not None and result.signed_at.tzinfo is not None
    assert b"/ETSI.CAdES.detached" in sealed  # PAdES, not the older adbe.pkcs7 kind


def _signed_range(pdf: bytes) -> tuple[int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match
    start, length, _, _ = (int(value) for value in match.groups())
    return start, start + length


def test_one_changed_byte_inside_the_signed_range_fails(
    company: tuple[SealIdentity, bytes], sealed: bytes
) -> None:
    _, ca_pem = company
    start, end = _signed_range(sealed)
    at = sealed.index(b"Energy supply contract S00000042")  # the document's title
    assert start <= at < end
    changed = bytearray(sealed)
    changed[at] = ord("e")
    result = verify(bytes(changed), trust_roots_pem=(ca_pem,))
    assert not result.ok
    assert not result.intact
    assert "changed after it was sealed" in result.problem


def test_an_incremental_update_after_the_seal_fails(
    company: tuple[SealIdentity, bytes], sealed: bytes
) -> None:
    _, ca_pem = company
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("fr-FR")
    writer.update_root()
    updated = io.BytesIO()
    writer.write(updated)
    result = verify(updated.getvalue(), trust_roots_pem=(ca_pem,))
    assert result.intact  # what was sealed is still there, unchanged ...
    assert not result.covers_whole_document  # ... but something came after it
    assert not result.ok
    assert "added to the PDF after it was sealed" in result.problem


def test_bytes_appended_after_the_seal_fail(
    company: tuple[SealIdentity, bytes], sealed: bytes
) -> None:
    _, ca_pem = company
    result = verify(sealed + b"\n% a note added later\n", trust_roots_pem=(ca_pem,))
    assert not result.covers_whole_document
    assert not result.ok


def test_an_unsigned_pdf_fails(company: tuple[SealIdentity, bytes], contract: bytes) -> None:
    _, ca_pem = company
    result = verify(contract, trust_roots_pem=(ca_pem,))
    assert not result.ok
    assert (result.intact, result.trusted, result.covers_whole_document) == (False, False, False)
    assert "not sealed" in result.problem


def test_what_is_not_a_pdf_fails(company: tuple[SealIdentity, bytes], sealed: bytes) -> None:
    _, ca_pem = company
    for junk in (b"", b"hello", sealed[: len(sealed) // 3]):
        result = verify(junk, trust_roots_pem=(ca_pem,))
        assert not result.ok
        assert result.problem


def test_a_seal_from_another_ca_is_not_trusted(
    company: tuple[SealIdentity, bytes], contract: bytes
) -> None:
    _, ca_pem = company
    stranger, stranger_ca = make_company_identity(
        organisation="Impostor Energy Ltd", not_before=FROM, days=36500
    )
    sealed = seal(contract, identity=stranger, reason="Signed", location="UK")
    result = verify(sealed, trust_roots_pem=(ca_pem,))
    assert result.intact and result.covers_whole_document
    assert not result.trusted
    assert not result.ok
    assert "not issued by a trusted certificate authority" in result.problem
    assert result.signer == "Impostor Energy Ltd Contract Seal"
    assert verify(sealed, trust_roots_pem=(stranger_ca,)).ok


def test_a_seal_checked_after_its_certificate_expired_is_not_trusted(
    company: tuple[SealIdentity, bytes], sealed: bytes
) -> None:
    _, ca_pem = company
    later = FROM + datetime.timedelta(days=36501)
    result = verify(sealed, trust_roots_pem=(ca_pem,), validation_time=later)
    assert result.intact and not result.trusted
    assert "expired" in result.problem


def test_an_identity_that_does_not_load_is_refused(
    company: tuple[SealIdentity, bytes], contract: bytes
) -> None:
    identity, _ = company
    with pytest.raises(SealError):
        seal(
            contract,
            identity=SealIdentity(key_pem=b"not a key", cert_pem=identity.cert_pem),
            reason="x",
            location="y",
        )


def test_an_identity_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_company_identity(
            organisation="Kilowatt",
            not_before=datetime.datetime(2026, 1, 1),  # noqa: DTZ001
            days=1,
        )
