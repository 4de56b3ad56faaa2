"""Raw-HTTP clients of the sandbox for tests: the demo credentials and a small Mangopay client that uses
no Panless adapter code."""

import base64

import requests

from panless.core.demo import CREDENTIALS

CLIENT_ID = CREDENTIALS["mangopay"]["CLIENT_ID"]
API_KEY = CREDENTIALS["mangopay"]["API_KEY"]
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{API_KEY}".encode()).decode()
TIMEOUT = 10


class MangopayWire:
    """A deliberately small client for tests: raw HTTP, no Panless adapter code."""

    def __init__(self, root: str):
        self.root = root
        self.base = f"{root}/mangopay/v2.01"
        self.api = f"{self.base}/{CLIENT_ID}"
        token = requests.post(f"{self.base}/oauth/token", headers={"Authorization": BASIC},
                              data={"grant_type": "client_credentials"}, timeout=TIMEOUT).json()
        self.auth = {"Authorization": f"Bearer {token['access_token']}"}

    def call(self, method, path, **kw):
        headers = {**self.auth, **kw.pop("headers", {})}
        return requests.request(method, self.api + path, headers=headers, timeout=TIMEOUT, **kw)

    def user(self) -> dict:
        r = self.call("POST", "/users/natural",
                      json={"FirstName": "Jody", "LastName": "Smith", "Email": "jody@example.com"})
        assert r.status_code == 200, r.text
        return r.json()

    def registration(self, card_type=None, user_id=None) -> dict:
        body = {"UserId": user_id or self.user()["Id"], "Currency": "EUR"}
        if card_type:
            body["CardType"] = card_type
        r = self.call("POST", "/cardregistrations", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def tokenize(self, registration, number, expiry="1230", cvc="123", **extra) -> requests.Response:
        form = {"data": registration["PreregistrationData"], "accessKeyRef": registration["AccessKey"],
                "cardNumber": number, "cardExpirationDate": expiry, "cardCvx": cvc, **extra}
        return requests.post(registration["CardRegistrationURL"], data=form, timeout=TIMEOUT,
                             allow_redirects=False)

    def finish(self, registration, registration_data) -> requests.Response:
        return self.call("PUT", f"/cardregistrations/{registration['Id']}",
                         json={"RegistrationData": registration_data})

    def register_card(self, number="4970107111111119", **kw) -> dict:
        registration = self.registration(**kw)
        text = self.tokenize(registration, number).text
        done = self.finish(registration, text).json()
        assert done["Status"] == "VALIDATED", done
        return self.call("GET", f"/cards/{done['CardId']}").json()
