"""Fixed vocabularies for accounts: roles and staff groups."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    LEADER = "leader"
    ADMIN = "admin"


# The NHS Electronic Staff Record staff groups, plus the two the NHS list leaves out for us.
STAFF_GROUPS: dict[str, str] = {
    "add_prof_scientific_technical": "Additional professional scientific and technical",
    "additional_clinical_services": "Additional clinical services",
    "administrative_clerical": "Administrative and clerical",
    "allied_health_professionals": "Allied health professionals",
    "estates_ancillary": "Estates and ancillary",
    "healthcare_scientists": "Healthcare scientists",
    "medical_dental": "Medical and dental",
    "nursing_midwifery": "Nursing and midwifery registered",
    "students": "Students",
    "social_care": "Social care",
    "other": "Other",
}

# The codes as a type, so the API documents (and checks) the fixed list.
StaffGroupCode = Literal[
    "add_prof_scientific_technical",
    "additional_clinical_services",
    "administrative_clerical",
    "allied_health_professionals",
    "estates_ancillary",
    "healthcare_scientists",
    "medical_dental",
    "nursing_midwifery",
    "students",
    "social_care",
    "other",
]
RoleName = Literal["learner", "trainer", "leader", "admin"]

ORGANISATION_KINDS: dict[str, str] = {
    "nhs_trust": "NHS trust",
    "primary_care": "Primary care",
    "social_care": "Social care provider",
    "other": "Other",
}

# The seven NHS England regions and the devolved nations, for reporting by region.
REGIONS: tuple[str, ...] = (
    "East of England",
    "London",
    "Midlands",
    "North East and Yorkshire",
    "North West",
    "South East",
    "South West",
    "Scotland",
    "Wales",
    "Northern Ireland",
)


# The one vocabulary for the state of an account, on admin and trainer pages alike.
ACCOUNT_STATUSES: dict[str, str] = {
    "active": "Active",
    "invited": "Invited \u2013 has not set a password",
    "deactivated": "Deactivated",
    "deleted": "Deleted",
}
