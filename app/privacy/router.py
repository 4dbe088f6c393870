"""Your data: the page, the JSON download, account deletion; and their /api/v1/me equivalents."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import SESSION_COOKIE, CurrentUser
from app.accounts.models import User
from app.content.dependencies import ContentDep
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep, client_ip, verify_csrf
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors, form_dict
from app.core.handlers import error_response
from app.core.responses import attachment
from app.core.templating import render
from app.privacy import service
from app.privacy.schemas import AccountDelete, DataExport

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["your data"])

WRONG_PASSWORD = "The password is not right. Your account has not been deleted."
DATA_TEMPLATE = "privacy/data.html"


def _data_page(
    request: Request, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    context = {"title": "Your data", "errors": errors or {}}
    return render(request, DATA_TEMPLATE, context, status_code=status_code)


def _refused(errors: dict[str, str], status_code: int = 422) -> FormInvalid:
    """The data page again; raised, so the request rolls back (nothing it wrote must stay)."""
    context = {"title": "Your data"}
    return FormInvalid(errors, template=DATA_TEMPLATE, context=context, status_code=status_code)


def _delete_account(
    session: Session, *, user: User, password: str, ip: str, settings: Settings
) -> bool:
    """Delete the account if the password is right; False if it is wrong.

    Only a wrong password returns: its failed attempt and throttle count are written in the
    request's own transaction (app.accounts.auth.confirm_password), so the caller must answer
    with a page, not an error, for them to be committed. Everything else refused raises.
    """
    if not password:
        raise _refused({"password": "Enter your password"})
    try:
        return service.delete_account(
            session, user=user, password=password, ip=ip, settings=settings
        )
    except AppError as exc:  # the only admin (409), or too many attempts (429)
        raise _refused(field_errors(exc, {}, default="password"), exc.status_code) from exc


@pages.get("/me/data")
def data_page(request: Request, _user: CurrentUser) -> Response:
    """What we hold about you, a download of all of it, and how to delete your account."""
    return _data_page(request)


@pages.get("/me/export.json")
def export_download(user: CurrentUser, registry: ContentDep, session: SessionDep) -> Response:
    """Everything we hold about you, as a JSON file."""
    data = service.export(session, user=user, registry=registry)
    body = json.dumps(data.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)
    name = f"qi-academy-data-{data.exported_at:%Y-%m-%d}.json"
    return attachment(body, filename=name, media_type="application/json")


@pages.post("/me/delete")
async def delete_submit(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Delete the account after the password check, sign out, and say it is done."""
    password = form_dict(await request.form(), "password")["password"]
    ip = client_ip(request)
    if not _delete_account(session, user=user, password=password, ip=ip, settings=settings):
        # A response, not a raise: the failed attempt must be committed (see _delete_account).
        return _data_page(request, errors={"password": WRONG_PASSWORD}, status_code=422)
    response = RedirectResponse("/account-deleted", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@pages.get("/account-deleted")
def account_deleted(request: Request) -> Response:
    """Confirmation that the account is gone."""
    return render(request, "privacy/deleted.html", {"title": "Your account has been deleted"})


@api.get("/me/export")
def export_data(user: CurrentUser, registry: ContentDep, session: SessionDep) -> DataExport:
    """Everything QI Academy holds about you: profile, progress, attempts, credentials, feedback."""
    return service.export(session, user=user, registry=registry)


@api.delete("/me", status_code=204, responses={403: {"description": "Wrong password"}})
def delete_me(
    request: Request,
    data: AccountDelete,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Delete your account (password required): personal data erased, credentials revoked."""
    if not service.delete_account(
        session, user=user, password=data.password, ip=client_ip(request), settings=settings
    ):
        return error_response(request, status_code=403, detail=WRONG_PASSWORD, kind="WrongPassword")
    return Response(status_code=204)
