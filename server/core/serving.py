"""gunicorn, run from `panless serve` and `panless relay` with its options given in code (no config file, no
command line)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    def __init__(self, factory, options: dict):
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.factory()  # in each worker: its own database pool, limiter and HTTP sessions
