"""Mangopay API v2.01 on the sandbox, mounted under /mangopay."""

from ..emulator import Emulator
from .backend import MangopayBackend
from .views import bp, normalize_path, render_http_error

EMULATOR = Emulator(name="mangopay", blueprint=bp, backend=MangopayBackend.from_settings,
                    render_http_error=render_http_error, api_path="/v2.01/", normalize_path=normalize_path)
