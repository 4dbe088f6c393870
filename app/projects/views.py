"""What project pages show besides the data: the section navigation, dates in words, labels."""

from __future__ import annotations

from dataclasses import dataclass

from app.projects.constants import STATUS_LABELS
from app.projects.permissions import ProjectAccess

STATUS_COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "changes_requested": "orange",
    "signed_off": "green",
    "withdrawn": "grey",  # a submission's state, never a project's
    "not started": "white",
}

SECTIONS = (
    ("overview", "Overview and aim", ""),
    ("team", "Team", "/team"),
    ("drivers", "Driver diagram", "/drivers"),
    ("measures", "Measures and data", "/measures"),
    ("pdsa", "PDSA cycles", "/pdsa"),
    ("charts", "Charts", "/charts"),
    ("submit", "Submit for sign-off", "/submit"),
    ("history", "History and comments", "/history"),
    ("export", "Export", "/export"),
)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status).capitalize()


@dataclass(frozen=True)
class NavItem:
    key: str
    text: str
    href: str
    current: bool


@dataclass(frozen=True)
class Workspace:
    """The frame around every project page: whose project, what state, which section."""

    project_id: int
    cohort_id: int
    title: str
    status: str
    status_text: str
    status_colour: str
    can_edit: bool
    can_withdraw: bool
    is_trainer: bool
    section: str
    nav: list[NavItem]
    review_href: str | None

    @property
    def base(self) -> str:
        return f"/projects/{self.project_id}"


def workspace(access: ProjectAccess, section: str) -> Workspace:
    p = access.project
    base = f"/projects/{p.id}"
    nav = [NavItem(key, text, base + path, key == section) for key, text, path in SECTIONS]
    review = f"/trainer/cohorts/{p.cohort_id}/projects/{p.id}" if access.is_trainer else None
    return Workspace(
        project_id=p.id,
        cohort_id=p.cohort_id,
        title=p.title,
        status=p.status,
        status_text=status_label(p.status),
        status_colour=STATUS_COLOURS[p.status],
        can_edit=access.can_edit,
        can_withdraw=access.can_withdraw,
        is_trainer=access.is_trainer,
        section=section,
        nav=nav,
        review_href=review,
    )
