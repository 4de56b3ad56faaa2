"""Log redaction for every Panless service: PAN- and CVC-shaped data never reaches a log handler."""

from __future__ import annotations

import logging
import re

from .pan import redact_pans
from .settings import ConfigError

CVC_FIELD = re.compile(r"((?:cvc|cvv|cvx|card_security_code)\W{0,3})[0-9]{3,4}", re.I)


def redact(text: str) -> str:
    return CVC_FIELD.sub(r"\1[CVC]", redact_pans(text))


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(level: object = "INFO") -> str:
    """What every Panless service does with its log: redacted (below), written to standard error when nothing
    else handles it (gunicorn sets up only its own loggers), at PANLESS_LOG_LEVEL (any case) for the `panless`
    loggers. -> the level's name; ConfigError naming the variable for any other value."""
    name = str(level).upper()
    if name not in LOG_LEVELS:
        raise ConfigError(f"PANLESS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {level!r})")
    install_log_redaction()
    if not logging.getLogger("panless").handlers and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("panless").setLevel(name)
    return name


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
