"""The projects domain's public face: other domains, the routers and the tests call `service.X`.

Each function lives in the module for its part of the work: who may open a project
(`permissions`), the project, its narrative and team (`workspace`), the driver diagram
(`drivers`), measures and their data (`measures`), PDSA cycles (`pdsa`), submission, sign-off and
comments (`signoff`), and each learner's project state for trainers and awards (`states`).
"""

from __future__ import annotations

from app.projects.drivers import MAX_NODES, add_node, delete_node, nodes, tree, update_node
from app.projects.improvement import improving_measures
from app.projects.measures import (
    MAX_MEASURES,
    add_rebase,
    create_measure,
    delete_measure,
    delete_point,
    delete_rebase,
    import_csv,
    measure_data,
    measures,
    save_points,
    update_measure,
)
from app.projects.pdsa import MAX_CYCLES, create_cycle, cycle, cycles, delete_cycle, update_cycle
from app.projects.permissions import (
    EDITABLE,
    ProjectAccess,
    access,
    require_member,
    require_trainer,
)
from app.projects.signoff import (
    MAX_COMMENTS,
    ReadinessItem,
    add_comment,
    comments,
    history,
    learner_ids,
    readiness,
    review,
    submit,
    withdraw,
)
from app.projects.states import cohort_projects, is_signed_off, states_for
from app.projects.workspace import (
    MAX_MEMBERS,
    LearnerCohort,
    add_member,
    delete_member,
    detail,
    library_detail,
    members,
    my_projects,
    project_public,
    project_status,
    start_project,
    team_member_names,
    update_project,
)

__all__ = [
    "EDITABLE",
    "MAX_COMMENTS",
    "MAX_CYCLES",
    "MAX_MEASURES",
    "MAX_MEMBERS",
    "MAX_NODES",
    "LearnerCohort",
    "ProjectAccess",
    "ReadinessItem",
    "access",
    "add_comment",
    "add_member",
    "add_node",
    "add_rebase",
    "cohort_projects",
    "comments",
    "create_cycle",
    "create_measure",
    "cycle",
    "cycles",
    "delete_cycle",
    "delete_measure",
    "delete_member",
    "delete_node",
    "delete_point",
    "delete_rebase",
    "detail",
    "history",
    "import_csv",
    "improving_measures",
    "is_signed_off",
    "learner_ids",
    "library_detail",
    "measure_data",
    "measures",
    "members",
    "my_projects",
    "nodes",
    "project_public",
    "project_status",
    "readiness",
    "require_member",
    "require_trainer",
    "review",
    "save_points",
    "start_project",
    "states_for",
    "submit",
    "team_member_names",
    "tree",
    "update_cycle",
    "update_measure",
    "update_node",
    "update_project",
    "withdraw",
]
