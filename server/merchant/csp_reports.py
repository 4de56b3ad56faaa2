"""CSP violation reports: counted by (directive, blocked origin, page), never with query strings or samples."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request

from ..core.redaction import redact
from ..core.settings import origin_of
from .errors import counters

bp = Blueprint("csp_reports", __name__)


def _report_key(report: dict) -> tuple[str, str, str]:
    """What is kept of a report: directive, blocked origin (or keyword), document path. No query
    strings, no script samples, no addresses: nothing that could identify or describe a shopper."""
    directive = str(report.get("effective-directive") or report.get("effectiveDirective")
                    or report.get("violated-directive") or "unknown").split(" ")[0][:40]
    blocked = str(report.get("blocked-uri") or report.get("blockedURL") or "")
    blocked = (origin_of(blocked) or blocked.split(":")[0] or "none")[:100]
    try:
        document = urlsplit(str(report.get("document-uri") or report.get("documentURL") or "")).path[:80]
    except ValueError:
        document = ""
    # A blocked host or path may itself carry a card number (https://4970...x.example/): scrubbed like logs.
    return redact(directive), redact(blocked), redact(document or "unknown")


MAX_REPORT_KEYS = 1000  # distinct (directive, blocked, page) kept per process; the rest only counted


@bp.post("/csp-report")
def csp_report():
    body = request.get_json(force=True, silent=True)
    items = body if isinstance(body, list) else [body]
    for item in items[:20]:
        if isinstance(item, dict):
            report = item.get("csp-report") or item.get("body") or {}
            if isinstance(report, dict):
                stored, key = current_app.extensions["panless_csp_reports"], _report_key(report)
                if key in stored or len(stored) < MAX_REPORT_KEYS:
                    stored[key] += 1
                counters()["csp_reports"] += 1
    return "", 204


@bp.get("/csp-report")
def csp_report_summary():
    stored = current_app.extensions["panless_csp_reports"]
    return jsonify(total=sum(stored.values()), reports=[
        {"directive": d, "blocked": b, "document": p, "count": n} for (d, b, p), n in stored.most_common(100)])
