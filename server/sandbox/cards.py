"""Card facts the sandbox needs: brand by BIN, expiry checks, and the magic test cards.

Kept apart from the merchant-side adapters on purpose: the sandbox must not share the adapters'
constants, or a typo shared by both would pass every test.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..core.pan import alias, ascii_digits, luhn_ok  # noqa: F401  (alias re-exported for the emulators)

# (brand, prefix ranges as (low, high) over the first len(low) digits, lengths); the first match wins, so
# narrower ranges inside another brand's (RuPay's in Maestro's, Discover's and JCB's) come first.
BRANDS = [
    # Juspay's own card form (juspay/hyperswitch-web CardPattern.res): NPCI's ranges and single BINs.
    ("RUPAY", [("508227", "508227"), ("508500", "508999"), ("603741", "603741"), ("606985", "607984"),
               ("608001", "608500"), ("652150", "653149"), ("817290", "817290"), ("817368", "817368"),
               ("817378", "817378"), ("353800", "353800")], (16,)),
    ("AMEX", [("34", "34"), ("37", "37")], (15,)),
    ("BCMC", [("6703", "6703"), ("479658", "479658"), ("606005", "606005")], (16, 17, 18, 19)),
    ("MAESTRO", [("50", "50"), ("56", "58"), ("6304", "6304"), ("6759", "6759"), ("676", "676")],
     tuple(range(12, 20))),
    ("MASTERCARD", [("51", "55"), ("2221", "2720")], (16,)),
    ("DISCOVER", [("6011", "6011"), ("644", "649"), ("65", "65")], (16, 19)),
    ("JCB", [("3528", "3589")], (16, 17, 18, 19)),
    ("DINERS", [("300", "305"), ("36", "36"), ("38", "39")], (14, 16, 19)),
    ("UNIONPAY", [("62", "62"), ("8100", "8171")], (14, 15, 16, 17, 18, 19)),
    ("VISA", [("4", "4")], (13, 16, 19)),
]

# Mangopay's Maestro/Bancontact test card is a 5033 number that Mangopay accepts as both.
DUAL_MAESTRO_BCMC = {"5033951000000004"}

# BIN -> ISO 3166 alpha-3 for the published test cards; other cards report FRA like Mangopay's sandbox.
COUNTRY_BY_BIN = {"497010": "FRA", "470675": "FRA", "503395": "BEL", "375989": "USA", "375987": "USA"}

# Cards that tokenize fine but are refused when the registration is finished (documented in README).
REFUSED_AT_VALIDATION = {"4970101122334406"}


def brand_of(pan: str) -> str | None:
    for brand, ranges, lengths in BRANDS:
        for low, high in ranges:
            head = pan[: len(low)]
            if len(pan) in lengths and low <= head <= high:
                return brand
    return None


def pan_ok(pan: str) -> bool:
    return 12 <= len(pan) <= 19 and ascii_digits(pan) and luhn_ok(pan)


def country_of(pan: str) -> str:
    return COUNTRY_BY_BIN.get(pan[:6], "FRA")


def expiry_mmyy_ok(mmyy: str, now: float) -> bool:
    """MMYY, month 1-12, and the card still valid in the current month."""
    if not re.fullmatch(r"[0-9]{4}", mmyy or ""):
        return False
    month, year = int(mmyy[:2]), 2000 + int(mmyy[2:])
    if not 1 <= month <= 12:
        return False
    today = datetime.fromtimestamp(now, UTC)
    return (year, month) >= (today.year, today.month)
