"""What the Juspay sandbox tests send and expect: the demo merchant's key, a test card, and raw-HTTP calls
(no Panless adapter code), checked against Juspay's documented wire (tests/fixtures/juspay)."""

import base64
from datetime import UTC, datetime

import requests

from panless.core.demo import CREDENTIALS
from tests.support import golden
from tests.support.sandbox import TIMEOUT

YEAR = str(datetime.now(UTC).year + 3)
MERCHANT, KEY = CREDENTIALS["juspay"]["MERCHANT_ID"], CREDENTIALS["juspay"]["API_KEY"]
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}
CARD = {"merchant_id": MERCHANT, "card_number": "4111111111111111", "card_exp_year": YEAR,
        "card_exp_month": "07", "card_security_code": "123", "name_on_card": "Juspay Technologies"}
HEADERS = {"x-merchantid": MERCHANT, "x-routing-id": "customer_1122"}


def tokenize(jp, **changes):
    form = {k: v for k, v in {**CARD, **changes}.items() if v is not None}
    return requests.post(f"{jp}/card/tokenize", data=form, headers=HEADERS, timeout=TIMEOUT)


def add(jp, token, customer="customer_1122", path="/card/add", field="token"):
    return requests.post(f"{jp}{path}", headers={**AUTH, **HEADERS}, timeout=TIMEOUT, data={
        "merchant_id": MERCHANT, "customer_id": customer, "customer_email": "customer@mail.com", field: token})


def same_as_documented(name, response):
    return golden.same_as_documented("juspay", name, response)
