"""The browser's tokenization step in Python, for API tests that run no browser."""

import requests

from .sandbox import TIMEOUT


def post_card(target: dict, number: str, expiry: str = "1230", cvc: str = "123", name: str = "Jody Smith",
              postal: str = "32801") -> requests.Response:
    """What the browser does with a TokenizationTarget: a Python twin of static/js/tokenize.js."""
    fields = target["card_fields"]
    month, yy = expiry[:2], expiry[2:]
    values = {**target["fields"], fields["number"]: number}
    if target["expiry_format"] == "MM+YYYY":
        values.update({fields["exp_month"]: month, fields["exp_year"]: "20" + yy})
    else:
        values[fields["expiry"]] = month + yy
    if cvc or target["cvc_required"]:
        values[fields["cvc"]] = cvc
    for ours, value in (("name", name), ("postal", postal)):
        if ours in fields and value:
            values[fields[ours]] = value
    body = {"json": values} if target["encoding"] == "json" else {"data": values}
    return requests.request(target["method"], target["url"], headers=target["headers"], timeout=TIMEOUT, **body)


def browser_result(target: dict, response: requests.Response) -> str:
    """The opaque result the browser hands to finalize (text, or the JSON member the target names)."""
    if target["result"]["type"] == "text":
        return response.text
    return response.json()[target["result"]["path"]]
