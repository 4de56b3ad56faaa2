"""Mangopay API v2.01 on the sandbox, mounted under /mangopay."""

from .views import bp, normalize_path, render_http_error

__all__ = ["bp", "normalize_path", "render_http_error"]
