"""Page numbers for long lists: offset and limit for the query, links for the NHS.UK pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_item(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_item(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def links(self, path: str, **params: Any) -> dict[str, Any]:
        """Params for the pagination macro: previous/next links that keep the other query values."""

        def url(page: int) -> str:
            query = {k: v for k, v in params.items() if v not in (None, "")}
            if page > 1:
                query["page"] = page
            return f"{path}?{urlencode(query)}" if query else path

        out: dict[str, Any] = {}
        if self.page > 1:
            out["previous"] = {"href": url(self.page - 1), "labelText": f"Page {self.page - 1}"}
        if self.page < self.pages:
            out["next"] = {"href": url(self.page + 1), "labelText": f"Page {self.page + 1}"}
        return out


def offset_for(page: int, per_page: int) -> int:
    return (max(page, 1) - 1) * per_page
