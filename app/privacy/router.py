"""Your data: the page, the JSON download, account deletion; and their /api/v1/me equivalents."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request, status
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import SESSION_COOKIE, CurrentUser
from app.content.dependencies import ContentDep
from app.core.deps import SessionDep, SettingsDep, client_ip, verify_csrf
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.handlers import error_response
from app.core.templating import render
from app.privacy import service
from app.privacy.schemas import AccountDelete, DataExport

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["your data"])

WRONG_PASSWORD = "The password is not right. Your account has not been deleted."


def _data_page(
    request: Request, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "privacy/data.html",
        {"title": "Your data", "errors": errors or {}},
        status_code=status_code,
    )


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
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@pages.post("/me/delete")
async def delete_submit(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Delete the account after the password check, sign out, and say it is done."""
    password = form_dict(await request.form(), "password")["password"]
    if not password:
        return _data_page(request, errors={"password": "Enter your password"}, status_code=422)
    try:
        deleted = service.delete_account(
            session, user=user, password=password, ip=client_ip(request), settings=settings
        )
    except AppError as exc:
        return _data_page(
            request, errors={exc.field or "password": exc.message}, status_code=exc.status_code
        )
    if not deleted:  # a response, not a raise: the failed attempt must be committed
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
