"""The sandbox's Stax: customers created and listed, as documented."""

import requests

from tests.sandbox.stax.wire import AUTH, customer, same_as_documented
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT


def test_customer_create_as_documented(stax):
    same_as_documented("customer_create", requests.post(
        f"{stax}/customer", json=load("stax", "customer_create")["request"]["body"], headers=AUTH, timeout=TIMEOUT))


def test_customer_list_is_a_page_as_documented(stax):
    ids = [customer(stax)["id"] for _ in range(3)]
    page = same_as_documented("customer_list", requests.get(f"{stax}/customer", headers=AUTH, timeout=TIMEOUT))
    assert [c["id"] for c in page["data"]] == ids[::-1]  # newest first
    assert (page["total"], page["from"], page["to"], page["last_page"], page["next_page_url"]) == (3, 1, 3, 1, None)


def test_customer_list_pages(stax):
    ids = [customer(stax)["id"] for _ in range(3)][::-1]
    second = requests.get(f"{stax}/customer", params={"page": 2, "per_page": 2}, headers=AUTH, timeout=TIMEOUT).json()
    assert [c["id"] for c in second["data"]] == ids[2:]
    assert (second["current_page"], second["from"], second["to"], second["last_page"]) == (2, 3, 3, 2)
    assert second["prev_page_url"].endswith("/customer?page=1") and second["next_page_url"] is None
    beyond = requests.get(f"{stax}/customer", params={"page": 9}, headers=AUTH, timeout=TIMEOUT).json()
    assert beyond["data"] == [] and beyond["from"] is None and beyond["total"] == 3
    odd = requests.get(f"{stax}/customer", params={"page": "x", "per_page": "-1"}, headers=AUTH, timeout=TIMEOUT)
    assert odd.status_code == 200 and odd.json()["current_page"] == 1 and odd.json()["per_page"] == 25


def test_customer_list_needs_the_api_key(stax):
    assert requests.get(f"{stax}/customer", timeout=TIMEOUT).status_code == 401
