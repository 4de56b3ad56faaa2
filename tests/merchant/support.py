"""What the merchant app's tests share: the checkout origin their app allows, a whole card save as the
browser makes it, and response headers without the ones that change on every response."""

import re
from datetime import UTC, datetime
from pathlib import Path

from panless.merchant.providers import ADAPTERS
from tests.support.merchant import checked
from tests.support.tokenize import browser_result, post_card

ROOT = Path(__file__).resolve().parents[2]
SHOP = "http://localhost:8003"  # the checkout origin (PANLESS_ALLOWED_ORIGINS) of the app_server fixture
PSPS = [adapter.name for adapter in ADAPTERS]
FUTURE = f"12{(datetime.now(UTC).year + 2) % 100:02d}"
VISA = "4970107111111119"


def save_card(shopper, number=VISA, **session_body) -> dict:
    """A whole save as the browser makes it: session, card to the PSP, finalize. -> the saved card."""
    session = shopper.session(**session_body)
    assert session["provider"] == session_body.get("provider", "mangopay")
    response = post_card(session["target"], number, FUTURE, "1234" if number.startswith("37") else "123")
    assert response.ok, response.text
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                             json={"result": browser_result(session["target"], response)}))
    assert r.status_code == 200, r.text
    return r.json()["card"]


VOLATILE = {"Date", "Content-Length", "Set-Cookie", "Last-Modified", "Etag", "Vary", "Server",
            "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After", "Connection"}


def normalised(response) -> dict:
    headers = {k.title(): v for k, v in response.headers.items() if k.title() not in VOLATILE}
    if "Content-Security-Policy" in headers:
        headers["Content-Security-Policy"] = re.sub(r"'nonce-[^']+'", "'nonce-*'",
                                                    headers["Content-Security-Policy"])
    return dict(sorted(headers.items()))
