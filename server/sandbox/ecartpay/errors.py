"""Ecart Pay's error body on the sandbox. Ecart Pay documents no error body, so this one is chosen
(tests/fixtures/ecartpay/README.md marks those samples "constructed"): {"code", "message"}."""

from __future__ import annotations


class EcartPayError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict:
        return {"code": self.code, "message": self.message}


def unauthorized() -> EcartPayError:
    return EcartPayError(401, "unauthorized", "Unauthorized")


def invalid(code: str, message: str) -> EcartPayError:
    return EcartPayError(400, code, message)


def declined() -> EcartPayError:
    return EcartPayError(402, "card_declined", "The card was declined.")


def hold_declined() -> EcartPayError:
    return EcartPayError(402, "validation_declined", "The card validation was declined by the issuer.")


def not_found() -> EcartPayError:
    return EcartPayError(404, "not_found", "Resource not found")
