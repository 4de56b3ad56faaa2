"""PAN arithmetic shared by every Panless service: Luhn, and the shape of a card number in text."""

from __future__ import annotations

import re

# 13-19 digits in a row, or grouped the way card numbers are written (4-4-4-4[-3], Amex 4-6-5) with one
# kind of separator: a space, a dash, a dot, or a space as URLs encode it ("+", "%20"); never glued to
# letters or digits: digits inside an identifier ("ses_d4138...", a UUID's groups) are not a card number, and
# arbitrary dashed numbers (ETags, dates) are not card-shaped. Callers scan URL- and JSON-decoded text too,
# so "%3D4970..." is seen as "=4970...".
SEPARATOR = r"([ .+-]|%20)"
PAN_SHAPED = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9]{13,19}"
    rf"|[0-9]{{4}}{SEPARATOR}[0-9]{{4}}\1[0-9]{{4}}\1[0-9]{{1,4}}(?:\1[0-9]{{1,3}})?"
    rf"|[0-9]{{4}}{SEPARATOR}[0-9]{{6}}\2[0-9]{{4,5}})(?![0-9A-Za-z])"
)


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
        digits = re.sub(r"%20|[ .+-]", "", match.group(0))
        if luhn_ok(digits) and set(digits) != {"0"}:
            found.append(digits)
    return found


def alias(pan: str) -> str:
    """Mangopay-style display alias: first 6, X padding, last 4 (PCI DSS 3.4.1 display maximum)."""
    return pan[:6] + "X" * (len(pan) - 10) + pan[-4:]
