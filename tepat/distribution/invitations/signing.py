"""Signed invitation tokens (the text inside the QR code), verifiable offline with a published public key.

Token (ASCII, URL-safe, ~160 characters: a QR code of version 8–9 at level M):

    base64url(payload) "." base64url(Ed25519 signature)

payload (UTF-8, fields joined by "|", version first):

    "1" | key id | kpm_ref | programme | tahap | amount (rupiah) | expiry (YYYYMMDD) | village code (10 digits)

The signature covers b"tepat-invitation:" + payload bytes (a domain separator, so that no other signed
thing of the system can pass as an invitation). The token id (single use at scan) is derived from
programme, tahap and kpm_ref, not from the token: a reprint — with the same or a newer key — is the same
invitation and cannot be scanned a second time.

Keys (settings, from the environment like the audit keys): `TEPAT_INVITATION_KEYS` "id:base64url-private-key,…"
(32-byte Ed25519 seeds), `TEPAT_INVITATION_KEY_ID` the one that signs; `TEPAT_INVITATION_PUBLIC_KEYS`
"id:base64url-public-key,…" retired keys whose private half is destroyed but whose invitations still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tepat.core.exceptions import ApplicationError
from tepat.distribution.invitations.data import REF_RE, InvitationData

VERSION = "1"
DOMAIN = b"tepat-invitation:"
ALGORITHM = "Ed25519"


class InvitationTokenError(ApplicationError):
    """A token that does not verify: `code` is one of malformed, bad_signature, unknown_key, expired."""

    status_code = 422

    def __init__(self, code: str, id_text: str, en_text: str) -> None:
        self.code = code
        self.id_text, self.en_text = id_text, en_text
        super().__init__(f"{id_text} / {en_text}", extra={"reason": code, "message_id": id_text, "message_en": en_text})


def _malformed() -> InvitationTokenError:
    return InvitationTokenError("malformed", "Kode undangan tidak terbaca atau rusak.",
                                "The invitation code is unreadable or damaged.")


@dataclass(frozen=True, slots=True)
class InvitationPayload:
    key_id: str
    kpm_ref: str
    programme: str
    tahap: int
    amount: int
    expires_on: date
    village_code: str

    @property
    def token_id(self) -> str:
        return token_id(self.programme, self.tahap, self.kpm_ref)

    def as_dict(self) -> dict:
        return {"key_id": self.key_id, "kpm_ref": self.kpm_ref, "programme": self.programme, "tahap": self.tahap,
                "amount": self.amount, "expires_on": self.expires_on.isoformat(), "village_code": self.village_code,
                "token_id": self.token_id}


def token_id(programme: str, tahap: int, kpm_ref: str) -> str:
    """The single-use id of an invitation: one per KPM per programme tahap (22 characters)."""
    digest = hashlib.sha256(f"{programme}|{tahap}|{kpm_ref}".encode()).digest()[:16]
    return _b64(digest)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- keys ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def private_key(secret: str) -> Ed25519PrivateKey:
    try:
        raw = _unb64(secret)
        if len(raw) != 32:
            raise ValueError("an Ed25519 seed has 32 bytes")
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise ImproperlyConfigured(f"TEPAT_INVITATION_KEYS: not a base64url 32-byte Ed25519 key ({exc})") from None


@lru_cache(maxsize=16)
def _public_key(text: str) -> Ed25519PublicKey:
    try:
        raw = _unb64(text)
        if len(raw) != 32:
            raise ValueError("an Ed25519 public key has 32 bytes")
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise ImproperlyConfigured(f"TEPAT_INVITATION_PUBLIC_KEYS: not a base64url Ed25519 public key ({exc})") from None


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def generate_key_text() -> str:
    """A new private key as the settings hold it (for `tepat invitation-keygen` and the tests)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    return _b64(Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))


def current_key_id() -> str:
    key_id = getattr(settings, "TEPAT_INVITATION_KEY_ID", "") or ""
    if not key_id or key_id not in (getattr(settings, "TEPAT_INVITATION_KEYS", {}) or {}):
        raise ImproperlyConfigured("TEPAT_INVITATION_KEY_ID must name a key of TEPAT_INVITATION_KEYS.")
    return key_id


def public_keys() -> dict[str, str]:
    """Every key that verifies: {key id: base64url raw public key}; what field devices download."""
    keys = {kid: public_key_text(private_key(secret))
            for kid, secret in (getattr(settings, "TEPAT_INVITATION_KEYS", {}) or {}).items()}
    for kid, text in (getattr(settings, "TEPAT_INVITATION_PUBLIC_KEYS", {}) or {}).items():
        keys.setdefault(kid, public_key_text(_public_key(text)))
    return keys


def _verifier(key_id: str) -> Ed25519PublicKey | None:
    secret = (getattr(settings, "TEPAT_INVITATION_KEYS", {}) or {}).get(key_id)
    if secret:
        return private_key(secret).public_key()
    text = (getattr(settings, "TEPAT_INVITATION_PUBLIC_KEYS", {}) or {}).get(key_id)
    return _public_key(text) if text else None


# ---- sign and verify -------------------------------------------------------------------------------------


def _payload_bytes(data: InvitationData, key_id: str) -> bytes:
    fields = (VERSION, key_id, data.kpm_ref, data.programme, str(data.tahap), str(data.amount),
              data.expires_on.strftime("%Y%m%d"), data.village_code.replace(".", ""))
    return "|".join(fields).encode("utf-8")


def sign(data: InvitationData, *, key_id: str | None = None) -> str:
    """The token of one invitation, signed with the current key (or `key_id`). Refuses invalid data."""
    data.ensure_valid()
    key_id = key_id or current_key_id()
    secret = (getattr(settings, "TEPAT_INVITATION_KEYS", {}) or {}).get(key_id)
    if not secret:
        raise ImproperlyConfigured(f"No private invitation key {key_id!r} in TEPAT_INVITATION_KEYS.")
    payload = _payload_bytes(data, key_id)
    signature = private_key(secret).sign(DOMAIN + payload)
    return f"{_b64(payload)}.{_b64(signature)}"


def _village(digits: str) -> str:
    if len(digits) != 10 or not digits.isdigit():
        raise ValueError("village code")
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


def decode(token: str) -> tuple[InvitationPayload, bytes, bytes]:
    """(payload, signed bytes, signature) of a token, without checking the signature."""
    token = "".join((token or "").split())  # printed tokens wrap over lines; typed ones carry spaces
    try:
        payload_text, signature_text = token.split(".")
        payload_raw, signature = _unb64(payload_text), _unb64(signature_text)
        fields = payload_raw.decode("utf-8").split("|")
        version, key_id, kpm_ref, programme, tahap, amount, expiry, village = fields
        if version != VERSION or len(signature) != 64 or not REF_RE.match(key_id):
            raise ValueError("version")
        expires_on = date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:8]))
        if len(expiry) != 8 or not tahap.isdigit() or not amount.isdigit():
            raise ValueError("numbers")
        payload = InvitationPayload(key_id, kpm_ref, programme, int(tahap), int(amount), expires_on, _village(village))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise _malformed() from None
    return payload, payload_raw, signature


def verify(token: str, *, today: date | None = None) -> InvitationPayload:
    """The payload of a genuine, unexpired token; otherwise InvitationTokenError with the reason (ID/EN)."""
    payload, payload_raw, signature = decode(token)
    key = _verifier(payload.key_id)
    if key is None:
        raise InvitationTokenError(
            "unknown_key", f"Kunci penanda tangan '{payload.key_id}' tidak dikenal: undangan ini bukan dari sistem "
            "ini atau kuncinya sudah dicabut.",
            f"Unknown signing key '{payload.key_id}': this invitation is not from this system or its key was revoked.")
    try:
        key.verify(signature, DOMAIN + payload_raw)
    except InvalidSignature:
        raise InvitationTokenError(
            "bad_signature", "Tanda tangan tidak sah: isi undangan telah diubah atau dipalsukan.",
            "Bad signature: the invitation has been altered or forged.") from None
    today = today or timezone.localdate()
    if today > payload.expires_on:
        day = payload.expires_on.strftime("%d-%m-%Y")
        raise InvitationTokenError("expired", f"Undangan kedaluwarsa sejak {day}.",
                                   f"The invitation expired on {day}.")
    return payload
