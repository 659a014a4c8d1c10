"""The proof-of-work challenge of the public forms (ALTCHA, the `altcha` library's PoW v1 format): the
server signs a challenge (SHA-256 of salt + a secret number up to `pow_max_number`), the browser finds the
number (`static/public/pow.js`, our own small solver: nothing is loaded from elsewhere), the server checks
the signature and the hash and spends the solution once (`SpentChallenge`), so a solution cannot be
replayed. No external service, works offline."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import altcha
from django.db import IntegrityError, transaction
from django.utils import timezone

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.public import conf
from tepat.public.models import SpentChallenge

FIELD = "altcha"


def challenge_new() -> dict[str, Any]:
    expires = timezone.now() + dt.timedelta(seconds=conf.pow_seconds())
    challenge = altcha.create_challenge_v1(algorithm="SHA-256", max_number=conf.pow_max_number(),
                                           hmac_key=conf.pow_key(), expires=expires)
    return challenge.to_dict()


def _refused() -> ValidationFailed:
    return ValidationFailed([Issue("challenge", FIELD, "pemeriksaan keamanan belum selesai atau tidak sah; "
                                   "tunggu sampai selesai lalu kirim lagi",
                                   "the security check is not finished or not valid; wait until it is done "
                                   "and send again")])


def challenge_spend(payload: str) -> None:
    """Accept a solved challenge once; refuse a missing, wrong, expired or already used one (same message)."""
    payload = (payload or "").strip()
    if not payload or len(payload) > 2000:
        raise _refused()
    ok, _error = altcha.verify_solution_v1(payload, conf.pow_key(), check_expires=True)
    if not ok:
        raise _refused()
    data = json.loads(base64.b64decode(payload).decode())
    signature = str(data.get("signature", ""))[:128]
    now = timezone.now()
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(signature=signature,
                                          expires_at=now + dt.timedelta(seconds=conf.pow_seconds()))
    except IntegrityError:
        raise _refused() from None
    if signature.startswith("0"):  # about one request in 16 clears the spent solutions that expired
        SpentChallenge.objects.filter(expires_at__lt=now).delete()


def challenge_solve(challenge: dict[str, Any]) -> str:
    """The payload a browser would send (tests, the demo, load tests; brute force like pow.js)."""
    solution = altcha.solve_challenge_v1(challenge["challenge"], challenge["salt"], challenge["algorithm"],
                                         challenge["maxNumber"])
    payload = {"algorithm": challenge["algorithm"], "challenge": challenge["challenge"],
               "number": solution.number, "salt": challenge["salt"], "signature": challenge["signature"]}
    return base64.b64encode(json.dumps(payload).encode()).decode()
