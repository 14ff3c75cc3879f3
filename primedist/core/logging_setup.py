"""The log file in the data dir (`logs/primedist.log`): the app's window and the headless
scheduler (`primedist sync --loop`) log there alike, tokens and passwords redacted."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from primedist.core.security import redact

LOG_FILE = "primedist.log"
#: Libraries whose INFO lines are noise: APScheduler says "Running job…" and "executed
#: successfully" for every run of the every-minute jobs (2 MB a day), which would push a
#: failure's traceback out of the rotated files within days. Their warnings still show.
QUIET_LOGGERS = ("apscheduler",)


class _RedactFilter(logging.Filter):
    """Never write tokens or passwords to the log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        # The traceback carries the exception's message (often a URL or a payload): the
        # formatter uses exc_text as given when it is set, so set it redacted.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def setup_logging(log_dir: Path) -> Path | None:
    """Log to `log_dir/primedist.log` (rotated); returns the file path. Where that file
    cannot be written (a read-only data dir, a file named like the folder), the log goes
    to stderr instead and None is returned: the app goes on to say what is wrong in its
    own words, rather than end on the log's OSError."""
    path = log_dir / LOG_FILE
    handler: logging.Handler
    problem: OSError | None = None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        handler, problem = logging.StreamHandler(), exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if problem is not None:
        logging.getLogger(__name__).warning("cannot write the log file %s (%s): logging to "
                                            "stderr", path, problem)  # fmt: skip
        return None
    return path
