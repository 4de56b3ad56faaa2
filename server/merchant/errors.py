"""One error shape for the merchant API: {"error": {code, message, field, retry}} with stable codes.

`retry` tells the form what a retry needs: "same_session" (fix the field and submit again) or
"new_session" (the PSP closed this session; start another).
"""

from __future__ import annotations

from collections import Counter

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..core.pan import redact_pans

# code -> (HTTP status, message a shopper or developer can act on, field, retry). The message is the English the
# card form shows for a code it gets from this server (static/js/frame/i18n-en.js holds only the codes the browser
# raises itself; the other catalogues translate these too).
CATALOG: dict[str, tuple[int, str, str | None, str | None]] = {
    "invalid_number": (422, "This card number is not valid. Check the digits and try again.", "number", "same_session"),
    "invalid_expiry": (422, "This expiry date is not valid or has passed. Use the MM / YY on the card.", "expiry",
                       "same_session"),
    "invalid_cvc": (422, "This security code is not valid. It is the 3 digits on the back (4 on the front for Amex).",
                    "cvc", "same_session"),
    "invalid_postal": (422, "Enter the billing ZIP or postal code of the card.", "postal", "same_session"),
    "invalid_name": (422, "Enter the cardholder name as it appears on the card.", "name", "same_session"),
    "card_refused": (402, "Your bank refused this card. Try another card or contact your bank.", None, "new_session"),
    "session_expired": (410, "This payment form timed out. Please enter your card again.", None, "new_session"),
    "tokenization_failed": (502, "The card could not be saved right now. Please try again.", None, "new_session"),
    "invalid_result": (400, "The tokenization result is missing or malformed.", "result", "new_session"),
    "psp_unavailable": (503, "The payment provider is not reachable right now. Please try again in a moment.", None,
                        "same_session"),
    "psp_error": (502, "The payment provider returned an unexpected answer. Please try again.", None, "same_session"),
    # The merchant's PSP settings are wrong (a merchant id or public token the PSP does not know): no
    # shopper can fix that, so the form stops rather than starting session after session.
    "psp_misconfigured": (502, "Saving cards is not available right now: the shop's payment settings need attention.",
                          None, None),
    "psp_auth_failed": (502, "The payment provider refused the merchant's credentials (check PANLESS_ configuration).",
                        None, None),
    "unauthenticated": (401, "This payment page has expired. Reload the page.", None, None),
    "session_closed": (409, "This payment form is finished. Start again to save another card.", None, "new_session"),
    "session_not_found": (404, "No such tokenization session for this customer.", None, "new_session"),
    "card_not_found": (404, "This saved card is no longer available.", None, None),
    "cvc_recollection_unsupported": (422, "This card cannot be confirmed with a new security code here. Enter the "
                                          "card again instead.", "saved_card", None),
    "invalid_request": (400, "The request is not valid.", None, None),
    "invalid_json": (400, "The request body must be a JSON object.", None, None),
    "unsupported_currency": (422, "This currency is not supported.", "currency", None),
    "unsupported_brand": (422, "This card brand is not accepted.", "brand", None),
    "unknown_provider": (422, "This payment provider is not configured.", "provider", None),
    "cross_site_request": (403, "This call must come from the payment page or an allowed checkout origin.", None, None),
    "rate_limited": (429, "Too many attempts. Wait a moment before trying again.", None, "same_session"),
    "too_many_attempts": (429, "Too many failed attempts with this form. Wait a moment, then start again.", None,
                          "new_session"),
    "challenge_required": (403, "Please confirm you are not a robot before trying another card.", "challenge",
                           "same_session"),
    "pan_detected": (400, "A card number must never be sent to this server; it goes straight to the payment provider.",
                     None, None),
    "frame_parent_not_allowed": (400, "This page may only be embedded by a checkout origin listed in "
                                      "PANLESS_ALLOWED_ORIGINS.", "parent", None),
    "frame_same_origin": (400, "The checkout origin must differ from the Panless origin: a same-origin parent could "
                               "read the card fields. Serve the checkout from another origin.", "parent", None),
    "return_url_not_allowed": (400, "The return URL must be an http(s) URL on an origin listed in "
                                    "PANLESS_ALLOWED_ORIGINS.", "return_url", None),
    "redirect_code_used": (400, "This payment link was already used. Go back to the shop and start again.", "code",
                           None),
    "invalid_state": (400, "The state parameter must be at most 200 letters, digits, - or _.", "state", None),
    "not_found": (404, "Not found.", None, None),
    "method_not_allowed": (405, "This method is not allowed here.", None, None),
    "payload_too_large": (413, "The request body is too large.", None, None),
    "internal_error": (500, "Something went wrong on our side. Please try again.", None, None),
}


def counters() -> Counter:
    """Security event counts of this process (refused PANs, cross-site calls, CSP reports)."""
    return current_app.extensions["panless_counters"]


def hint(code: str) -> dict:
    """The public description of an error code: what the API returns and what the browser shows."""
    _status, message, field, retry = CATALOG[code]
    return {"code": code, "message": message, "field": field, "retry": retry}


class PanlessError(Exception):
    def __init__(self, code: str, message: str | None = None, field: str | None = None,
                 status: int | None = None):
        default_status, default_message, default_field, retry = CATALOG[code]
        # A message or field may quote the request (an option's name, say): never a card number in it.
        message = redact_pans(message or default_message)
        super().__init__(message)
        self.code, self.message = code, message
        field = field if field is not None else default_field
        self.field = redact_pans(field) if isinstance(field, str) else field
        self.status = status or default_status
        self.retry = retry

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field, "retry": self.retry}}


HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 400: "invalid_request",
              429: "rate_limited"}


# Paths whose answers are JSON, errors included (the pages' errors are HTML, unless the client asks for JSON).
JSON_PATHS = ("/api", "/csp-report", "/healthz", "/frame/check")


def wants_json() -> bool:
    path = request.path.rstrip("/")
    return (any(path == p or path.startswith(p + "/") for p in JSON_PATHS)
            or request.accept_mimetypes.best == "application/json")


def render(error: PanlessError):
    headers = {}
    if error.status == 429:
        headers["Retry-After"] = "60"
    elif error.status == 503:  # a PSP outage: when to try again (an open circuit knows; else a few seconds)
        headers["Retry-After"] = str(g.get("retry_after", 5))
    if wants_json():
        return jsonify(error.body()), error.status, headers
    return render_template("error.html", error=error), error.status, headers


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(PanlessError)
    def on_panless_error(exc):
        return render(exc)

    @app.errorhandler(HTTPException)
    def on_http_error(exc):
        return render(PanlessError(HTTP_CODES.get(exc.code, "invalid_request"), status=exc.code))

    @app.errorhandler(Exception)
    def on_unexpected(exc):
        # The type only: a message or traceback could carry request data.
        app.logger.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.path)
        return render(PanlessError("internal_error"))
