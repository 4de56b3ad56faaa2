"""The browser's tokenization step in Python, for API tests that run no browser.

A twin of static/js/frame/tokenize.js that sends the same bytes: every expiry format and both encodings a
TokenizationTarget can state. playwright/test_tokenize_parity.py runs both on the same targets and compares
what each sends.
"""

import json
import re

import requests

from .sandbox import TIMEOUT

# expiry_format values and what each sends (expiryValues in tokenize.js): one field, or month and year.
EXPIRY_FORMATS = ("MMYY", "MM/YY", "MMYYYY", "MM+YY", "MM+YYYY")
ENCODINGS = ("form", "json")

# What URLSearchParams leaves as it is; everything else is %XX of its UTF-8 bytes, a space is "+".
FORM_SAFE = frozenset(b"*-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def expiry_parts(expiry: str) -> tuple[str, str]:
    """An expiry as MMYY or MMYYYY (a separator allowed) -> ("MM", "YYYY"), as the form hands it to tokenize."""
    match = re.fullmatch(r"(\d{2})\D*(\d{2}|\d{4})", expiry.strip())
    assert match, f"not an expiry: {expiry!r}"
    month, year = match.groups()
    return month, year if len(year) == 4 else "20" + year


def expiry_values(target: dict, month: str, year: str) -> dict[str, str]:
    fmt, fields, yy = target["expiry_format"], target["card_fields"], year[-2:]
    assert fmt in EXPIRY_FORMATS, f"unknown expiry_format {fmt!r}"
    if fmt in ("MM+YY", "MM+YYYY"):
        return {fields["exp_month"]: month, fields["exp_year"]: yy if fmt == "MM+YY" else year}
    return {fields["expiry"]: f"{month}/{yy}" if fmt == "MM/YY" else month + (year if fmt == "MMYYYY" else yy)}


def card_payload(target: dict, number: str, expiry: str, cvc: str, name: str, postal: str) -> dict[str, str]:
    """The values posted to the PSP, in the browser's order (cardPayload in tokenize.js)."""
    fields = target["card_fields"]
    values = dict(target["fields"])
    if "number" in fields:  # a CVC re-collection target takes the CVC alone
        values.update({fields["number"]: number, **expiry_values(target, *expiry_parts(expiry))})
    if fields.get("cvc") and (cvc or target["cvc_required"]):
        values[fields["cvc"]] = cvc
    for ours, value in (("name", name), ("postal", postal)):
        if fields.get(ours) and value:
            values[fields[ours]] = value
    return values


def form_encode(values: dict[str, str]) -> str:
    """URLSearchParams(values).toString(): urllib's quoting differs (it keeps "~", escapes "*")."""
    def escape(text: str) -> str:
        return "".join(chr(b) if b in FORM_SAFE else "+" if b == 0x20 else f"%{b:02X}" for b in text.encode())

    return "&".join(f"{escape(k)}={escape(v)}" for k, v in values.items())


def encode(target: dict, values: dict[str, str]) -> tuple[dict[str, str], bytes]:
    """The headers and body tokenize.js sends: JSON.stringify is compact and writes UTF-8 as it is."""
    assert target["encoding"] in ENCODINGS, f"unknown encoding {target['encoding']!r}"
    if target["encoding"] == "json":
        content_type, body = "application/json", json.dumps(values, separators=(",", ":"), ensure_ascii=False)
    else:
        content_type, body = "application/x-www-form-urlencoded", form_encode(values)
    return {**target["headers"], "Content-Type": content_type}, body.encode()


def post_card(target: dict, number: str, expiry: str = "1230", cvc: str = "123", name: str = "Jody Smith",
              postal: str = "32801") -> requests.Response:
    """What the browser does with a TokenizationTarget. expiry: "MMYY" or "MMYYYY" (a separator is allowed)."""
    headers, body = encode(target, card_payload(target, number, expiry, cvc, name, postal))
    return requests.request(target["method"], target["url"], headers=headers, data=body, timeout=TIMEOUT)


def pick(data, path: str | None):
    """A dotted path into JSON, list indexes included ("error_info.fields.0.field_name"), as tokenize.js reads it."""
    for key in (path or "").split("."):
        if not key:
            continue
        if isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        elif isinstance(data, dict):
            data = data.get(key)
        else:
            return None
    return data


def browser_result(target: dict, response: requests.Response) -> str:
    """The opaque result the browser hands to finalize (text, or the JSON member the target names)."""
    if target["result"]["type"] == "text":
        return response.text
    return pick(response.json(), target["result"]["path"])
