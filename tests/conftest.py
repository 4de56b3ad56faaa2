import base64
import logging
import re
from pathlib import Path

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from panless.sandbox import create_app as create_sandbox

from tests.support import UNLIMITED, LiveServer, providers_on

CLIENT_ID = "panless-demo"
API_KEY = "panless-demo-key"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{API_KEY}".encode()).decode()
TIMEOUT = 10


@pytest.fixture(scope="session", autouse=True)
def quiet_werkzeug():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("sandbox") / "sandbox.db"
    server = LiveServer(create_sandbox({"SANDBOX": {"DB": str(db)}})).start()
    server.db_path = db
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The live sandbox, reset before each test."""
    requests.post(f"{sandbox_server.url}/_sandbox/reset", json={}, timeout=TIMEOUT).raise_for_status()
    return sandbox_server


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


@pytest.fixture
def mp(sandbox):
    return MangopayWire(sandbox.url)


# -- the merchant app, against the live sandbox ---------------------------------------------------------

@pytest.fixture(scope="session")
def merchant_server(sandbox_server):
    from panless import create_app

    app = create_app({**providers_on(sandbox_server.url), **UNLIMITED})
    server = LiveServer(app).start()
    server.app = app
    yield server
    server.stop()


SPEC = OpenAPI.from_file_path(str(Path(__file__).parent.parent / "docs" / "openapi.yaml"))


def checked(response: requests.Response) -> requests.Response:
    """Validate an API exchange against docs/openapi.yaml; routes the API does not have are skipped."""
    try:
        SPEC.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        assert response.status_code in (404, 405), "an undocumented route answered"
    return response


class Shopper:
    """A customer of the merchant app: its page's customer token, and API calls checked against the spec."""

    def __init__(self, root: str):
        self.root = root
        page = requests.get(f"{root}/pay", timeout=TIMEOUT)
        self.token = re.search(r'data-customer-token="([^"]+)"', page.text).group(1)
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def call(self, method, path, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        response = requests.request(method, self.root + path, headers=headers, timeout=TIMEOUT, **kw)
        return checked(response) if path.startswith("/api/") else response

    def session(self, **body) -> dict:
        r = self.call("POST", "/api/sessions", json=body)
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
def shopper(merchant_server, sandbox):
    return Shopper(merchant_server.url)


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
