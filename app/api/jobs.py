"""Telling the job runner beside the API that there is work (without one, its poll finds it)."""

from __future__ import annotations

from fastapi import Request


def wake_runner(request: Request) -> None:
    runner = getattr(request.app.state, "runner", None)
    wake = getattr(runner, "wake", None)
    if callable(wake):
        wake()
