"""PAN arithmetic shared by every Panless service: Luhn, and the shape of a card number in text."""

from __future__ import annotations

import re

# 13-19 digits in a row, or grouped the way card numbers are written (4-4-4-4[-3], Amex 4-6-5) with one
# kind of separator: a space, a tab, a dash, a dot, an underscore, a slash, or a space as URLs encode it ("+",
# "%20"). Callers scan URL- and JSON-decoded text too, so "%3D4970..." is seen as "=4970...". Irregular
# groupings ("4970 101122334422") are not card-shaped to this check.
SEPARATOR = r"([ \t.+_/-]|%20)"
GROUPS = re.compile(r"%20|[ \t.+_/-]")


def _shaped(edge: str) -> re.Pattern:
    # A percent-escape ending in a digit ("%20", "%40") is no digit of the number after it. The lookahead first:
    # most places in a text are not a digit, and fail there at once.
    return re.compile(
        rf"(?=[0-9])(?:(?<!{edge})|(?<=%[0-9A-Fa-f]{{2}}))(?:[0-9]{{13,19}}"
        rf"|[0-9]{{4}}{SEPARATOR}[0-9]{{4}}\1[0-9]{{4}}\1[0-9]{{1,4}}(?:\1[0-9]{{1,3}})?"
        rf"|[0-9]{{4}}{SEPARATOR}[0-9]{{6}}\2[0-9]{{4,5}})(?!{edge})"
    )


# What a request may not carry: never glued to letters or digits, since digits inside an identifier (a UUID's
# groups, a PSP's hex id) are not a card number and refusing them would refuse good requests.
PAN_SHAPED = _shaped("[0-9A-Za-z]")
# What is never written out (logs, error messages, stored reports, test artifacts): glued to letters too
# ("x4970..."), since hiding a number that only looks like a card costs nothing there.
PAN_GLUED = _shaped("[0-9]")


def ascii_digits(text: str) -> bool:
    """Only the digits 0-9 (str.isdigit also takes other scripts' digits and superscripts)."""
    return text.isascii() and text.isdigit()


def luhn_ok(digits: str) -> bool:
    if not ascii_digits(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_digits(shaped: str) -> str | None:
    """The card number in one PAN-shaped match, as bare digits, or None. A number followed by its security
    code is read both whole and as a number with a code: grouped ("4970 1011 2233 4422 123", the last group
    off) or not ("4970101122334422123": a 17-19 digit run's first 16 or 15 digits)."""
    groups = GROUPS.split(shaped)
    whole = "".join(groups)
    readings = [whole, "".join(groups[:4]) if len(groups) == 5 else ""]
    if len(groups) == 1 and len(whole) > 16:
        readings += [whole[:16], whole[:15]]
    for digits in readings:
        if len(digits) >= 13 and luhn_ok(digits) and set(digits) != {"0"}:
            return digits
    return None


def card_spans(text: str, glued: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each card number in text. A match that is no card number may have started
    early ("2026 4970 1011 2233 4422": a year before the number; "%204970...": an escape's digits): the search
    goes on from its second group, or its next digit, rather than past it."""
    pattern, found, pos = PAN_GLUED if glued else PAN_SHAPED, [], 0
    while match := pattern.search(text, pos):
        digits = card_digits(match.group(0))
        if digits:
            found.append((match.start(), match.end(), digits))
            pos = match.end()
        else:  # try again from the second group, or the next digit ("%20" + a number: "204970...")
            separator = GROUPS.search(match.group(0))
            pos = match.start() + (separator.end() if separator else 1)
    return found


def find_pans(text: str, glued: bool = False) -> list[str]:
    """Luhn-valid 13-19 digit runs in text (spaced and dashed forms included), as bare digits; with `glued`,
    runs glued to letters too."""
    return [digits for _, _, digits in card_spans(text, glued)]


def redact_pans(text: str) -> str:
    """Text with every card number in it (glued to letters included) replaced by "[PAN]"."""
    parts, pos = [], 0
    for start, end, _ in card_spans(text, glued=True):
        parts += [text[pos:start], "[PAN]"]
        pos = end
    return "".join(parts) + text[pos:]


def alias(pan: str) -> str:
    """Mangopay-style display alias: first 6, X padding, last 4 (PCI DSS 3.4.1 display maximum)."""
    return pan[:6] + "X" * (len(pan) - 10) + pan[-4:]
