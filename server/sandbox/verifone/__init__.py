"""Verifone UK Gateway on the sandbox, mounted under /verifone."""

from ..emulator import Emulator
from .backend import VerifoneBackend
from .views import bp, render_http_error

EMULATOR = Emulator(name="verifone", blueprint=bp, backend=VerifoneBackend.from_settings,
                    render_http_error=render_http_error)
