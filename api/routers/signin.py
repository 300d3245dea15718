"""Signing in to the dashboards when the server requires the token for reads
(CURAGRAPH_API_READ_TOKEN_REQUIRED): a form that takes the token and keeps it in a cookie.

The cookie is HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends it),
and it only ever stands in for the token on reads: writes take the token from the Authorization
header alone, so a page cannot be tricked into writing with it (no CSRF on writes).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import READ_COOKIE, SettingsDep, token_matches
from api.errors import PAGE_ERROR_RESPONSES

log = logging.getLogger(__name__)

router = APIRouter(prefix="/ui", tags=["dashboards"])

_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · curagraph</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/app.css"></head>
<body><header><a class="brand" href="/ui">curagraph</a></header>
<main><h1>Sign in</h1>
<p class="muted">This server asks for its API token to show the catalog.</p>
{error}
<form method="post" action="/ui/sign-in" id="sign-in">
  <input type="hidden" name="next" value="{next}">
  <label>API token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <button type="submit">sign in</button>
</form></main></body></html>"""


def _safe_next(target: str | None) -> str:
    """Only a path on this server (no scheme, no host): never an open redirect."""
    if not target:
        return "/ui"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/ui"
    return target


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


@router.get(
    "/sign-in",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    summary="Sign in to the dashboards",
)
def sign_in_form(next: str | None = None) -> HTMLResponse:
    return HTMLResponse(_FORM.format(error="", next=_escape(_safe_next(next))))


_REDIRECT: dict[int | str, dict[str, Any]] = {
    303: {
        "description": "Done: on to the page asked for",
        "headers": {"Location": {"description": "Where the browser goes next", "schema": {"type": "string"}}},
    }
}
_WRONG_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not this server's token: the form again", "content": {"text/html": {}}}
}


@router.post(
    "/sign-in",
    response_class=HTMLResponse,
    responses={**PAGE_ERROR_RESPONSES, **_REDIRECT, **_WRONG_TOKEN},
    summary="Sign in with the API token",
)
def sign_in(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str, Form(description="The server's API token.")],
    next: Annotated[str, Form(description="Where to go after signing in.")] = "/ui",
) -> Response:
    target = _safe_next(next)
    if not token_matches(token, settings):
        log.info("a sign-in with a wrong token")
        error = '<p class="deficit" id="sign-in-error">That is not this server\'s token.</p>'
        return HTMLResponse(_FORM.format(error=error, next=_escape(target)), status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        READ_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
        max_age=12 * 3600,
    )
    return response


@router.post(
    "/sign-out",
    response_class=HTMLResponse,
    responses={**PAGE_ERROR_RESPONSES, **_REDIRECT},
    summary="Sign out of the dashboards",
)
def sign_out() -> Response:
    response = RedirectResponse("/ui/sign-in", status_code=303)
    response.delete_cookie(READ_COOKIE, path="/")
    return response
