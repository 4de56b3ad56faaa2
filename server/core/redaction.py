"""Log redaction for every Panless service: PAN- and CVC-shaped data never reaches a log handler."""

from __future__ import annotations

import logging
import re

from .pan import PAN_SHAPED, find_pans

CVC_FIELD = re.compile(r"((?:cvc|cvv|cvx|card_security_code)\W{0,3})[0-9]{3,4}", re.I)


def redact(text: str) -> str:
    return CVC_FIELD.sub(r"\1[CVC]", PAN_SHAPED.sub(lambda m: "[PAN]" if find_pans(m.group(0)) else m.group(0), text))


_installed = False


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
