"""Mangopay API v2.01 on the sandbox, mounted under /mangopay."""

from .views import bp, normalize_path, render_http_error

PREFIX = "/mangopay"

__all__ = ["PREFIX", "bp", "normalize_path", "render_http_error"]
