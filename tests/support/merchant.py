"""A shopper of the merchant app for API tests, with every exchange checked against docs/openapi.yaml."""

import re
from pathlib import Path

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

from .sandbox import TIMEOUT

SPEC = OpenAPI.from_file_path(str(Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"))


def token_and_code(app) -> tuple[str, str]:
    """A new customer's token and start code, issued together as a checkout's backend issues them (README,
    "Embedding the card frame"), by `app`'s secret."""
    from panless.merchant.auth import issue_customer_token, issue_redirect_code, new_customer_id

    with app.test_request_context():
        customer = new_customer_id()
        return issue_customer_token(customer), issue_redirect_code(customer)


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
