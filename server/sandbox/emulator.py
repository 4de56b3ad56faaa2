"""What each PSP emulator declares once (its path prefix, blueprint, backend, path normaliser, error renderer,
settings and state kept across a reset), and where a running sandbox keeps its backends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import HTTPException

from .wire import collapse_slashes

EXTENSION = "panless_sandbox"  # app.extensions[EXTENSION]: the store, the vault, and each PSP's backend by name


@dataclass(frozen=True)
class Emulator:
    name: str                                   # the prefix it is mounted under: /<name>/...
    blueprint: Blueprint
    backend: Callable[..., object]              # backend(store, vault, psp_config, sandbox_config) -> state and rules
    render_http_error: Callable[[HTTPException], Response]
    api_path: str = ""                          # the API base below the prefix (Mangopay: /v2.01/)
    normalize_path: Callable[[str], str] = collapse_slashes
    settings: Mapping[str, object] = field(default_factory=dict)  # SANDBOX settings it reads, with their defaults
    kept_on_reset: tuple[str, ...] = ()         # store kinds a reset keeps (what clients hold on to, e.g. tokens)

    def base_url(self, root: str) -> str:
        return f"{root}/{self.name}{self.api_path}"


def running_backend(name: str):
    """The backend of PSP `name` in the app serving the current request."""
    return current_app.extensions[EXTENSION][name]
