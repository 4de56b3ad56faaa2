"""Mangopay's official Python SDK (mangopaysdk 3.51.1), unchanged, against the sandbox over HTTP."""

from datetime import UTC, datetime

import pytest
import requests
from mangopay.api import APIRequest
from mangopay.exceptions import APIError
from mangopay.resources import Card, CardRegistration, NaturalUser

from tests.support.sandbox import API_KEY, CLIENT_ID, TIMEOUT

FUTURE = f"12{(datetime.now(UTC).year + 2) % 100:02d}"


@pytest.fixture
def handler(sandbox):
    return APIRequest(client_id=CLIENT_ID, apikey=API_KEY, sandbox=True,
                      api_sandbox_url=f"{sandbox.url}/mangopay/v2.01/")


def test_official_sdk_registers_and_deactivates_a_card(handler):
    user = NaturalUser(first_name="Jody", last_name="Smith", email="jody@example.com",
                       user_category="PAYER", terms_and_conditions_accepted=True, handler=handler)
    user.save()
    registration = CardRegistration(user=user, currency="EUR", handler=handler)
    registration.save(idempotency_key="panless-sdk-test-0001")
    assert registration.status == "CREATED"

    token = requests.post(registration.card_registration_url, timeout=TIMEOUT, data={
        "data": registration.preregistration_data, "accessKeyRef": registration.access_key,
        "cardNumber": "4970107111111119", "cardExpirationDate": FUTURE, "cardCvx": "123"})
    registration.registration_data = token.text
    registration.save()  # the SDK PUTs every field it knows, read-only ones included
    assert (registration.status, registration.result_code) == ("VALIDATED", "000000")

    card = registration.card
    assert card.alias == "497010XXXXXX1119" and card.expiration_date == FUTURE and card.active
    card.active = False
    card.save()  # sent as "Active": 0
    assert Card.get(card.id, handler=handler).active is False
    assert CardRegistration.get(registration.id, handler=handler).card_id == card.id


def test_official_sdk_sees_failures_as_mangopay_raises_them(handler):
    with pytest.raises(CardRegistration.DoesNotExist):
        CardRegistration.get("cardreg_m_nope", handler=handler)
    bad = APIRequest(client_id=CLIENT_ID, apikey="wrong", sandbox=True, api_sandbox_url=handler.api_url)
    with pytest.raises(APIError):
        NaturalUser(first_name="A", last_name="B", email="a@example.com", handler=bad).save()
