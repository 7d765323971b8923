"""Dependencies between items: which answers an item's reference method reads, and an order
in which every item comes after the answers it depends on (errors carried forward)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model re-exports this module's functions: no import at run time
    from autocorrect.rubric.model import ItemSpec, QuestionSpec, Rubric

ItemNode = tuple[str, str]  # (question id, item key)


def item_dependencies(rubric: Rubric, item: ItemSpec) -> list[ItemNode]:
    """The (question, key) answers this item's reference method reads."""
    deps: list[ItemNode] = []
    for ref in item.compute.refs():
        if not ref.is_item:
            continue
        if ref.index == "*":
            deps.extend(
                (ref.name, i.key) for i in rubric.question(ref.name).items if i.from_for_each
            )
        elif ref.index is not None:
            deps.append((ref.name, ref.index))
    return deps


def find_cycle(rubric: Rubric) -> list[str] | None:
    """A circular dependency as the list of its items (« Q[k] »), or None."""
    state: dict[ItemNode, int] = {}  # 1 = in progress, 2 = done
    for question in rubric.questions:
        for item in question.items:
            cycle = _visit(rubric, (question.id, item.key), state, [])
            if cycle is not None:
                return cycle
    return None


def _visit(
    rubric: Rubric, node: ItemNode, state: dict[ItemNode, int], path: list[str]
) -> list[str] | None:
    if state.get(node) == 2:
        return None
    label = f"{node[0]}[{node[1]}]"
    if state.get(node) == 1:
        return [*path, label]
    state[node] = 1
    item = rubric.item(*node)
    assert item is not None  # references are validated before the graph is walked
    for dep in item_dependencies(rubric, item):
        cycle = _visit(rubric, dep, state, [*path, label])
        if cycle is not None:
            return cycle
    state[node] = 2
    return None


def ordered_items(rubric: Rubric) -> list[tuple[QuestionSpec, ItemSpec]]:
    """Every item, dependencies first (the rubric has no cycle: checked on load)."""
    done: set[ItemNode] = set()
    order: list[tuple[QuestionSpec, ItemSpec]] = []

    def visit(qid: str, key: str) -> None:
        if (qid, key) in done:
            return
        done.add((qid, key))
        item = rubric.item(qid, key)
        assert item is not None
        for dep in item_dependencies(rubric, item):
            visit(*dep)
        order.append((rubric.question(qid), item))

    for question in rubric.questions:
        for item in question.items:
            visit(question.id, item.key)
    return order
