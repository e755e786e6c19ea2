"""The demo's sales pipeline as data: who signed whom up, how long ago, and how far each
sign-up got. Pure: no Django."""

from __future__ import annotations

import re

# The sales manager's commission per signed supply, by product (a tariff's name).
COMMISSION = {
    "Kilowatt Flexible Electricity": 2_500,
    "Kilowatt Flexible Gas": 2_000,
    "Kilowatt Fixed 12M Electricity": 4_000,
    "Kilowatt Fixed 12M Gas": 3_500,
}

PEOPLE = (
    ("Grace", "Hopper"),
    ("Alan", "Turing"),
    ("Mary", "Somerville"),
    ("Tim", "Berners-Lee"),
    ("Rosalind", "Franklin"),
    ("Michael", "Faraday"),
    ("Dorothy", "Hodgkin"),
    ("James", "Maxwell"),
)

_DUAL = ("ELECTRICITY", "GAS")
_POWER = ("ELECTRICITY",)
# (who took it, channel, days ago, fuels, how far it got): "awaiting" a signature,
# "signed" (switching), "live" (supplied), "warning" (a gas check-digit warning).
PIPELINE = (
    ("agent", "AGENT", 12, _DUAL, "live"),
    ("agent", "AGENT", 9, _POWER, "live"),
    ("agent", "AGENT", 6, _DUAL, "signed"),
    ("agent", "AGENT", 4, _DUAL, "awaiting"),
    ("agent", "AGENT", 3, _POWER, "awaiting"),
    ("agent", "AGENT", 1, _DUAL, "warning"),
    ("agent", "AGENT", 0, _POWER, "awaiting"),
    ("telesales", "TELESALES", 8, _DUAL, "awaiting"),
    ("telesales", "TELESALES", 5, _POWER, "live"),
    ("telesales", "TELESALES", 2, _DUAL, "awaiting"),
    ("telesales", "TELESALES", 0, _POWER, "awaiting"),
    ("web", "WEB", 3, _DUAL, "signed"),
)


def code_in(subject: str) -> str:
    """Return the six-digit code in a signing-code email's subject."""
    found = re.search(r"\b(\d{6})\b", subject)
    if found is None:
        raise ValueError(f"no code in {subject!r}")
    return found.group(1)
