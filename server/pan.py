"""PAN arithmetic shared by every Panless service: Luhn, and the shape of a card number in text."""

from __future__ import annotations

import re

# 13-19 digits, optionally grouped by single spaces or dashes, not glued to other digits.
PAN_SHAPED = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])")


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def find_pans(text: str) -> list[str]:
    """Luhn-valid 13-19 digit runs in text (spaced and dashed forms included), as bare digits."""
    found = []
    for match in PAN_SHAPED.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(0))
        if luhn_ok(digits) and set(digits) != {"0"}:
            found.append(digits)
    return found


def alias(pan: str) -> str:
    """Mangopay-style display alias: first 6, X padding, last 4 (PCI DSS 3.4.1 display maximum)."""
    return pan[:6] + "X" * (len(pan) - 10) + pan[-4:]
