"""The sandbox's Stax: customers created, as documented."""

import requests

from tests.sandbox.stax.wire import AUTH, same_as_documented
from tests.support.golden import load
from tests.support.sandbox import TIMEOUT


def test_customer_create_as_documented(stax):
    same_as_documented("customer_create", requests.post(
        f"{stax}/customer", json=load("stax", "customer_create")["request"]["body"], headers=AUTH, timeout=TIMEOUT))
