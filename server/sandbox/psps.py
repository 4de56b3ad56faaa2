"""The PSPs the sandbox emulates: one line each (docs/adding-a-psp.md)."""

from __future__ import annotations

from . import ecartpay, juspay, mangopay, stax, verifone
from .emulator import Emulator

EMULATORS: list[Emulator] = [
    mangopay.EMULATOR,
    juspay.EMULATOR,
    stax.EMULATOR,
    ecartpay.EMULATOR,
    verifone.EMULATOR,
]
