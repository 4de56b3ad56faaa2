"""Stax (formerly Fattmerchant/Omni) on the sandbox, mounted under /stax (protocols.md section 4)."""

from ..emulator import Emulator
from .backend import StaxBackend
from .views import bp, render_http_error

EMULATOR = Emulator(name="stax", blueprint=bp, backend=StaxBackend.from_settings,
                    render_http_error=render_http_error)
