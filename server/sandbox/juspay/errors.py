"""Juspay's error object, `{error_message, status, error_code, error_info}`, raised by the backend and rendered
by views (protocols.md section 2; the card-field errors are built on the one documented envelope)."""

from __future__ import annotations

import uuid


class JuspayError(Exception):
    def __init__(self, status: int, error_code: str, message: str, code: str, *, field: str | None = None,
                 reason: str | None = None, user_message: str | None = None, category: str = "USER_ERROR",
                 status_text: str = "invalid_request_error"):
        super().__init__(message)
        self.status = status
        fields = [{"field_name": field, "reason": reason}] if field else []
        self.body = {
            "error_message": message, "status": status_text, "error_code": error_code,
            "error_info": {"user_message": user_message or message, "fields": fields,
                           "developer_message": message, "code": code, "category": category,
                           # Juspay's answers carry a request id to quote to support, and a link it leaves "NA".
                           "request_id": str(uuid.uuid4()), "href": "NA"},
        }


def missing(field: str, label: str, reason: str = "Missing field.") -> JuspayError:
    return JuspayError(400, f"missing_{field}", f"{label} is required.", "MISSING_MANDATORY_PARAMETER",
                       field=field, reason=reason, user_message=f"Please enter a valid {label.lower()}.")


def invalid(field: str, label: str, reason: str) -> JuspayError:
    return JuspayError(400, f"invalid_{field}", f"Invalid {label.lower()}.", "INVALID_INPUT", field=field,
                       reason=reason, user_message=f"Please enter a valid {label.lower()}.")


def unauthenticated() -> JuspayError:
    return JuspayError(401, "access_denied", "Authentication failed: the API key is missing or invalid.",
                       "UNAUTHENTICATED", status_text="ERROR")


def not_found(what: str) -> JuspayError:
    return JuspayError(404, f"{what}_not_found", f"No {what.replace('_', ' ')} with this reference.",
                       "RESOURCE_NOT_FOUND")


def expired_token() -> JuspayError:
    return JuspayError(400, "expired_card_token", "Card token is expired.", "EXPIRED", field="token",
                       reason="Expired.",
                       user_message="Card details have expired. Please enter the card details again.")


def card_declined() -> JuspayError:
    return JuspayError(400, "card_not_supported", "The card was declined by the issuer.", "INVALID_INPUT",
                       field="card_number", reason="Declined.",
                       user_message="This card cannot be saved. Please use another card.")


def request_error(status: int, message: str) -> JuspayError:
    """Routing and parsing failures (unknown path, wrong method, body too large) before the backend runs."""
    code = {404: "RESOURCE_NOT_FOUND", 405: "INVALID_ACTION", 413: "INVALID_INPUT"}.get(status, "INVALID_INPUT")
    return JuspayError(status, code.lower(), message, code, status_text="ERROR")
