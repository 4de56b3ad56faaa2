"""Stax's error objects, Laravel's `{field: [messages]}` (and `{error}`, `{message}`), raised by the backend and
rendered by views (protocols.md section 4)."""

from __future__ import annotations


class StaxError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(str(body))
        self.status, self.body = status, body


def field_error(status: int, field: str, message: str) -> StaxError:
    return StaxError(status, {field: [message]})


def required(fields: list[str]) -> StaxError:
    return StaxError(400, {field: [f"The {field.replace('_', ' ')} field is required."] for field in fields})


def invalid_id() -> StaxError:
    return field_error(422, "id", "The selected id is invalid.")


def invalid_token() -> StaxError:
    return StaxError(401, {"error": "invalid_token"})


def not_json() -> StaxError:
    return StaxError(400, {"message": "The request body must be a JSON object."})


def request_error(status: int, message: str) -> StaxError:
    """Routing and parsing failures (unknown path, wrong method, body too large) before the backend runs."""
    return StaxError(status, {"message": message})
