"""What every solver child process does the same way: quiet stdout, die with its parent, and
how its parent stops it."""

from __future__ import annotations

import os
import threading
import time
from multiprocessing.process import BaseProcess

PARENT_WATCH_S = 1.0


def quiet_stdout() -> None:
    """Solver libraries print at C level; keep that off stdout (a CLI's JSON goes there)."""
    try:
        os.dup2(2, 1)
    except OSError:
        pass


def exit_with_parent() -> None:
    """Exit as soon as the process that started this one is gone: no orphaned solves."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_WATCH_S)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def end_process(process: BaseProcess) -> None:
    """Terminate, then kill if it does not go; a process never started is left alone."""
    if process.pid is None:
        return
    if process.is_alive():
        process.terminate()
        process.join(2)
    if process.is_alive():
        process.kill()
    process.join(2)
