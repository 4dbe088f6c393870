"""Response helpers every domain shares: file downloads and redirect-after-post with a message."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from fastapi import Request
from starlette.responses import RedirectResponse, Response


def attachment(
    content: bytes | str, *, filename: str, media_type: str, private: bool = True
) -> Response:
    """A download saved under `filename` (RFC 6266, with a UTF-8 name for non-ASCII characters)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    disposition = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    headers = {"Content-Disposition": disposition}
    if private:
        headers["Cache-Control"] = "no-store"
    return Response(content, media_type=media_type, headers=headers)


def done_redirect(path: str, done: str, **extra: int | str) -> RedirectResponse:
    """Back to `path` after a successful form, with a key that names a fixed confirmation.

    Only the key travels in the URL (`?done=saved`), never user text; pages look the words up.
    """
    query = urlencode({"done": done, **extra})
    return RedirectResponse(f"{path}?{query}", status_code=303)


def done_message(request: Request, messages: Mapping[str, str]) -> str | None:
    """The confirmation for the `done` key this page was redirected with, if any.

    Messages may name extra query values ("{count} values saved"); a missing one leaves the
    message without the number rather than failing.
    """
    template = messages.get(request.query_params.get("done", ""))
    if template is None:
        return None
    values = {k: v for k, v in request.query_params.items() if k != "done" and v.isdigit()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template.split("{", 1)[0].strip() or template
