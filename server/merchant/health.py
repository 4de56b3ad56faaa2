"""GET /healthz for load balancers: cheap (one database round trip, one rate-limit storage ping, no PSP
call, so a slow PSP never takes every instance out of rotation; nor does a rate-limit storage every instance
shares, which only degrades it). `panless check` does the thorough checks."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)
log = logging.getLogger("panless.health")


def failing() -> list[str]:
    problems = []
    try:
        current_app.extensions["panless_store"].ping()
    except SQLAlchemyError as exc:
        log.error("health: database unreachable (%s)", type(exc).__name__)
        problems.append("database")
    try:
        reachable = current_app.extensions["panless_limiter"].storage.check()
    except Exception:  # the storage client's own errors
        reachable = False
    if not reachable:
        problems.append("ratelimit_storage")
    return problems


# What an instance cannot serve without. The rate-limit storage is not: while it is away requests go through
# uncounted (logged), and since every instance shares it, a 503 for it would take them all out of rotation.
ESSENTIAL = {"database"}


@bp.get("/healthz")
def healthz():
    problems = failing()
    down = ESSENTIAL.intersection(problems)
    body = {"status": "unavailable" if down else "degraded" if problems else "ok", "failing": problems}
    return jsonify(body), 503 if down else 200
