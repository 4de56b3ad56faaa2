"""Mangopay API v2.01 on the sandbox, mounted under /mangopay."""

from ..emulator import Emulator
from .backend import DEFAULT_TOKENIZE_DELAY, MangopayBackend
from .views import bp, normalize_path, render_http_error

EMULATOR = Emulator(name="mangopay", blueprint=bp, backend=MangopayBackend.from_settings,
                    render_http_error=render_http_error, api_path="/v2.01/", normalize_path=normalize_path,
                    settings={"TOKENIZE_DELAY": DEFAULT_TOKENIZE_DELAY},
                    # Clients cache their OAuth token (the merchant app does): a reset between tests keeps it valid.
                    kept_on_reset=("mp_oauth",))
