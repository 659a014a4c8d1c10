"""/auth: API tokens for devices and systems (issue 14). Sign-in and client credentials need no session."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tepat.accounts.tokens import access_token, client_token_issue, token_login, token_revoke
from tepat.core.exceptions import ApplicationError

router = Router(tags=["auth"])


class LoginIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    device_name: str = Field("", max_length=100)


class ClientTokenIn(Schema):
    grant_type: str = Field("client_credentials", pattern="^client_credentials$")
    client_id: str = Field(max_length=40)
    client_secret: str = Field(max_length=256)


class TokenOut(Schema):
    id: int
    prefix: str
    name: str
    client: str | None = None
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_client(obj) -> str | None:
        return obj.client.client_id if obj.client_id else None


class IssuedTokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    prefix: str
    expires_at: datetime
    username: str
    role: str


class AuthErrorOut(Schema):
    code: str
    field: str | None = None
    message: dict[str, str]


class LoginRefused(ApplicationError):
    status_code = 401
    code = "invalid_credentials"


class LoginLocked(ApplicationError):
    status_code = 429
    code = "login_locked"


def _issued(token, raw) -> dict:
    return {"token": raw, "prefix": token.prefix, "expires_at": token.expires_at,
            "username": token.user.username, "role": token.user.role}


@router.post("/login", auth=None, response={201: IssuedTokenOut, 401: AuthErrorOut, 422: AuthErrorOut,
                                            429: AuthErrorOut},
             summary="Sign in with username and password; returns a personal bearer token")
def login(request: HttpRequest, payload: LoginIn):
    token, raw_or_until = token_login(request=request, username=payload.username, password=payload.password,
                                      name=payload.device_name)
    if token is None:
        if raw_or_until is not None:
            raise LoginLocked(
                f"Terlalu banyak percobaan; coba lagi setelah {raw_or_until:%H:%M} UTC / Too many attempts; "
                f"try again after {raw_or_until:%H:%M} UTC", extra={"locked_until": raw_or_until.isoformat()})
        raise LoginRefused("Nama pengguna atau kata sandi salah / Wrong username or password")
    return 201, _issued(token, raw_or_until)


@router.post("/token", auth=None, response={201: IssuedTokenOut, 403: AuthErrorOut, 422: AuthErrorOut},
             summary="Machine client: client-credentials grant; returns a bearer token")
def client_token(request: HttpRequest, payload: ClientTokenIn):
    token, raw = client_token_issue(request=request, client_id=payload.client_id,
                                    client_secret=payload.client_secret)
    return 201, _issued(token, raw)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens (newest first)")
def my_tokens(request: HttpRequest):
    return list(request.auth.api_tokens.select_related("client").order_by("-created_at")[:200])


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, 401: AuthErrorOut, 403: AuthErrorOut,
                                                    404: AuthErrorOut},
             summary="Revoke a token (my own; an administrator: any of the users they manage)")
def revoke(request: HttpRequest, token_id: int):
    return token_revoke(actor=request.auth, token=access_token(actor=request.auth, token_id=token_id))


@router.post("/logout", response={200: TokenOut, 401: AuthErrorOut, 404: AuthErrorOut},
             summary="Revoke the bearer token of this request")
def logout(request: HttpRequest):
    token = getattr(request, "api_token", None)
    if token is None:
        raise ApplicationError("Permintaan ini tidak memakai token / This request uses no token")
    return token_revoke(actor=request.auth, token=token)
