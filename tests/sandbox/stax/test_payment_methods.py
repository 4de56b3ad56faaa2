"""The sandbox's Stax: payment methods created server-side, viewed, updated, soft-deleted and listed, as documented."""

import pytest
import requests

from tests.sandbox.stax.wire import AUTH, CARD, EXTRA_OK, WEB, YY, customer, same_as_documented, tokenize
from tests.support import golden
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT


def test_payment_method_view_update_delete_list(stax):
    owner = customer(stax)
    method = tokenize(stax, customer_id=owner["id"]).json()
    view = requests.get(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT)
    same_as_documented("payment_method_view", view)
    assert view.json()["id"] == method["id"]
    update = requests.put(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT,
                          json={"person_name": "Carl Junior Sr.", "is_default": 1, "card_last_four": "9999"})
    updated = same_as_documented("payment_method_update", update)
    assert updated["person_name"] == "Carl Junior Sr." and updated["card_last_four"] == "1111"  # read-only
    listed = requests.get(f"{stax}/customer/{owner['id']}/payment-method", headers=AUTH, timeout=TIMEOUT)
    assert [m["id"] for m in same_as_documented("customer_payment_methods", listed)] == [method["id"]]
    deleted = requests.delete(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT)
    assert same_as_documented("payment_method_delete", deleted)["deleted_at"]
    # soft delete: still viewable, gone from the customer's list
    assert requests.get(f"{stax}/payment-method/{method['id']}", headers=AUTH, timeout=TIMEOUT).json()["deleted_at"]
    assert requests.get(f"{stax}/customer/{owner['id']}/payment-method", headers=AUTH, timeout=TIMEOUT).json() == []


def test_associate_a_customer_later(stax):
    method = tokenize(stax).json()
    assert method["customer_id"] is None
    owner = customer(stax)
    r = requests.put(f"{stax}/payment-method/{method['id']}", json={"customer_id": owner["id"]}, headers=AUTH,
                     timeout=TIMEOUT)
    assert r.json()["customer_id"] == owner["id"]


def test_unknown_payment_method(stax):
    same_as_documented("payment_method_view_invalid_id",
                       requests.get(f"{stax}/payment-method/nope", headers=AUTH, timeout=TIMEOUT))


def create(stax, path="/payment-method", headers=AUTH, **changes):
    """POST /payment-method (server-side tokenization) with the test card, as Stax's documentation sends it."""
    body = {k: v for k, v in {**CARD, **changes}.items() if v is not None}
    body.pop("address_zip")  # not asked for here, unlike web payments
    return requests.post(f"{stax}{path}", json=body, headers=headers, timeout=TIMEOUT)


@pytest.mark.parametrize("path", ["/payment-method", "/payment-method/"])
def test_create_a_payment_method_as_documented(stax, path):
    owner = customer(stax)
    created = golden.same_as_documented("stax", "payment_method_create", create(stax, path, customer_id=owner["id"]),
                                        extra_ok=EXTRA_OK | {"customer", "purged_at", "deleted_at"}, ordered=False)
    assert (created["card_type"], created["card_last_four"], created["card_exp"]) == ("visa", "1111", f"0320{YY}")
    assert created["customer_id"] == owner["id"] and created["user_id"] != "hosted-payments"
    listed = requests.get(f"{stax}/customer/{owner['id']}/payment-method", headers=AUTH, timeout=TIMEOUT).json()
    assert [m["id"] for m in listed] == [created["id"]]  # associated with the customer
    viewed = requests.get(f"{stax}/payment-method/{created['id']}", headers=AUTH, timeout=TIMEOUT).json()
    assert viewed["id"] == created["id"] and viewed["customer"]["id"] == owner["id"]


def test_without_a_customer_the_method_is_not_linked(stax):
    r = create(stax)
    assert r.status_code == 200 and r.json()["customer_id"] is None and "customer" not in r.json()


@pytest.mark.parametrize("sample,changes", [
    ("payment_method_create_invalid_number", {"card_number": "4111111111111112"}),
    ("payment_method_create_expired", {"card_exp": "0120"}),
    ("payment_method_create_missing", {"card_number": None}),
])
def test_create_errors_as_documented(stax, sample, changes):
    body = same_as_documented(sample, create(stax, **changes))
    assert list(body) == list(load("stax", sample)["response"]["body"])  # the same field named


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {WEB}"}])
def test_create_needs_the_api_key(stax, headers):
    same_as_documented("payment_method_create_unauthorized", create(stax, headers=headers))


@pytest.mark.parametrize("changes,field", [
    ({"card_exp": "13/30"}, "card_exp"),
    ({"card_cvv": "12"}, "card_cvv"),
    ({"customer_id": "no-such-customer"}, "id"),
    ({"method": "bitcoin"}, "method"),
])
def test_create_validation(stax, changes, field):
    r = create(stax, **changes)
    assert r.status_code == 422 and list(r.json()) == [field]


def test_create_takes_json_only(stax):
    r = requests.post(f"{stax}/payment-method", data="card_number=4111111111111111", headers=AUTH, timeout=TIMEOUT)
    assert r.status_code == 400 and isinstance(r.json(), dict)
