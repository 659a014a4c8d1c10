#!/usr/bin/env python3
"""A small Tepat API client using only the Python standard library (issue 14).

It signs in for a bearer token, lists families, creates a proposal with an Idempotency-Key (and sends it
twice, as a device retrying after a lost answer would: the second answer is the first one replayed), pages
through the sync changes of a facilitator, and revokes its token.

    python3 docs/api-client-example.py --base http://127.0.0.1:8000 --username psm --password ... --sync
    python3 docs/api-client-example.py --base ... --username op_desa --password ... --proposal proposal.json

`--proposal` is a file (or inline JSON) with the body of POST /api/v1/updates/proposals. The last line
printed is a JSON summary. Every API error is JSON {"code", "field", "message": {"id", "en"}}: `ApiError`.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body
        self.code = body.get("code", "")
        self.field = body.get("field")
        message = body.get("message") or {}
        super().__init__(f"{status} {self.code}: {message.get('en', '') if isinstance(message, dict) else message}")


class TepatClient:
    def __init__(self, base: str, timeout: float = 30.0):
        self.base = base.rstrip("/") + "/api/v1"
        self.timeout = timeout
        self.token: str | None = None
        self.bytes_sent = 0
        self.bytes_received = 0

    def request(self, method: str, path: str, body: object = None, *, query: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, object]:
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            sent["Content-Type"] = "application/json"
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, method=method, headers=sent)
        self.bytes_sent += len(data or b"")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                status, answer_headers = response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw = error.read()
            self.bytes_received += len(raw)
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = {"code": "http_error", "message": {"id": "", "en": raw[:200].decode(errors="replace")}}
            raise ApiError(error.code, parsed) from None
        self.bytes_received += len(raw)
        return status, answer_headers, json.loads(raw) if raw else None

    # --- the calls ---------------------------------------------------------------------------------------

    def login(self, username: str, password: str, device_name: str = "api-client-example") -> dict:
        _, _, body = self.request("POST", "/auth/login",
                                  {"username": username, "password": password, "device_name": device_name})
        self.token = body["token"]
        return body

    def logout(self) -> None:
        self.request("POST", "/auth/logout")
        self.token = None

    def me(self) -> dict:
        return self.request("GET", "/me")[2]

    def families(self, q: str = "", page: int = 1) -> dict:
        return self.request("GET", "/registry/families", query={"q": q, "page": page})[2]

    def create_proposal(self, body: dict, idempotency_key: str) -> tuple[dict, bool]:
        """(the proposal, whether the answer was a replay of an earlier request with this key)."""
        _, headers, proposal = self.request("POST", "/updates/proposals", body,
                                            headers={"Idempotency-Key": idempotency_key})
        replayed = {k.lower(): v for k, v in headers.items()}.get("idempotency-replayed") == "true"
        return proposal, replayed

    def sync(self, cursor: str = "", limit: int = 100):
        """Every page of changes after `cursor`; the last page's cursor is the one to keep."""
        while True:
            page = self.request("GET", "/sync/changes", query={"cursor": cursor, "limit": limit})[2]
            yield page
            cursor = page["cursor"]
            if not page["has_more"]:
                return

    def upload_visits(self, items: list[dict]) -> dict:
        return self.request("POST", "/sync/visits", {"items": items})[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--proposal", help="JSON body (or a file holding it) for POST /updates/proposals")
    parser.add_argument("--sync", action="store_true", help="page through /sync/changes")
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args(argv)

    client = TepatClient(args.base)
    summary: dict = {}
    try:
        issued = client.login(args.username, args.password)
        summary["token_prefix"] = issued["prefix"]
        summary["me"] = client.me()["username"]
        summary["families_visible"] = client.families()["count"]
        if args.proposal:
            text = args.proposal
            if not text.lstrip().startswith("{"):
                with open(text, encoding="utf-8") as handle:
                    text = handle.read()
            key = str(uuid.uuid4())
            first, _ = client.create_proposal(json.loads(text), key)
            again, replayed = client.create_proposal(json.loads(text), key)  # a retry after a lost answer
            summary["proposal"] = {"id": first["id"], "retry_id": again["id"], "replayed": replayed}
        if args.sync:
            pages = list(client.sync(limit=args.limit))
            summary["sync"] = {"pages": len(pages),
                               "assignments": sum(len(p["assignments"]) for p in pages),
                               "members": sum(len(p["members"]) for p in pages),
                               "cursor": pages[-1]["cursor"]}
        client.logout()
    except ApiError as error:
        summary["error"] = {"status": error.status, "code": error.code, "field": error.field}
        sys.stdout.write(json.dumps(summary) + "\n")
        return 1
    summary["bytes"] = {"sent": client.bytes_sent, "received": client.bytes_received}
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
