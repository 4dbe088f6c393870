"""The driver diagram: boxes from the aim down to change ideas."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import Conflict, InvalidInput
from app.projects.constants import CHILD_KIND, NODE_NAMES
from app.projects.exceptions import ItemNotFound
from app.projects.models import DriverNode, PdsaCycle
from app.projects.permissions import ProjectAccess, editable, touch
from app.projects.schemas import NodeCreate, NodePublic, NodeUpdate, TreeNode

MAX_NODES = 200


def nodes(session: Session, *, project_id: int) -> list[NodePublic]:
    return [
        NodePublic.model_validate(n)
        for n in session.scalars(
            select(DriverNode)
            .where(DriverNode.project_id == project_id)
            .order_by(DriverNode.position, DriverNode.id)
        )
    ]


def tree(all_nodes: Sequence[NodePublic]) -> TreeNode | None:
    """The diagram as nested boxes from the aim down, siblings in their saved order."""
    children: dict[int | None, list[NodePublic]] = {}
    for n in all_nodes:
        children.setdefault(n.parent_id, []).append(n)

    def grow(node: NodePublic) -> TreeNode:
        return TreeNode(
            id=node.id,
            kind=node.kind,
            text=node.text,
            children=[grow(c) for c in children.get(node.id, [])],
        )

    roots = children.get(None, [])
    return grow(roots[0]) if roots else None


def _node(session: Session, *, project_id: int, node_id: int) -> DriverNode:
    node = session.scalar(
        select(DriverNode).where(DriverNode.id == node_id, DriverNode.project_id == project_id)
    )
    if node is None:
        raise ItemNotFound("box in its driver diagram")
    return node


def add_node(session: Session, *, access: ProjectAccess, data: NodeCreate) -> DriverNode:
    project = editable(access)
    parent = session.scalar(
        select(DriverNode).where(
            DriverNode.id == data.parent_id, DriverNode.project_id == project.id
        )
    )
    if parent is None:
        raise InvalidInput("Choose where the new box goes, from this diagram.", field="parent_id")
    kind = CHILD_KIND.get(parent.kind)
    if kind is None:
        raise InvalidInput(
            "Change ideas are the last level of a driver diagram: add the box to a secondary "
            "driver instead.",
            field="parent_id",
        )
    count, last = session.execute(
        select(func.count(), func.max(DriverNode.position)).where(
            DriverNode.project_id == project.id
        )
    ).one()
    if count >= MAX_NODES:
        raise InvalidInput(f"A driver diagram can have up to {MAX_NODES} boxes.", field="text")
    node = DriverNode(
        project_id=project.id,
        parent_id=parent.id,
        kind=kind,
        text=data.text,
        position=(last or 0) + 1,
    )
    session.add(node)
    touch(project)
    session.flush()
    return node


def update_node(
    session: Session, *, access: ProjectAccess, node_id: int, data: NodeUpdate
) -> DriverNode:
    project = editable(access)
    node = _node(session, project_id=project.id, node_id=node_id)
    node.text = data.text
    touch(project)
    session.flush()
    return node


def delete_node(session: Session, *, access: ProjectAccess, node_id: int) -> None:
    """Delete a box and everything under it, unless PDSA cycles test one of its change ideas."""
    project = editable(access)
    node = _node(session, project_id=project.id, node_id=node_id)
    if node.kind == "aim":
        raise InvalidInput(
            "The aim is the root of the diagram and cannot be deleted; change its words instead."
        )
    below = _subtree(nodes(session, project_id=project.id), node.id)
    linked = list(
        session.scalars(select(PdsaCycle.title).where(PdsaCycle.change_idea_id.in_(below)))
    )
    if linked:
        titles = ", ".join(f"'{t}'" for t in linked[:5])
        raise Conflict(
            f"This {NODE_NAMES[node.kind].lower()} cannot be deleted: PDSA cycles test a change "
            f"idea in it ({titles}). Link those cycles to another change idea, or delete them, "
            "first."
        )
    session.delete(node)
    touch(project)
    session.flush()


def _subtree(all_nodes: Sequence[NodePublic], root: int) -> list[int]:
    ids = [root]
    frontier = [root]
    while frontier:
        frontier = [n.id for n in all_nodes if n.parent_id in frontier]
        ids.extend(frontier)
    return ids
