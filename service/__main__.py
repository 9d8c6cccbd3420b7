"""python -m service [--config PATH]: load settings, set up logging, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from aiohttp import web

from service.app import create_app
from service.settings import SettingsError, load_settings


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description="sandpit: run code in fresh containers")
    parser.add_argument("--config", type=Path, help="settings file (default: settings.yaml of the project)")
    args = parser.parse_args()
    try:
        settings = load_settings(args.config)
    except SettingsError as error:
        print(f"sandpit: {error}", file=sys.stderr)
        return 2
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        handler_cancellation=True,
        shutdown_timeout=settings.shutdown_grace + 5,
        print=lambda message: logging.getLogger("service").info(message.strip()),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
