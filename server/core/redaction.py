"""Log redaction for every Panless service: PAN- and CVC-shaped data never reaches a log handler."""

from __future__ import annotations

import logging
import re

from .pan import redact_pans

CVC_FIELD = re.compile(r"((?:cvc|cvv|cvx|card_security_code)\W{0,3})[0-9]{3,4}", re.I)


def redact(text: str) -> str:
    return CVC_FIELD.sub(r"\1[CVC]", redact_pans(text))


_installed = False


def configure_logging(level: str | int = "INFO") -> None:
    """What every Panless service does with its log: redacted (below), written to standard error when nothing
    else handles it (gunicorn sets up only its own loggers), at `level` for the `panless` loggers."""
    install_log_redaction()
    if not logging.getLogger("panless").handlers and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("panless").setLevel(level)


def install_log_redaction() -> None:
    """Every log record created in this process is redacted before any handler sees it."""
    global _installed
    if _installed:
        return
    factory = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs):
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep only the template
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[0] is not None:  # tracebacks quote values too
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
