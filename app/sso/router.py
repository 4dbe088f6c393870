"""Single sign-on pages (sign in with your organisation, the provider's callback, sign-out) and
the admin pages and API for identity providers; thin routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from app.accounts import auth, web
from app.accounts import service as accounts_service
from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import AdminUser
from app.core.config import Settings
from app.core.deps import IsolatedSessions, SessionDep, SettingsDep, client_ip, verify_csrf
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors, form_dict, safe_next
from app.core.responses import done_message, done_redirect
from app.core.templating import render
from app.sso import providers, service
from app.sso.dependencies import ManagedProvider
from app.sso.schemas import ProviderCreate, ProviderPublic, ProviderUpdate

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/admin/identity-providers", tags=["single sign-on"])

Param = Annotated[str, Query(max_length=2000)]
_TITLE = "Sign in with your organisation"
_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "client_secret",
    "domains",
    "organisation_id",
    "default_staff_group",
    "trust_email",
    "enabled",
)
_LABELS = {
    "name": "a name",
    "issuer": "the issuer URL",
    "client_id": "the client ID",
    "client_secret": "the client secret",
    "domains": "the email domains",
    "organisation_id": "the organisation",
    "default_staff_group": "a staff group",
}
DONE = {"created": "Identity provider added.", "saved": "Identity provider saved."}
# Each start stores a pending sign-in for 10 minutes: enough for a busy ward behind one address.
STARTS_PER_IP_PER_HOUR = 120


# ---- signing in --------------------------------------------------------------------------------


@pages.get("/sso")
def sso_page(
    request: Request, next_url: Annotated[str | None, Query(alias="next", max_length=500)] = None
) -> Response:
    """Sign in with your organisation: the work email form."""
    context = {"title": _TITLE, "next": safe_next(next_url), "email": ""}
    return render(request, "sso/sign_in.html", context)


def _begin(request: Request, session: SessionDep, settings: Settings, form: dict[str, str]) -> Any:
    context = {"title": _TITLE, "next": safe_next(form["next"]), "email": form["email"]}
    if not form["email"].strip():
        errors = {"email": "Enter your work email address"}
        raise FormInvalid(errors, template="sso/sign_in.html", context=context)
    try:
        return service.begin(
            session,
            email=form["email"],
            next_path=form["next"],
            browser=request.state.csrf_secret,
            settings=settings,
        )
    except AppError as exc:
        errors = {"email": exc.message}
        raise FormInvalid(
            errors, template="sso/sign_in.html", context=context, status_code=exc.status_code
        ) from exc


def _start_rate(request: Request, isolated: IsolatedSessions) -> None:
    limit = auth.hourly_limit("sso", client_ip(request), STARTS_PER_IP_PER_HOUR)
    auth.check_rate(
        isolated,
        limit,
        message="Too many sign-ins were started from this network in the last hour. Try again in an hour.",
    )


@pages.post("/sso/start", dependencies=[Depends(_start_rate)])
async def sso_start(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Remember this sign-in (state, nonce, PKCE) and send the browser to the provider."""
    form = form_dict(await request.form(), "email", "next")
    started = _begin(request, session, settings, form)
    context = {"title": f"Taking you to {started.provider}", **vars(started)}
    return render(request, "sso/redirect.html", context)


def _finish(
    request: Request,
    session: SessionDep,
    settings: Settings,
    isolated: IsolatedSessions,
    answer: dict[str, str],
) -> service.SignedIn:
    try:
        return service.finish(
            session,
            **answer,
            browser=request.state.csrf_secret,
            settings=settings,
            isolated=isolated,
        )
    except AppError as exc:  # raised on: the request rolls back, the page says what happened
        context = {"title": "We could not sign you in"}
        raise FormInvalid(
            {"sso": exc.message},
            template="sso/problem.html",
            context=context,
            status_code=exc.status_code,
        ) from exc


@pages.get("/sso/callback")
def sso_callback(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    isolated: IsolatedSessions,
    state: Param = "",
    code: Param = "",
    error: Param = "",
) -> Response:
    """The provider's answer. A GET that signs in, as OpenID Connect's code flow requires."""
    answer = {"state": state, "code": code, "error": error}
    done = _finish(request, session, settings, isolated, answer)
    after = f"/sso/signed-out/{done.provider_id}"
    return web.signed_in(
        request, session, settings, done.user, to=done.next_path, after_sign_out=after
    )


@pages.get("/sso/signed-out/{provider_id}")
def sso_signed_out(
    request: Request, provider_id: int, session: SessionDep, settings: SettingsDep
) -> Response:
    """Signed out of QI Academy; offer the organisation's own sign-out too."""
    offer = service.sign_out_offer(session, provider_id=provider_id, settings=settings)
    return render(request, "sso/signed_out.html", {"title": "You have signed out", "offer": offer})


# ---- administration ------------------------------------------------------------------------------


@pages.get("/admin/sso")
def providers_page(
    request: Request, _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Every identity provider, with its organisation and email domains."""
    context = {
        "title": "Single sign-on",
        "providers": providers.list_providers(session, settings),
        "done": done_message(request, DONE),
        "nav": "admin",
    }
    return render(request, "sso/providers.html", context)


def _form_context(
    session: SessionDep, settings: Settings, form: dict[str, str], provider_id: int | None
) -> dict[str, Any]:
    orgs = accounts_service.organisations_with_counts(session)
    return {
        "title": "Edit identity provider" if provider_id else "Add an identity provider",
        "form": form,
        "provider_id": provider_id,
        "organisations": [{"id": o.id, "name": o.name} for o, _ in orgs],
        "staff_groups": STAFF_GROUPS,
        "redirect_uri": providers.redirect_uri(settings),
        "post_logout_uri": providers.post_logout_redirect_uri(settings),
        "nav": "admin",
    }


def _provider_form(public: ProviderPublic | None) -> dict[str, str]:
    if public is None:
        return {"default_staff_group": "other", "enabled": "yes"}
    return {
        **{k: str(v) for k, v in public.model_dump().items() if isinstance(v, str | int)},
        "domains": "\n".join(public.domains),
        "trust_email": "yes" if public.trust_email else "",
        "enabled": "yes" if public.enabled else "",
    }


def _data(form: dict[str, str], *, create: bool) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in form.items() if k not in ("trust_email", "enabled")}
    data["trust_email"] = form["trust_email"] == "yes"
    if not create:
        data["enabled"] = form["enabled"] == "yes"
        data["client_secret"] = form["client_secret"] or None
    return data


def _save(
    session: SessionDep,
    settings: Settings,
    admin: AdminUser,
    form: dict[str, str],
    provider: ManagedProvider | None,
) -> None:
    """Validate and save the form, or raise FormInvalid with the form again (secret left out)."""
    try:
        if provider is None:
            data = ProviderCreate.model_validate(_data(form, create=True))
            providers.register_provider(session, actor=admin, data=data, settings=settings)
        else:
            update = ProviderUpdate.model_validate(_data(form, create=False))
            providers.update_provider(
                session, actor=admin, provider=provider, data=update, settings=settings
            )
    except (ValidationError, AppError) as exc:
        errors = field_errors(exc, _LABELS, default="name", order=_FIELDS)
        if "organisation_id" in errors:
            errors["organisation_id"] = "Choose the organisation these people belong to"
        context = _form_context(session, settings, {**form, "client_secret": ""}, None)
        if provider is not None:
            context = {**context, "provider_id": form["id"], "title": "Edit identity provider"}
        status = exc.status_code if isinstance(exc, AppError) else 422
        raise FormInvalid(
            errors, template="sso/provider_form.html", context=context, status_code=status
        ) from exc


@pages.get("/admin/sso/new")
def provider_new(
    request: Request, _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form to register an organisation's identity provider."""
    context = _form_context(session, settings, _provider_form(None), None)
    return render(request, "sso/provider_form.html", context)


@pages.post("/admin/sso/new")
async def provider_create_submit(
    request: Request, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Register the provider (its discovery document is checked first), or show what to fix."""
    form = form_dict(await request.form(), *_FIELDS)
    _save(session, settings, admin, form, None)
    return done_redirect("/admin/sso", "created")


@pages.get("/admin/sso/{provider_id}")
def provider_edit(
    request: Request, provider: ManagedProvider, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form to change a provider; the secret is never shown."""
    form = _provider_form(providers.to_public(session, provider, settings))
    context = _form_context(session, settings, form, provider.id)
    return render(request, "sso/provider_form.html", context)


@pages.post("/admin/sso/{provider_id}")
async def provider_edit_submit(
    request: Request,
    admin: AdminUser,
    provider: ManagedProvider,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Save the provider, or show what to fix."""
    form = {**form_dict(await request.form(), *_FIELDS), "id": str(provider.id)}
    _save(session, settings, admin, form, provider)
    return done_redirect("/admin/sso", "saved")


# ---- API ---------------------------------------------------------------------------------------


@api.get("")
def list_identity_providers(
    _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> list[ProviderPublic]:
    """Every registered identity provider (client secrets are never shown)."""
    return providers.list_providers(session, settings)


@api.get("/{provider_id}")
def read_identity_provider(
    provider: ManagedProvider, session: SessionDep, settings: SettingsDep
) -> ProviderPublic:
    """One identity provider, with the redirect URIs to register at the provider."""
    return providers.to_public(session, provider, settings)
