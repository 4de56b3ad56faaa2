"""What each PSP emulator declares once: its path prefix, blueprint, backend, path normaliser and error renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException

from .wire import collapse_slashes


@dataclass(frozen=True)
class Emulator:
    name: str                                   # the prefix it is mounted under: /<name>/...
    blueprint: Blueprint
    backend: Callable[..., object]              # backend(store, vault, settings) -> the PSP's state and rules
    render_http_error: Callable[[HTTPException], Response]
    api_path: str = ""                          # the API base below the prefix (Mangopay: /v2.01/)
    normalize_path: Callable[[str], str] = collapse_slashes
    settings: Callable[[dict], dict] | None = None  # extra sandbox settings the backend reads, by default

    def base_url(self, root: str) -> str:
        return f"{root}/{self.name}{self.api_path}"
