"""Contracts over HTTP: a contract's state and its document.

``GET /contracts/{id}/document`` answers the signed PDF, sealed with the company's
certificate (PAdES); before signing, ``?version=issued`` answers the PDF as issued for
signing. Seen by whoever may see the order (``sales.queries.order_for``'s gate); 404
alike for missing and not yours.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from kilowatt.identity import queries as identity_queries
from kilowatt.platform.api import READ
from kilowatt.platform.errors import InvalidInput
from kilowatt.sales import queries

router = Router(tags=["sales"])

_PDF = {
    "responses": {
        "200": {
            "description": "The contract, a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class ContractOut(Schema):
    id: int
    order_reference: str
    status: str
    issued_at: datetime.datetime
    document_sha256: str
    signer_name: str
    signed_at: datetime.datetime | None
    signed_sha256: str
    cooling_off_ends: datetime.date | None


@router.get(
    "/contracts/{contract_id}", response={200: ContractOut, **READ}, summary="Read a contract"
)
def read_contract(request: HttpRequest, contract_id: int) -> Any:
    """Read a contract: its state, who signs it, when it was signed and the hashes."""
    contract = queries.contract_for(
        identity_queries.principal_for(request.auth),  # type: ignore[attr-defined]
        contract_id=contract_id,
    )
    return {
        "id": contract.id,
        "order_reference": contract.order.reference,
        "status": contract.status,
        "issued_at": contract.issued_at,
        "document_sha256": contract.document_sha256,
        "signer_name": contract.signer_name,
        "signed_at": contract.signed_at,
        "signed_sha256": contract.signed_sha256,
        "cooling_off_ends": contract.cooling_off_ends,
    }


@router.get(
    "/contracts/{contract_id}/document",
    response={200: None, **READ},
    summary="Download a contract's PDF",
    openapi_extra=_PDF,
)
def contract_document(
    request: HttpRequest, contract_id: int, version: Literal["signed", "issued"] = "signed"
) -> HttpResponse:
    """Download the signed, sealed contract (or, with `version=issued`, the PDF the
    signer was shown). A contract not yet signed has no signed version (422)."""
    contract = queries.contract_for(
        identity_queries.principal_for(request.auth),  # type: ignore[attr-defined]
        contract_id=contract_id,
    )
    if version == "issued":
        pdf, name = bytes(contract.document), f"contract-{contract.order.reference}.pdf"
    elif contract.signed_document is None:
        raise InvalidInput.one(
            field="version", rule="not_signed", message="this contract is not signed yet"
        )
    else:
        pdf = bytes(contract.signed_document)
        name = f"contract-{contract.order.reference}-signed.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
