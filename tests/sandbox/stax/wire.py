"""What the Stax sandbox tests send and expect: the demo merchant's keys, a test card, and raw-HTTP calls
(no Panless adapter code), checked against Stax's documented wire (tests/fixtures/stax)."""

from datetime import UTC, datetime

import requests

from panless.core.demo import CREDENTIALS
from tests.support import golden
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
API_KEY, WEB = CREDENTIALS["stax"]["API_KEY"], CREDENTIALS["stax"]["WEB_TOKEN"]
AUTH = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
CARD = {"method": "card", "person_name": "Bob Smithers", "card_number": "4111111111111111", "card_exp": f"03{YY}",
        "card_cvv": "123", "address_zip": "32801"}
# Keys our objects have that some documented samples lack: Stax added them after the older blueprint examples
# (a "meta" blob and the tokenization flags on payment methods; invoice and SMS settings on customers).
EXTRA_OK = {"has_cvv", "is_usable_in_vt", "is_tokenized", "meta", "allow_invoice_credit_card_payments", "cc_sms"}


def customer(stax) -> dict:
    body = load("stax", "customer_create")["request"]["body"]
    r = requests.post(f"{stax}/customer", json=body, headers=AUTH, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def tokenize(stax, token=WEB, **changes):
    body = {k: v for k, v in {**CARD, **changes}.items() if v is not None}
    return requests.post(f"{stax}/webpayment/{token}/tokenize", json=body, timeout=TIMEOUT,
                         headers={"Accept": "application/json"})


def same_as_documented(name, response):
    return golden.same_as_documented("stax", name, response, extra_ok=EXTRA_OK, ordered=False)
