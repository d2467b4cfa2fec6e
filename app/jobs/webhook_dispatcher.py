"""The webhook dispatcher beside the API: a thread that delivers due webhooks every
`webhook_poll_s`. Any number of dispatchers (threads in several API processes, Celery tasks
calling `deliver_due`) may run at once: claims in the database keep each attempt to one."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from app.core.config import Settings
from app.core.db import Database
from app.services.webhooks import deliver_due

log = logging.getLogger("onderbouwd.webhooks")


class WebhookDispatcher:
    def __init__(self, database: Database, settings: Settings, owner: str | None = None) -> None:
        self.database = database
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="onderbouwd-webhooks",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                # A full pass may have left more due: go again at once.
                while deliver_due(self.database, self.settings, self.owner) and (
                        not self._stopping.is_set()):
                    pass
            except Exception:  # a database hiccup must not end the dispatcher
                log.exception("webhook dispatcher %s: pass failed; trying again", self.owner)
            self._stopping.wait(self.settings.webhook_poll_s)
