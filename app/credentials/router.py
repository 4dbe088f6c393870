"""Credential routes: what credentials point at (keys, issuer, achievements, status), the forms a
credential is served in, public verification, the learner's achievements, revoking and the API."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from app.accounts.dependencies import CurrentUser, OptionalUser
from app.content.dependencies import ContentDep
from app.core.db import utcnow
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import AppError
from app.core.forms import field_errors, form_dict
from app.core.templating import render
from app.credentials import media, service
from app.credentials.dependencies import HoldersCredential, PublicCredential, RevocableCredential
from app.credentials.exceptions import NotAcceptable
from app.credentials.schemas import (
    REASON_MAX,
    CredentialList,
    CredentialPublic,
    RevokeRequest,
    TokenVerifyRequest,
    VerificationPublic,
)

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
_v1 = APIRouter(prefix="/api/v1", tags=["credentials"])
# The documents verifiers fetch, outside /api/v1; each route declares the one type it sends.
public = APIRouter(tags=["credentials"], default_response_class=Response)

_SHORT_CACHE = {"Cache-Control": "public, max-age=300"}
_NEGOTIATED = {**_SHORT_CACHE, "Vary": "Accept"}
_NO_STORE = {"Cache-Control": "private, no-store"}
_REVOKE_LABELS = {"reason": "the reason for revoking this credential"}


def _json(content: object, *, media_type: str = media.JSON, **headers: str) -> Response:
    return JSONResponse(content, media_type=media_type, headers=headers or None)


def _negotiate(request: Request, offers: tuple[str, ...]) -> str:
    """The form the Accept header asks for, or 406 saying which forms there are."""
    choice = media.negotiate(request.headers.get("accept"), offers)
    if choice is None:
        raise NotAcceptable(offers)
    return choice


def _download(content: bytes, *, media_type: str, filename: str, private: bool = False) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    headers.update(_NO_STORE if private else {"Cache-Control": "public, max-age=3600"})
    return Response(content, media_type=media_type, headers=headers)


# --- what credentials point at --------------------------------------------------------------


@public.get("/.well-known/jwks.json", responses=media.JWKS_RESPONSE)
def read_jwks() -> Response:
    """The public keys that sign QI Academy credentials, retired ones included (RFC 7517)."""
    return _json(service.jwks(), media_type=media.JWK_SET, **_SHORT_CACHE)


@public.get("/.well-known/did.json", responses=media.DID_RESPONSE)
@public.get("/did.json", responses=media.DID_RESPONSE)
def read_did_document(request: Request) -> Response:
    """The issuer's DID document (did:web; /did.json when QIA_BASE_URL has a path)."""
    media_type = _negotiate(request, media.DID_FORMS)
    return _json(service.did_document(), media_type=media_type, **_NEGOTIATED)


@public.get("/keys/{thumbprint}", responses=media.KEY_RESPONSE)
def read_key(thumbprint: str) -> Response:
    """One public key, the target of a credential's `kid`."""
    return _json(service.public_key(thumbprint), media_type=media.JWK, **_SHORT_CACHE)


@public.get("/issuer", responses=media.ISSUER_RESPONSE)
def read_issuer() -> Response:
    """QI Academy's issuer profile."""
    return _json(service.issuer_document(), media_type=media.JSON_LD, **_SHORT_CACHE)


@public.get("/issuer/image.png", responses=media.PNG_RESPONSE)
def read_issuer_image() -> Response:
    """QI Academy's logo, the image in its issuer profile."""
    return FileResponse(service.issuer_image(), media_type=media.PNG, headers=_SHORT_CACHE)


@public.get("/achievements/{slug}", responses=media.ACHIEVEMENT_RESPONSE)
def read_achievement(slug: str) -> Response:
    """An achievement (Bronze, Silver, Gold) as Open Badges 3.0 describes it."""
    return _json(service.achievement_document(slug), media_type=media.JSON_LD, **_SHORT_CACHE)


@public.get("/achievements/{slug}/image.png", responses=media.PNG_RESPONSE)
def read_achievement_png(slug: str) -> Response:
    """The badge artwork (PNG)."""
    return FileResponse(service.achievement_image(slug, kind="png"), media_type=media.PNG)


@public.get("/achievements/{slug}/image.svg", responses=media.SVG_RESPONSE)
def read_achievement_svg(slug: str) -> Response:
    """The badge artwork (SVG)."""
    return FileResponse(service.achievement_image(slug, kind="svg"), media_type=media.SVG)


@public.get("/status/revocations", responses=media.REVOCATIONS_RESPONSE)
def read_revocations(session: SessionDep) -> Response:
    """The revocation list every credential's credentialStatus names (1EdTech Revocation List)."""
    return _json(service.revocation_list(session), **{"Cache-Control": "no-cache"})


@public.get("/status/bitstring/revocation", responses=media.STATUS_LIST_RESPONSE)
def read_bitstring_status_list(session: SessionDep) -> Response:
    """The W3C BitstringStatusListCredential newer credentials name (signed, eddsa-rdfc-2022)."""
    document = service.bitstring_status_list(session)
    return _json(document, media_type=media.JSON_LD, **{"Cache-Control": "no-cache"})


# --- one credential in each form ------------------------------------------------------------


@public.get("/credentials/{credential_id:uuid}.jwt", responses=media.JWT_RESPONSE)
def read_credential_jwt(credential: PublicCredential) -> Response:
    """The signed credential (VC-JWT, compact JWS): what a digital wallet imports."""
    return Response(credential.jwt, media_type=media.VC_JWT, headers=_SHORT_CACHE)


@public.get("/credentials/{credential_id:uuid}.png", responses=media.PNG_RESPONSE)
def read_credential_png(credential: PublicCredential) -> Response:
    """The badge as a PNG with the signed credential baked in."""
    name = service.download_name(credential, suffix="png")
    return _download(service.baked(credential, kind="png"), media_type=media.PNG, filename=name)


@public.get("/credentials/{credential_id:uuid}.svg", responses=media.SVG_RESPONSE)
def read_credential_svg(credential: PublicCredential) -> Response:
    """The badge as an SVG with the signed credential baked in."""
    name = service.download_name(credential, suffix="svg")
    svg = service.baked(credential, kind="svg")
    return _download(svg, media_type=media.SVG, filename=name)


@public.get("/credentials/{credential_id:uuid}.pdf", responses=media.PDF_RESPONSE)
def read_credential_pdf(credential: HoldersCredential, session: SessionDep) -> Response:
    """The CPD certificate (holder, or a leader or admin who manages it)."""
    pdf = service.certificate(session, credential=credential)
    name = service.download_name(credential, suffix="pdf")
    return _download(pdf, media_type=media.PDF, filename=name, private=True)


@public.get("/credentials/{credential_id:uuid}.jsonld", responses=media.CREDENTIAL_RESPONSE)
def read_credential_jsonld(credential: PublicCredential) -> Response:
    """The JSON-LD credential as a file to download (for a wallet that imports files)."""
    name = service.download_name(credential, suffix="jsonld")
    content = json.dumps(credential.document, ensure_ascii=False).encode("utf-8")
    return _download(content, media_type=media.JSON_LD, filename=name)


@public.get("/credentials/{credential_id:uuid}/wallet-qr.svg", responses=media.SVG_RESPONSE)
def read_wallet_qr(credential: PublicCredential) -> Response:
    """A QR code that opens the Learner Credential Wallet with a request for this credential."""
    svg = service.qr_svg(base_url=service.base_url(), credential_id=credential.id)
    return Response(svg, media_type=media.SVG, headers=_SHORT_CACHE)


@public.get("/credentials/{credential_id:uuid}", responses=media.CREDENTIAL_RESPONSE)
def read_credential(request: Request, credential: PublicCredential) -> Response:
    """The credential at its `id` URL: JSON-LD for machines, the VC-JWT if asked for, and for
    browsers (Accept: text/html) the verification page."""
    media_type = _negotiate(request, media.CREDENTIAL_FORMS)
    if media_type == media.HTML:
        return RedirectResponse(f"/verify/{credential.id}", status_code=303, headers=_NEGOTIATED)
    if media_type == media.VC_JWT:
        return Response(credential.jwt, media_type=media_type, headers=_NEGOTIATED)
    return _json(credential.document, media_type=media_type, **_NEGOTIATED)


# --- API ------------------------------------------------------------------------------------


@_v1.get("/me/credentials")
def list_my_credentials(user: CurrentUser, session: SessionDep) -> CredentialList:
    """Your credentials, newest first, with a link to each form they come in."""
    return CredentialList(data=service.list_for_user(session, user_id=user.id))


@_v1.get("/credentials/{credential_id:uuid}/verify")
def verify_credential(credential_id: uuid.UUID, session: SessionDep) -> VerificationPublic:
    """Public: who holds a credential, what for, and whether it is valid, expired or revoked."""
    return service.verify(session, credential_id=credential_id)


@_v1.post("/credentials/verify")
def verify_token(data: TokenVerifyRequest, session: SessionDep) -> VerificationPublic:
    """Public: check a credential you were given: a VC-JWT (say from a baked badge) or JSON-LD."""
    return service.verify_token(session, token=data.credential)


@_v1.post("/credentials/{credential_id:uuid}/exchange")
def exchange_credential(credential: PublicCredential) -> Response:
    """VC-API exchange the wallet link opens: the credential in a Verifiable Presentation."""
    return _json(service.exchange_response(credential.document), **_NO_STORE)


@_v1.post("/credentials/{credential_id:uuid}/revoke")
def revoke_credential(
    data: RevokeRequest, access: RevocableCredential, session: SessionDep
) -> CredentialPublic:
    """Leaders (for their organisation) and admins: revoke a credential, giving the reason."""
    # A Gold credential's certification and trainer role go with it (gold listens to the event).
    service.revoke(session, credential=access.credential, actor=access.actor, reason=data.reason)
    return service.to_public(access.credential, now=utcnow())


# --- pages ----------------------------------------------------------------------------------


@pages.get("/verify/{credential_id:uuid}")
def verify_page(
    request: Request, credential_id: uuid.UUID, viewer: OptionalUser, session: SessionDep
) -> Response:
    """Public: is this credential valid? With every check made and, for managers, a revoke link."""
    result = service.verify(session, credential_id=credential_id)
    return render(
        request,
        "credentials/verify.html",
        {
            "title": f"Verify {result.achievement_name}: {result.holder_name or 'deleted account'}",
            "result": result,
            "links": service.links(credential_id),
            "may_revoke": service.may_revoke(session, actor=viewer, credential_id=credential_id),
        },
    )


def _revoke_page(
    request: Request,
    access: RevocableCredential,
    *,
    reason: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = service.to_public(access.credential, now=utcnow())
    return render(
        request,
        "credentials/revoke.html",
        {
            "title": f"Revoke {view.achievement_name}: {access.credential.holder_name}",
            "credential": view,
            "holder_name": access.credential.holder_name,
            "reason": reason,
            "reason_max": REASON_MAX,
            "errors": {"reason": error} if error else {},
        },
        status_code=status_code,
    )


@pages.get("/credentials/{credential_id:uuid}/revoke")
def revoke_page(request: Request, access: RevocableCredential) -> Response:
    """Leaders and admins: the form to revoke a credential, with its reason."""
    if access.credential.status == "revoked":
        return RedirectResponse(f"/verify/{access.credential.id}", status_code=303)
    return _revoke_page(request, access)


@pages.post("/credentials/{credential_id:uuid}/revoke")
async def revoke_submit(
    request: Request, access: RevocableCredential, session: SessionDep
) -> Response:
    """Revoke, then show the verification page, which now says revoked and why."""
    form = form_dict(await request.form(), "reason")
    try:
        reason = RevokeRequest.model_validate(form).reason
        service.revoke(session, credential=access.credential, actor=access.actor, reason=reason)
    except ValidationError as exc:
        error = field_errors(exc, _REVOKE_LABELS)["reason"]
        return _revoke_page(request, access, reason=form["reason"], error=error, status_code=422)
    except AppError as exc:
        return _revoke_page(
            request, access, reason=form["reason"], error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/verify/{access.credential.id}", status_code=303)


@pages.get("/me/cpd-record.pdf")
def cpd_record_pdf(user: CurrentUser, registry: ContentDep, session: SessionDep) -> Response:
    """Your CPD record as a PDF, for NMC revalidation and medical appraisal."""
    pdf = service.cpd_record(
        session, user_id=user.id, full_name=user.full_name, registry=registry, kind="pdf"
    )
    name = service.cpd_record_name(kind="pdf")
    return _download(pdf, media_type=media.PDF, filename=name, private=True)


@pages.get("/me/cpd-record.csv")
def cpd_record_csv(user: CurrentUser, registry: ContentDep, session: SessionDep) -> Response:
    """Your CPD record as CSV, for a spreadsheet or an e-portfolio."""
    data = service.cpd_record(
        session, user_id=user.id, full_name=user.full_name, registry=registry, kind="csv"
    )
    name = service.cpd_record_name(kind="csv")
    return _download(data, media_type="text/csv; charset=utf-8", filename=name, private=True)


api = APIRouter()
api.include_router(_v1)
api.include_router(public)
