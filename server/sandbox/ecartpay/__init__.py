"""Ecart Pay on the sandbox, mounted under /ecartpay."""

from ..emulator import Emulator
from .backend import EcartPayBackend
from .views import bp, render_http_error

EMULATOR = Emulator(name="ecartpay", blueprint=bp, backend=EcartPayBackend.from_settings,
                    render_http_error=render_http_error)
