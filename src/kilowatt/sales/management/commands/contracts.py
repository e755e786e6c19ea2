"""``kilowatt contracts verify FILE.pdf``: check a signed contract's seal (intact, made with
a certificate of the company's CA, covering the whole file); exit status 0 when it holds,
1 when not. ``kilowatt contracts seal-certificate --out DIR``: write a new development
seal key, certificate and CA certificate (for ``CONTRACT_SEAL_*_FILE`` or a demo)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.platform import clock
from kilowatt.sales import operations
from kilowatt.sales.domain import seal
from kilowatt.sales.operations._seal import CA_FILE, CERT_FILE, KEY_FILE


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


class Command(BaseCommand):
    help = "Verify a signed contract's seal, or make a development seal certificate."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="check a signed contract PDF's seal")
        verify.add_argument("file", type=Path, help="the signed contract (PDF)")
        make = actions.add_parser(
            "seal-certificate", help="write a new development seal key, certificate and CA"
        )
        make.add_argument("--out", type=Path, required=True, help="directory to write to")
        make.add_argument(
            "--organisation", default="Kilowatt Energy Ltd (development)", help="the O= name"
        )
        make.add_argument("--days", type=int, default=3 * 365, help="validity in days")
        make.add_argument("--force", action="store_true", help="overwrite existing files")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self._verify(options["file"])
        else:
            self._make(options["out"], options["organisation"], options["days"], options["force"])

    def _verify(self, path: Path) -> None:
        try:
            pdf = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        # pyHanko logs each failed check with a traceback; the answer below says it plainly.
        logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
        logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
        result = seal.verify(pdf, trust_roots_pem=operations.trust_roots())
        signed_at = result.signed_at.isoformat() if result.signed_at else "-"
        self.stdout.write(f"file: {path}")
        self.stdout.write(f"signer: {result.signer or '-'}")
        self.stdout.write(f"signed at: {signed_at}")
        self.stdout.write(f"intact: {_yes(result.intact)}")
        self.stdout.write(f"trusted: {_yes(result.trusted)}")
        self.stdout.write(f"covers whole document: {_yes(result.covers_whole_document)}")
        if not result.ok:
            raise CommandError(f"NOT OK: {result.problem}", returncode=1)
        self.stdout.write("OK: the seal holds")

    def _make(self, out: Path, organisation: str, days: int, force: bool) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1")
        existing = [name for name in (KEY_FILE, CERT_FILE, CA_FILE) if (out / name).exists()]
        if existing and not force:
            raise CommandError(f"{out} already holds {', '.join(existing)} (--force to replace)")
        identity, ca_pem = seal.make_company_identity(
            organisation=organisation, not_before=clock.now(), days=days
        )
        operations.write_seal_identity(out, identity, ca_pem)
        for name, setting in (
            (KEY_FILE, "CONTRACT_SEAL_KEY_FILE"),
            (CERT_FILE, "CONTRACT_SEAL_CERT_FILE"),
            (CA_FILE, "CONTRACT_SEAL_CA_FILE"),
        ):
            self.stdout.write(f"{setting}={(out / name).resolve()}")
