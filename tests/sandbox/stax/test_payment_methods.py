"""The sandbox's Stax: payment methods viewed, updated, soft-deleted and listed, as documented."""

import requests

from tests.sandbox.stax.wire import AUTH, customer, same_as_documented, tokenize
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
