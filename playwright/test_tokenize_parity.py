"""static/js/frame/tokenize.js in Chromium and its Python stand-in (tests/support/tokenize.py) send the same bytes.

Both post the same card to the same TokenizationTarget at a capture server on loopback, on another origin
than the page (a real cross-origin request, as to a PSP). What each sent is compared: method, path, the
headers that matter (Content-Type, the target's own headers, Referer, Cookie) and the body, byte for byte;
and the result each hands to finalize. Targets: every expiry format in both encodings, with values that
tell the encoders apart, the cvc rules, and each configured adapter's real target.
"""

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from panless.merchant.providers import ADAPTERS
from tests.support import LiveServer
from tests.support.merchant import Shopper
from tests.support.tokenize import ENCODINGS, EXPIRY_FORMATS, browser_result, post_card

NUMBER = "4970107111111119"  # Mangopay's published test card
# Characters that URLSearchParams, urllib and json.dumps each treat in their own way.
AWKWARD = "a b+c&d=e~*'()!/?%#;é€😀\n\t\"quoted\" \\ <x>\u2028"
EXPECTED_EXPIRY = {"MMYY": {"expiry": "1230"}, "MM/YY": {"expiry": "12/30"}, "MMYYYY": {"expiry": "122030"},
                   "MM+YY": {"exp_month": "12", "exp_year": "30"}, "MM+YYYY": {"exp_month": "12", "exp_year": "2030"}}
TOKENIZE = """async ([target, card]) => {
  const { tokenize } = await import('/static/js/frame/tokenize.js');
  try {
    return { result: await tokenize(target, card) };
  } catch (error) {
    return { error: error.code };
  }
}"""


class Capture:
    """A stand-in PSP: answers CORS preflights, records each other request and replies with `reply`."""

    def __init__(self):
        self.posts: list[dict] = []
        self.reply = (200, "text/plain", b"")

    def __call__(self, environ, start_response):
        cors = [("Access-Control-Allow-Origin", "*")]
        if environ["REQUEST_METHOD"] == "OPTIONS":
            asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
            start_response("204 No Content", [*cors, ("Access-Control-Allow-Methods", "POST, PUT"),
                                              ("Access-Control-Allow-Headers", asked)])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        query = environ.get("QUERY_STRING")
        self.posts.append({"method": environ["REQUEST_METHOD"], "headers": headers,
                           "path": environ["PATH_INFO"] + (f"?{query}" if query else ""),
                           "body": environ["wsgi.input"].read(length) if length else b""})
        status, content_type, body = self.reply
        start_response(f"{status} OK", [*cors, ("Content-Type", content_type)])
        return [body]

    def take(self) -> dict:
        assert len(self.posts) == 1, self.posts
        return self.posts.pop()


@pytest.fixture(scope="module")
def capture():
    recorder = Capture()
    server = LiveServer(recorder, url_host="localhost").start()
    server.recorder = recorder
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_page(browser, blank_page_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(blank_page_server.url + "/")
    yield page
    context.close()


def synthetic(url: str, fmt: str, encoding: str, cvc_required: bool = True) -> dict:
    """A target in the shape of server/merchant/providers/base.py TokenizationTarget, awkward on purpose."""
    split = fmt.startswith("MM+")
    return {
        "url": f"{url}/psp/v1/tokenize?ref=abc-123", "method": "POST", "encoding": encoding,
        "headers": {"X-Psp-Key": "pk_test_1", "Accept": "application/json"},
        "fields": {"ref": AWKWARD, "empty": "", "customer id": "cus_1"},
        "card_fields": {"number": "card[number]", "cvc": "cvc", "name": "holder name", "postal": "zip",
                        **({"exp_month": "exp.month", "exp_year": "exp.year"} if split else {"expiry": "exp"})},
        "expiry_format": fmt,
        "result": {"type": "json", "path": "card.id"} if encoding == "json" else {"type": "text"},
        "errors": {}, "cvc_required": cvc_required,
    }


def reply_for(target: dict) -> tuple[int, str, bytes]:
    """A success answer in the target's result shape: text, or JSON holding the token at its path."""
    if target["result"]["type"] == "text":
        return 200, "text/plain", b"data=tok-text-1"
    token: object = "tok_json_1"
    for key in reversed(target["result"]["path"].split(".")):
        token = {key: token}
    return 200, "application/json", json.dumps(token).encode()


def that_matter(post: dict, target: dict) -> dict:
    names = sorted({"content-type", "referer", "cookie", *(name.lower() for name in target["headers"])})
    return {"method": post["method"], "path": post["path"], "body": post["body"],
            "headers": {name: post["headers"].get(name) for name in names}}


def both_send(page, capture, target: dict, cvc: str = "123", name: str = "Zoë O'Brien-Ñúñez",
              postal: str = "SW1A 1AA") -> tuple[dict, dict]:
    """Post one card with tokenize.js and with post_card; -> what each sent, after checking both results."""
    capture.recorder.reply = reply_for(target)
    card = {"number": NUMBER, "expiry": {"month": "12", "year": "2030"}, "cvc": cvc, "name": name, "postal": postal}
    outcome = page.evaluate(TOKENIZE, [target, card])
    from_js = capture.recorder.take()
    response = post_card(target, NUMBER, "1230", cvc, name, postal)
    from_python = capture.recorder.take()
    assert outcome == {"result": browser_result(target, response)}
    assert outcome["result"] in ("data=tok-text-1", "tok_json_1")
    assert that_matter(from_js, target) == that_matter(from_python, target)
    return from_js, from_python


def decoded(post: dict, encoding: str) -> dict:
    body = post["body"].decode()
    return json.loads(body) if encoding == "json" else dict(parse_qsl(body, keep_blank_values=True))


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("fmt", EXPIRY_FORMATS)
def test_every_expiry_format_and_encoding_sends_the_same_bytes(module_page, capture, fmt, encoding):
    target = synthetic(capture.url, fmt, encoding)
    sent, _ = both_send(module_page, capture, target)
    values = decoded(sent, encoding)
    # What both sent is also what the target asked for, so the two cannot agree on a mistake.
    expiry = {ours: values[target["card_fields"][ours]] for ours in EXPECTED_EXPIRY[fmt]}
    assert expiry == EXPECTED_EXPIRY[fmt]
    assert values == {"ref": AWKWARD, "empty": "", "customer id": "cus_1", "card[number]": NUMBER, "cvc": "123",
                      "holder name": "Zoë O'Brien-Ñúñez", "zip": "SW1A 1AA",
                      **{target["card_fields"][k]: v for k, v in EXPECTED_EXPIRY[fmt].items()}}
    assert sent["headers"]["x-psp-key"] == "pk_test_1" and "referer" not in sent["headers"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("cvc_required,cvc,name,sends_cvc", [
    (False, "", "", False),   # an optional code left empty is not sent at all
    (True, "", "", True),     # a required one is sent empty, for the PSP to refuse with its own error
    (False, "847", "Jo", True),
])
def test_optional_fields_are_left_out_alike(module_page, capture, encoding, cvc_required, cvc, name, sends_cvc):
    target = synthetic(capture.url, "MMYY", encoding, cvc_required)
    sent, _ = both_send(module_page, capture, target, cvc=cvc, name=name)
    values = decoded(sent, encoding)
    assert ("cvc" in values) is sends_cvc and ("holder name" in values) is bool(name)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_cvc_only_target_sends_the_cvc_alone_alike(module_page, capture, encoding):
    """CVC re-collection: a target naming only `cvc` gets its fields and the CVC, never the rest of a card."""
    target = {**synthetic(capture.url, "MM+YYYY", encoding), "card_fields": {"cvc": "card_security_code"}}
    sent, _ = both_send(module_page, capture, target, cvc="362")
    assert decoded(sent, encoding) == {"ref": AWKWARD, "empty": "", "customer id": "cus_1",
                                       "card_security_code": "362"}


@pytest.fixture(scope="module")
def shopper(merchant):
    return Shopper(merchant.url)


@pytest.mark.parametrize("provider", [adapter.name for adapter in ADAPTERS])
def test_each_adapters_target_sends_the_same_bytes(module_page, capture, shopper, provider):
    target = shopper.session(provider=provider)["target"]
    url = urlsplit(target["url"])
    target["url"] = capture.url + url.path + (f"?{url.query}" if url.query else "")
    assert target["expiry_format"] in EXPIRY_FORMATS and target["encoding"] in ENCODINGS
    sent, _ = both_send(module_page, capture, target)
    assert NUMBER in sent["body"].decode()
