"""The current request's id, so audit events written deep in services can name their request."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("tepat_request_id", default=None)


def get_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


# How the current request's actor was authenticated when it was not the page session (issue 14): a personal
# API token or a machine client's token. Audit events written during the request carry it (`data["via"]`).
_via: contextvars.ContextVar[dict | None] = contextvars.ContextVar("tepat_request_via", default=None)


def get_via() -> dict | None:
    return _via.get()


def set_via(value: dict | None) -> contextvars.Token:
    return _via.set(value)


def reset_via(token: contextvars.Token) -> None:
    _via.reset(token)
