"""The company's seal on a signed contract: a PAdES signature (baseline B-B) over the whole
PDF made with the company's signing certificate, and the check that a PDF handed back to
us is the one we sealed.

PAdES B-B is the profile without a timestamp authority (the network is closed here): the
signing time is the one the signer reports, in the signature dictionary's ``/M``. A later
profile (B-T, B-LT) would add an RFC 3161 timestamp and revocation data to the same field.

A contract is sealed once and never added to, so a sealed PDF verifies only when its one
signature is intact (the bytes hash to what was signed), its certificate chains to one of
the trust roots given, and it covers the whole file: an incremental update appended after
the seal (which PDF readers may show as a valid signature "with later changes") fails.

Pure over bytes: keys and certificates arrive as PEM, documents as bytes. Signing reads
the machine's clock inside pyHanko (the signing time); verification does too unless a
``validation_time`` is given.
"""

from __future__ import annotations

import dataclasses
import datetime
import io

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

SEAL_FIELD = "KilowattSeal"
_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning, RFC 9336


@dataclasses.dataclass(frozen=True)
class SealIdentity:
    """The company's signing key and certificate (PEM), with the certificates between it
    and its root (embedded in every seal so a reader can build the chain)."""

    key_pem: bytes
    cert_pem: bytes
    chain_pem: tuple[bytes, ...] = ()


@dataclasses.dataclass(frozen=True)
class Verification:
    """What a sealed PDF's check found: ``ok`` only when all three hold."""

    intact: bool  # the signed bytes are unchanged and the signature over them is valid
    trusted: bool  # the signing certificate chains to a trust root given
    covers_whole_document: bool  # nothing was added after the seal
    signer: str  # the signing certificate's subject ("" when there is none)
    signed_at: datetime.datetime | None  # the signing time the signature reports
    problem: str  # "" when ok; otherwise what is wrong, in plain words

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.covers_whole_document


class SealError(ValueError):
    """The seal identity cannot be used (a key or certificate that does not load)."""


def _asn1_certificates(pem: bytes) -> list[asn1_x509.Certificate]:
    try:
        loaded = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise SealError(f"not a PEM certificate: {exc}") from exc
    return [
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in loaded
    ]


def _signer(identity: SealIdentity) -> signers.SimpleSigner:
    try:
        key = serialization.load_pem_private_key(identity.key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SealError(f"the seal's private key does not load: {exc}") from exc
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificates = _asn1_certificates(identity.cert_pem)
    if len(certificates) != 1:
        raise SealError("the seal certificate file must hold exactly one certificate")
    registry = SimpleCertificateStore()
    for pem in identity.chain_pem:
        registry.register_multiple(_asn1_certificates(pem))
    return signers.SimpleSigner(
        signing_cert=certificates[0], signing_key=key_info, cert_registry=registry
    )


def seal(pdf: bytes, *, identity: SealIdentity, reason: str, location: str) -> bytes:
    """Return ``pdf`` with the company's PAdES B-B signature over the whole file added as an
    incremental update (an invisible signature field). Raises ``SealError`` when the
    identity does not load, and pyHanko's errors when ``pdf`` is not a readable PDF."""
    signer = _signer(identity)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    output = signers.PdfSigner(metadata, signer=signer).sign_pdf(writer)
    return bytes(output.getvalue())


def _failed(problem: str, **found: object) -> Verification:
    values: dict[str, object] = {
        "intact": False,
        "trusted": False,
        "covers_whole_document": False,
        "signer": "",
        "signed_at": None,
    }
    values.update(found)
    return Verification(problem=problem, **values)  # type: ignore[arg-type]


def verify(
    pdf: bytes,
    *,
    trust_roots_pem: tuple[bytes, ...],
    validation_time: datetime.datetime | None = None,
) -> Verification:
    """Check a sealed PDF: its one signature intact, trusted (chained to one of
    ``trust_roots_pem``, valid at ``validation_time``, now by default) and covering the
    whole file. Never raises for a bad document: it answers not ok with a ``problem``."""
    roots = [cert for pem in trust_roots_pem for cert in _asn1_certificates(pem)]
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises many kinds for a broken file
        return _failed(f"the file is not a readable PDF ({type(exc).__name__}: {exc})")
    if not signatures:
        return _failed("the PDF is not sealed: it carries no signature")
    embedded = signatures[0]
    try:
        signer = _signer_name(embedded.signer_cert)
        signed_at = embedded.self_reported_timestamp
    except Exception as exc:
        return _failed(f"the PDF's signature cannot be read ({type(exc).__name__}: {exc})")
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=validation_time)
    try:
        status = validate_pdf_signature(embedded, context, skip_diff=True)
    except Exception as exc:
        return _failed(
            f"the PDF's signature cannot be checked ({type(exc).__name__}: {exc})",
            signer=signer,
            signed_at=signed_at,
        )
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    whole = len(signatures) == 1 and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not intact:
        problem = "the PDF was changed after it was sealed: its content no longer matches the seal"
    elif not whole:
        problem = (
            "something was added to the PDF after it was sealed: the seal does not cover "
            "the whole file"
        )
    elif not trusted:
        problem = _untrusted(status.trust_problem_indic)
    else:
        problem = ""
    return Verification(
        intact=intact,
        trusted=trusted,
        covers_whole_document=whole,
        signer=signer,
        signed_at=signed_at,
        problem=problem,
    )


def _untrusted(indication: object) -> str:
    name = getattr(indication, "name", "")
    if name in {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}:
        return "the seal's certificate had expired (or was not yet valid) at the time of the check"
    if name == "NOT_YET_VALID":
        return "the seal's certificate was not yet valid at the time of the check"
    if name.startswith("REVOKED"):
        return "the seal's certificate has been revoked"
    if name == "NO_CERTIFICATE_CHAIN_FOUND":
        return "the seal's certificate is not issued by a trusted certificate authority"
    detail = f" ({name})" if name else ""
    return f"the seal's certificate is not trusted{detail}"


def _signer_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    name = subject.get("common_name") if isinstance(subject, dict) else None
    return str(name) if name else str(certificate.subject.human_friendly)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def make_company_identity(
    *, organisation: str, not_before: datetime.datetime, days: int
) -> tuple[SealIdentity, bytes]:
    """Return a new seal identity issued by a new self-signed company CA, both valid for
    ``days`` from ``not_before`` (timezone-aware), with the CA certificate's PEM (the trust
    root to verify with). For development, tests and the demo: production's certificate
    comes from a certificate authority. Keys are ECDSA P-256; the seal certificate allows
    digital signature and non-repudiation, and document signing as its extended usage."""
    if not_before.tzinfo is None:
        raise ValueError("not_before must be timezone-aware")
    not_after = not_before + datetime.timedelta(days=days)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Document Signing CA"),
        ]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Contract Seal"),
        ]
    )
    seal_cert = (
        x509.CertificateBuilder()
        .subject_name(seal_name)
        .issuer_name(ca_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([_DOCUMENT_SIGNING]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = _pem(ca_cert)
    identity = SealIdentity(
        key_pem=seal_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert_pem=_pem(seal_cert),
        chain_pem=(ca_pem,),
    )
    return identity, ca_pem
