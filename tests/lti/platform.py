"""A real LTI 1.3 platform for the tests: lti1p3platform (PyPI, not written here) does the
platform's side of every exchange (the login initiation URL, the signed launch id_token, the
client-credentials token, the AGS score and NRPS roster services with its own token checks, and
the Deep Linking response check); this module only gives it a small web server, like a Moodle
site would, with courses, people and a gradebook kept in memory.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request as LtiRequest
from lti1p3platform.request import TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

from tests.servers import free_port

CLIENT_ID = "qia-tool"
DEPLOYMENT_ID = "deployment-1"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Person:
    sub: str
    name: str
    email: str
    roles: list[str]


@dataclass
class Link:
    """A resource link in the course, as the platform saved it (from deep linking or by hand)."""

    id: str
    title: str
    custom: dict[str, str]
    lineitem_id: str | None = None


@dataclass
class World:
    """The platform's course: people, links, line items, and what the tool sent back."""

    base: str = ""
    tool_base: str = ""
    tool_keys: dict[str, Any] = field(default_factory=dict)
    private_pem: str = ""
    public_pem: str = ""
    people: dict[str, Person] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    lineitems: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deep_link_items: list[dict[str, Any]] = field(default_factory=list)
    deep_link_errors: list[str] = field(default_factory=list)
    token_requests: int = 0
    # The next launch goes wrong: "signature" (spoilt in transit), "expired", "version" (not
    # 1.3.0), "links-only" (deep linking that accepts no LTI resource links).
    tamper: str | None = None


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        world: World = kwargs["world"]
        self._registration = (
            Registration()
            .set_iss(world.base)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_launch_url(world.tool_base + "/lti/launch")
            .set_deeplink_launch_url(world.tool_base + "/lti/launch")
            .set_oidc_login_url(world.tool_base + "/lti/login")
            .set_tool_key_set(world.tool_keys)  # type: ignore[arg-type]
            .set_platform_public_key(world.public_pem)
            .set_platform_private_key(world.private_pem)
        )

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        raise NotImplementedError


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Incoming(LtiRequest):
    def build_metadata(self, request: Any) -> TRequest:
        return request  # type: ignore[no-any-return]


class Launch(LTIAdvantageMessageLaunchAbstract):
    world: World

    def get_preflight_response(self) -> dict[str, Any]:
        assert self._request is not None
        return self._request.get_data

    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        world = self.world
        person = world.people[preflight_response["login_hint"]]
        self.set_user_data(person.sub, person.roles, person.name, person.email)
        self.set_launch_context_claim(
            "course-1", context_title="Improving patient flow", context_label="QI101"
        )
        hint = preflight_response.get("lti_message_hint", "")
        if hint == "deep-link":
            self.set_dl(
                world.base + "/deep-link-return",
                title="Add QI Academy",
                extra_data={"course": "course-1"},
                # "links-only": a placement that takes plain links, not LTI resource links
                accept_types={"link"} if world.tamper == "links-only" else None,
            )  # type: ignore[arg-type]
            return
        link = world.links[hint]
        self.set_resource_link_claim(link.id, title=link.title)
        self.set_custom_parameters_claim(link.custom)
        lineitem = f"{world.base}/lineitems/{link.lineitem_id}" if link.lineitem_id else None
        self.set_ags(world.base + "/lineitems", lineitem)
        self.set_nrps(world.base + "/memberships")

    def render_launch_form(self, launch_data: dict[str, Any], **_kwargs: Any) -> str:
        return launch_data  # type: ignore[return-value]


class Grades(AssignmentsGradesService):
    world: World

    def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
        self.world.scores.setdefault(line_item_id, []).append(dict(score))
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *_args: Any, **_kwargs: Any) -> Any:
        return {"content": list(self.world.lineitems.values()), "has_next": False}

    def find_lineitem(self, line_item_id: str) -> Any:
        return self.world.lineitems[line_item_id]

    def create_lineitem(self, creation_data: Any) -> Any:
        raise NotImplementedError

    def update_lineitem(self, update_data: Any) -> Any:
        raise NotImplementedError

    def delete_lineitem(self, line_item_id: str) -> None:
        raise NotImplementedError

    def get_results(self, *_args: Any, **_kwargs: Any) -> Any:
        return {"content": [], "has_next": False}


class Roster(NamesRoleProvisioningService):
    world: World

    def get_member_data_page(self, *_args: Any, **_kwargs: Any) -> Any:
        members = [
            {
                "user_id": p.sub,
                "roles": p.roles,
                "name": p.name,
                "email": p.email,
                "status": "Active",
            }
            for p in self.world.people.values()
        ]
        return {"content": members, "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id="course-1", label="QI101", title="Improving patient flow")


def _request(request: Request, form: dict[str, Any] | None = None, body: Any = None) -> TRequest:
    return {
        "method": request.method,
        "form_data": form or {},
        "get_data": dict(request.query_params),
        "headers": request.headers,
        "content_type": request.headers.get("content-type"),
        "path": request.url.path,
        "json": body,
    }


def _answer(resp: Any) -> Response:
    if resp.result is None:
        return Response(status_code=resp.code, content=resp.message)
    return JSONResponse(resp.result, status_code=resp.code, media_type=resp.media_type)


def build(world: World) -> FastAPI:
    web = FastAPI()

    def conf() -> Platform:
        return Platform(world=world)

    @web.get("/jwks")
    def jwks() -> Any:
        return conf().get_jwks()

    @web.get("/auth")
    def auth(request: Request) -> Any:
        """The platform's OIDC authorisation endpoint: answers with the signed launch form."""
        launch = Launch(Incoming(_request(request)), conf())
        launch.world = world
        if world.tamper == "expired":  # the platform's clock, or a launch held back too long
            launch.set_id_token_expiration(-600)
        if world.tamper == "version":
            launch.set_extra_claims({"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"})
        data: dict[str, Any] = launch.lti_launch()
        if world.tamper == "signature":
            head, body, sig = data["id_token"].split(".")
            data["id_token"] = f"{head}.{body}.{sig[:-6]}AAAAAA"
        world.tamper = None
        fields = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(str(data[k]))}">'
            for k in ("id_token", "state")
        )
        action = html.escape(data["launch_url"])
        return HTMLResponse(
            f'<html lang="en"><title>Leeds Moodle</title><form method="post" action="{action}">'
            f"{fields}<button>Continue</button></form></html>"
        )

    @web.post("/token")
    async def token(request: Request) -> Any:
        world.token_requests += 1
        form = dict(await request.form())
        return conf().get_access_token(form)  # type: ignore[arg-type]

    @web.post("/lineitems/{line_item_id}/scores")
    async def scores(line_item_id: str, request: Request) -> Response:
        service = Grades(
            Incoming(_request(request, body=await request.json())),
            conf(),
            world.base + "/lineitems",
            f"{world.base}/lineitems/{line_item_id}",
        )
        service.world = world
        return _answer(service.handle_resp(service.handle_update_score, line_item_id=line_item_id))

    @web.get("/memberships")
    def memberships(request: Request) -> Response:
        service = Roster(Incoming(_request(request)), conf(), world.base + "/memberships")
        service.world = world
        return _answer(service.handle_resp(service.handle_get_members))

    @web.post("/deep-link-return")
    async def deep_link_return(request: Request) -> Any:
        """The platform checks the tool's signed response with its own code, then saves links."""
        form = dict(await request.form())
        try:
            items = conf().validate_deeplinking_resp(form)  # type: ignore[arg-type]
        except Exception as exc:  # the platform refuses what it cannot verify
            world.deep_link_errors.append(f"{type(exc).__name__}: {exc}")
            return HTMLResponse("refused", status_code=400)
        for number, item in enumerate(items, start=len(world.links) + 1):
            line = item.get("lineItem")
            lineitem_id = None
            if line:
                lineitem_id = f"li-{number}"
                world.lineitems[lineitem_id] = {"id": lineitem_id, **line}
            world.links[f"link-{number}"] = Link(
                f"link-{number}", item["title"], item.get("custom", {}), lineitem_id
            )
        world.deep_link_items += items
        return HTMLResponse(
            '<html lang="en"><title>Leeds Moodle</title><h1>Activities added</h1></html>'
        )

    return web


def login_url(world: World, *, user: str, hint: str) -> str:
    """Where the platform sends the browser to start a launch (the library builds it)."""
    login = Login(None, Platform(world=world))
    login.set_lti_message_hint(hint=hint)
    return str(login.initiate_login(user))


@contextmanager
def running(world: World) -> Iterator[World]:
    port = free_port()
    world.base = f"http://127.0.0.1:{port}"
    world.private_pem, world.public_pem = _pem_pair()
    config = uvicorn.Config(build(world), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the LTI platform did not start")
        time.sleep(0.05)
    try:
        yield world
    finally:
        server.should_exit = True
        thread.join(timeout=10)
