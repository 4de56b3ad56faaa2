"""Juspay Express Checkout's card vault on the sandbox, mounted under /juspay (protocols.md section 2)."""

from ..emulator import Emulator
from .backend import JuspayBackend
from .views import bp, render_http_error

EMULATOR = Emulator(name="juspay", blueprint=bp, backend=JuspayBackend.from_settings,
                    render_http_error=render_http_error)
