"""The invariant check itself: what the recorder keeps of a request, and what reads as card data."""

import io

from tests.support import RequestRecorder, secrets_found

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.8078.84"


def record(body: bytes, **headers) -> str:
    recorder = RequestRecorder(lambda environ, start_response: [])
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/sessions", "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": "application/json", "wsgi.input": io.BytesIO(body),
               **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    recorder(environ, None)
    return recorder.transcript()


def test_the_browser_version_and_a_byte_count_do_not_read_as_a_typed_cvc():
    seen = record(b'{"mode": "hosted"}' + b" " * 66, user_agent=UA, sec_ch_ua='"Chromium";v="84"', x_trace="t1")
    assert "'X-Trace': 't1'" in seen  # other headers are kept
    assert secrets_found(seen, ["84"]) == []


def test_a_typed_cvc_in_a_body_or_a_header_is_found():
    assert secrets_found(record(b'{"cvc": "84"}', user_agent=UA), ["84"]) == ["typed value ending 84"]
    assert secrets_found(record(b"{}", x_note="cvc 84"), ["84"]) == ["typed value ending 84"]
