"""Verifone UK Gateway's error body on the sandbox. Verifone's UK Gateway pages show no error body, so this
one is chosen (tests/fixtures/verifone/README.md marks those samples "constructed"):
{"code": <HTTP status>, "error": <snake_case reason>, "message"}."""

from __future__ import annotations


class VerifoneError(Exception):
    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def body(self) -> dict:
        return {"code": self.status, "error": self.error, "message": self.message}


def unauthorized() -> VerifoneError:
    return VerifoneError(401, "unauthorized", "A valid X-APIKEY header is required.")


def invalid(field: str, message: str) -> VerifoneError:
    return VerifoneError(400, f"invalid_{field}", message)


def not_supported() -> VerifoneError:
    return VerifoneError(422, "card_not_supported", "The card is not supported.")


def not_found(what: str) -> VerifoneError:
    return VerifoneError(404, "not_found", f"{what} not found.")
