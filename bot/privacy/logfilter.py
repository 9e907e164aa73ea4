"""A logging filter that masks citizens' personal data in every log line, third-party libraries' included."""

from __future__ import annotations

import logging

from bot.privacy.pii import redact


class PersonalDataFilter(logging.Filter):
    """Replaces phones, e-mails, tax codes, IBANs, cards and plates in a record by their kind."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is, never dropped
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = PersonalDataFilter()


def install(logger: logging.Logger | None = None) -> PersonalDataFilter:
    """Put the filter on every handler of ``logger`` (the root by default), so every record passes it."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
    return _FILTER
