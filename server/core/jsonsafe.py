"""JSON parsing every Panless service shares for what it receives: bounded nesting, one encoding.

Python's json recurses once per nesting level, so 30,000 nested arrays raise RecursionError (a 500 on every
route that parsed the body); bodies nested deeper than MAX_DEPTH are refused before parsing. Only UTF-8 is
read: json.loads on bytes also guesses UTF-16 and UTF-32, and a check that reads text differently from the
parser can be walked around, so both read it the same way here.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)  # brackets inside strings do not nest
NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def nested_deeper_than(text: str, limit: int) -> bool:
    """True when arrays and objects nest deeper than `limit` (or the brackets do not pair up, which json
    would refuse anyway). Innermost pairs are removed `limit` times, in C: linear in the body per level."""
    brackets = NOT_BRACKETS.sub("", STRINGS.sub("", text))
    for _ in range(limit):
        if not brackets:
            return False
        shorter = brackets.replace("[]", "").replace("{}", "")
        if shorter == brackets:
            return True  # unpaired
        brackets = shorter
    return bool(brackets)


def decode(raw: bytes | str) -> str:
    """UTF-8 text; UnicodeDecodeError (a ValueError) for anything else, a byte order mark included."""
    text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
    if text.startswith("\ufeff"):
        raise ValueError("a byte order mark: JSON is read as UTF-8 without one")
    return text


def loads(raw: bytes | str, max_depth: int = MAX_DEPTH):
    """json.loads for untrusted bodies: ValueError when not UTF-8, not JSON, or nested too deeply."""
    text = decode(raw)
    if nested_deeper_than(text, max_depth):
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return json.loads(text)
