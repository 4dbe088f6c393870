"""xAPI statements, built at event time: ADL and cmi5 verbs, our activities, the learner as actor.

Verbs follow cmi5's vocabulary where it has one (launched, passed, failed, completed, with its
result shapes: `score.scaled`, `success`, `completion`) and the ADL/Tin Can registry otherwise
(attempted, attended, earned). Activity ids are our own pages' addresses, so they resolve.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.core.timefmt import as_utc

LANG = "en-GB"
PLATFORM = "QI Academy"
XAPI_VERSION = "1.0.3"


class Verb(StrEnum):
    LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
    ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
    PASSED = "http://adlnet.gov/expapi/verbs/passed"
    FAILED = "http://adlnet.gov/expapi/verbs/failed"
    COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
    ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
    EARNED = "http://id.tincanapi.com/verb/earned"

    @property
    def display(self) -> str:
        return self.rsplit("/", 1)[1]


class ActivityType(StrEnum):
    MODULE = "http://adlnet.gov/expapi/activities/module"
    ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
    MEETING = "http://adlnet.gov/expapi/activities/meeting"
    BADGE = "http://activitystrea.ms/schema/1.0/badge"
    COURSE = "http://adlnet.gov/expapi/activities/course"


@dataclass(frozen=True)
class Activity:
    id: str
    type: ActivityType
    name: str

    def document(self) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": self.id,
            "definition": {"type": str(self.type), "name": {LANG: self.name}},
        }


@dataclass(frozen=True)
class Actor:
    """An account on our home page with an opaque name, or the email when the organisation opts in."""

    home_page: str
    name: str
    email: str | None = None

    def document(self) -> dict[str, Any]:
        if self.email:
            return {"objectType": "Agent", "mbox": f"mailto:{self.email}"}
        return {"objectType": "Agent", "account": {"homePage": self.home_page, "name": self.name}}


def module_activity(base: str, *, slug: str, title: str) -> Activity:
    return Activity(f"{base}/modules/{slug}", ActivityType.MODULE, title)


def quiz_activity(base: str, *, slug: str, title: str) -> Activity:
    return Activity(f"{base}/modules/{slug}/quiz", ActivityType.ASSESSMENT, f"Quiz: {title}")


def tier_activity(base: str, *, tier: str, name: str) -> Activity:
    return Activity(f"{base}/learn/{tier}", ActivityType.COURSE, name)


def session_activity(base: str, *, cohort_id: int, session_id: int, title: str) -> Activity:
    return Activity(
        f"{base}/cohorts/{cohort_id}/sessions/{session_id}", ActivityType.MEETING, title
    )


def achievement_activity(base: str, *, slug: str, name: str) -> Activity:
    return Activity(f"{base}/achievements/{slug}", ActivityType.BADGE, name)


def score_result(*, score: int, passed: bool | None = None) -> dict[str, Any]:
    """A percentage score as cmi5 reports it: scaled 0..1, raw between min and max."""
    result: dict[str, Any] = {"score": {"scaled": score / 100, "raw": score, "min": 0, "max": 100}}
    if passed is not None:
        result["success"] = passed
    return result


def statement(
    *,
    actor: Actor,
    verb: Verb,
    activity: Activity,
    timestamp: datetime,
    result: dict[str, Any] | None = None,
    parent: Activity | None = None,
    grouping: Activity | None = None,
    statement_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """One statement, complete with its id: a retry sends exactly this, so the LRS sees one."""
    context: dict[str, Any] = {"platform": PLATFORM, "language": LANG}
    activities: dict[str, Any] = {}
    if parent is not None:
        activities["parent"] = [parent.document()]
    if grouping is not None:
        activities["grouping"] = [grouping.document()]
    if activities:
        context["contextActivities"] = activities
    doc: dict[str, Any] = {
        "id": str(statement_id or uuid.uuid4()),
        "actor": actor.document(),
        "verb": {"id": str(verb), "display": {"en-US": verb.display}},
        "object": activity.document(),
        "context": context,
        "timestamp": as_utc(timestamp).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "version": XAPI_VERSION,
    }
    if result is not None:
        doc["result"] = result
    return doc
