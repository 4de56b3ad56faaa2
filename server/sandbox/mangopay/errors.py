"""Mangopay's error object, `{Message, Type, Id, Date, errors}`, raised by the backend and rendered by views."""

from __future__ import annotations

import time
import uuid

PARAM_MESSAGE = (
    "One or several required parameters are missing or incorrect. "
    "An incorrect resource ID also raises this kind of error."
)


class MangopayError(Exception):
    def __init__(self, status: int, type_: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.type, self.message, self.errors = status, type_, message, errors

    def body(self, now: float | None = None) -> dict:
        stamp = int(now if now is not None else time.time())
        return {"Message": self.message, "Type": self.type, "Id": f"{uuid.uuid4()}#{stamp}",
                "Date": stamp, "errors": self.errors}


def param_error(**errors: str) -> MangopayError:
    return MangopayError(400, "param_error", PARAM_MESSAGE, errors)


def not_found(resource: str, id: str) -> MangopayError:
    # Mangopay's own spelling and trailing space; SDKs key on the `errors` member being present.
    return MangopayError(404, "ressource_not_found", "The ressource does not exist",
                         {"RessourceNotFound": f"Cannot found the ressource {resource} with the id={id} "})


def not_authorized() -> MangopayError:
    return MangopayError(401, "not_authorized",
                         "Your authorization do not allow you to access to this information")


def invalid_credentials() -> MangopayError:
    return MangopayError(401, "invalid_credentials", "The authorization credentials are not valid")


def idempotency_conflict() -> MangopayError:
    return MangopayError(409, "idempotent_creation_conflict",
                         "A resource has already been created with this Idempotency Key")


def correlation_not_found() -> MangopayError:
    return MangopayError(400, "correlationid_not_found", "Cannot found the API response for this key",
                         {"IdempotencyKey": "No API response is stored for this key"})
