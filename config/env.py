"""Environment access for settings: one place that reads os.environ."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_keys(name: str) -> dict[str, str]:
    """Named secrets from one variable: "id1:secret1,id2:secret2" (ids: letters, digits, "-", "_")."""
    keys: dict[str, str] = {}
    for item in env_list(name):
        key_id, _, secret = item.partition(":")
        if key_id.strip() and secret.strip():
            keys[key_id.strip()] = secret.strip()
    return keys


def database_from_env(var: str = "DATABASE_URL") -> dict:
    """DATABASE_URL selects the database; unset means the SQLite file under ./var/."""
    default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'tepat.sqlite3'}"
    url = os.environ.get(var) or default_sqlite
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # WAL lets the worker and the web server read while the other writes.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
            "transaction_mode": "IMMEDIATE",
        }
    return config
