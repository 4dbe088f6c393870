"""LTI 1.3 tool endpoints (login initiation, launch, deep linking, JWKS) and the admin pages and
API for learning platforms; thin routes (the admin form's plumbing is in `admin_forms`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from app.accounts import web
from app.accounts.dependencies import AdminUser, CurrentUser
from app.content.dependencies import ContentDep
from app.core.csrf import cross_site_by_design
from app.core.deps import IsolatedSessions, SessionDep, SettingsDep, verify_csrf
from app.core.responses import done_message, done_redirect
from app.core.templating import render
from app.lti import admin_forms, deeplinking, framing, keys, launches, platforms, tool
from app.lti.dependencies import ManagedPlatform
from app.lti.schemas import PlatformPublic

# The launch legs are cross-site by design: the state and nonce (single use, bound to this
# browser's SameSite=None cookie) are their CSRF defence (cross_site_by_design).
pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(tags=["LTI"])
Token = Annotated[str, Form(max_length=20000)]


@pages.api_route("/lti/login", methods=["GET", "POST"])
@cross_site_by_design
async def lti_login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Login initiation from the platform: remember a state and nonce, go to its auth URL."""
    params = await tool.params(request)
    started = tool.guarded(lambda: launches.begin(session, params=params, settings=settings))
    response = RedirectResponse(started.url, status_code=302)
    framing.cross_site_cookie(
        response, framing.STATE_COOKIE, started.state, seconds=600, path="/lti"
    )
    return response


@pages.post("/lti/launch")
@cross_site_by_design
def lti_launch(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    isolated: IsolatedSessions,
    id_token: Token = "",
    state: Token = "",
) -> Response:
    """The platform's signed launch: check it, sign the person in, open the module or picker."""
    launch = tool.guarded(lambda: tool.launch(request, session, isolated, id_token, state))
    to = tool.guarded(lambda: tool.after_launch(session, settings, launch))
    response = web.signed_in(request, session, settings, launch.user, to=to, cross_site=True)
    return tool.framed(response, launch)


@pages.get("/lti/deep-linking/{token}")
def choose_modules(
    request: Request, token: str, user: CurrentUser, session: SessionDep, registry: ContentDep
) -> Response:
    """A teacher picks the QI Academy modules to add to their course."""
    deeplinking.pending(session, token=token, user_id=user.id)
    return render(request, "lti/choose.html", tool.choose_context(registry, token, []))


@pages.post("/lti/deep-linking/{token}")
async def modules_chosen(
    request: Request,
    token: str,
    user: CurrentUser,
    session: SessionDep,
    registry: ContentDep,
    settings: SettingsDep,
) -> Response:
    """Sign the chosen modules as a deep-linking response for the teacher to send back."""
    slugs = [str(s) for s in (await request.form()).getlist("modules")]
    done = tool.respond(session, token, user.id, slugs, registry, settings)
    request.state.form_action = platforms.origin(done.return_url)
    context = {"title": "Add these modules to your course", **vars(done)}
    return render(request, "lti/return.html", context)


@api.get("/lti/jwks")
def tool_jwks(session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The tool's public keys (JSON Web Key Set) that platforms check our signatures with."""
    return keys.jwks(session, settings)


# ---- administration ------------------------------------------------------------------------------


@pages.get("/admin/lti")
def platforms_page(
    request: Request, _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Every registered learning platform."""
    context = {
        "title": "Learning platforms",
        "platforms": platforms.list_platforms(session, settings),
        "done": done_message(request, admin_forms.DONE),
        "nav": "admin",
    }
    return render(request, "lti/platforms.html", context)


@pages.get("/admin/lti/new")
def platform_new(
    request: Request, _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form to register a learning platform."""
    context = admin_forms.context(session, settings, admin_forms.initial(None), None)
    return render(request, "lti/platform_form.html", context)


@pages.post("/admin/lti/new")
async def platform_create_submit(
    request: Request, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Register the platform, or show what to fix."""
    form = await admin_forms.read(request)
    admin_forms.save(session, settings, admin, form, None)
    return done_redirect("/admin/lti", "created")


@pages.get("/admin/lti/{platform_id}")
def platform_edit(
    request: Request, platform: ManagedPlatform, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form to change a platform."""
    form = admin_forms.initial(platforms.to_public(session, platform, settings))
    context = admin_forms.context(session, settings, form, platform.id)
    return render(request, "lti/platform_form.html", context)


@pages.post("/admin/lti/{platform_id}")
async def platform_edit_submit(
    request: Request,
    admin: AdminUser,
    platform: ManagedPlatform,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Save the platform, or show what to fix."""
    form = {**(await admin_forms.read(request)), "id": str(platform.id)}
    admin_forms.save(session, settings, admin, form, platform)
    return done_redirect("/admin/lti", "saved")


@api.get("/api/v1/admin/lti-platforms")
def list_lti_platforms(
    _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> list[PlatformPublic]:
    """Every registered learning platform, with the tool URLs to enter at each."""
    return platforms.list_platforms(session, settings)


@api.get("/api/v1/admin/lti-platforms/{platform_id}")
def read_lti_platform(
    platform: ManagedPlatform, session: SessionDep, settings: SettingsDep
) -> PlatformPublic:
    """One learning platform."""
    return platforms.to_public(session, platform, settings)
