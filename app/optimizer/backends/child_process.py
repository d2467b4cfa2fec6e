"""What every solver child process does the same way: quiet stdout, die with its parent, and
how its parent stops it."""

from __future__ import annotations

import os
import resource
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


def limit_memory(limit_mb: int) -> None:
    """Cap this process's address space (0: no cap). An allocation past it fails (MemoryError,
    or the solver's own out-of-memory error) inside this process only, so the solve ends with
    an error and whoever started the process lives on."""
    if limit_mb <= 0:
        return
    limit = limit_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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
