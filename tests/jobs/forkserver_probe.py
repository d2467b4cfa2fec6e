"""A solver process's stand-in: it reports which modules it holds that its forkserver did not."""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from app.jobs.preload import PRELOADED


def report_new_modules(connection: Connection) -> None:
    connection.send(sorted(set(sys.modules) - PRELOADED))
    connection.close()
