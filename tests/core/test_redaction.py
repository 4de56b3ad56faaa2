"""Log redaction (core/redaction.py): every logger's records, tracebacks included."""

import logging

from panless.core.redaction import install_log_redaction


def test_log_redaction_covers_every_logger(caplog):
    install_log_redaction()
    with caplog.at_level("INFO"):
        logging.getLogger("some.library").info("card %s cvc=%s", "4970107111111119", "123")
        logging.getLogger("werkzeug").info('"POST /x?cardNumber=4970-1071-1111-1119 HTTP/1.1"')
    text = "\n".join(caplog.messages)
    assert "4970107111111119" not in text and "1111-1119" not in text and "cvc=123" not in text
    assert "[PAN]" in text


def test_log_redaction_covers_tracebacks(caplog):
    install_log_redaction()
    with caplog.at_level("INFO"):
        try:
            raise ValueError("card 4970107111111119 refused")
        except ValueError:
            logging.getLogger("some.library").exception("while saving")
    assert "Traceback" in caplog.text and "ValueError: card [PAN] refused" in caplog.text
    assert "4970107111111119" not in caplog.text
