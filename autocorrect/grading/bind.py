"""Binding cells to items: formulas prove, labels confirm, veto and break ties.

Items are bound in the rubric's dependency order, each to one cell:

1. The cell the item's label or table header points at (`locate`) is kept when its formula
   computes the item (or a variant, a known mistake, the method on the candidate's own upstream
   answers). When it does not, it is still the candidate's answer — wrong, typed, or computed
   from typed numbers — unless its formula computes *another* item whose label points at the
   same cell (a unit-margin column read as the global margin): then the label was misleading.
2. An item without a trustworthy label is bound by what formulas compute (`method`): the cells
   proven to compute the item, in order of proof (the method or a variant, then the method on
   the candidate's own upstream answers, then a known mistake); a cell another item's label
   claims is never taken (swapped labels give credit to neither), nor a cell already bound, nor
   — for a mistake — a cell that computes some item exactly. Ties go to the cell whose own
   label fits the item best, then to the computation rather than a bare copy (`=B12`), then to
   the first in the workbook.
3. What is left is searched by value by `answers`, never credited without a human look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autocorrect.grading import labels
from autocorrect.grading.context import Grading, ItemKey
from autocorrect.grading.fingerprints import Fingerprints, Proof, ProofKind, Target
from autocorrect.grading.locate import Location, own_label
from autocorrect.reading.refs import CellRef
from autocorrect.reference.case import Answers
from autocorrect.reference.perturb import data_sets
from autocorrect.report import LocatedBy
from autocorrect.rubric.model import ItemSpec, QuestionSpec, item_dependencies
from autocorrect.rubric.model import ordered_items as rubric_order

_BARE_REFERENCE = re.compile(r"^=\s*(?:'[^']+'|[^!'=]+)?!?\$?[A-Z]{1,3}\$?\d+\s*$")


@dataclass(frozen=True)
class Binding:
    location: Location
    proof: Proof | None


class Binder:
    """Binds the items of one submission, in dependency order."""

    def __init__(self, grading: Grading, labelled: dict[ItemKey, Location]) -> None:
        self.grading = grading
        self.labelled = labelled
        self.sets = data_sets(grading.rubric)
        self.fingerprints = Fingerprints(
            grading.workbook,
            grading.evaluator,
            self.sets,
            grading.case.subject_cells,
            grading.rubric.vocabularies,
        )
        self.labelled_at: dict[CellRef, set[ItemKey]] = {}
        for key, location in labelled.items():
            self.labelled_at.setdefault(location.cell, set()).add(key)
        self.items = {
            (q.id, i.key): i for q, i in rubric_order(grading.rubric) if i.kind == "value"
        }
        self.exact = {key: t for key in self.items if (t := self._exact_target(key)) is not None}
        self.exact_proofs = {
            key: self.fingerprints.proofs(target, self.items[key])
            for key, target in self.exact.items()
        }
        self.computes: dict[CellRef, set[ItemKey]] = {}
        for key, proofs in self.exact_proofs.items():
            for proof in proofs:
                self.computes.setdefault(proof.cell, set()).add(key)
        self.used: set[CellRef] = set()
        self.own_real: dict[ItemKey, object] = {}
        self.own_redrawn: list[dict[ItemKey, object]] = [{} for _ in self.sets]

    # -- binding ---------------------------------------------------------------------------

    def bind(self, question: QuestionSpec, item: ItemSpec) -> Binding | None:
        key = (question.id, item.key)
        targets = self._targets(key, item)
        labelled = self.labelled.get(key)
        if labelled is not None:
            proof = self._prove(labelled.cell, targets, item)
            if proof is None and self.other_items_computed(labelled.cell, key):
                # The label points at another item's computation: a misleading or swapped
                # label. The item's own computation, if one stands unclaimed, is the answer.
                elsewhere = self._by_method(key, item, targets[:1])
                if elsewhere is not None and not self._belongs_to_another(labelled.cell, key):
                    return self._bound_by_method(elsewhere)
            if proof is not None or not self._belongs_to_another(labelled.cell, key):
                self.used.add(labelled.cell)
                return Binding(labelled, proof)
        proof = self._by_method(key, item, targets)
        return None if proof is None else self._bound_by_method(proof)

    def _bound_by_method(self, proof: Proof) -> Binding:
        self.used.add(proof.cell)
        text = own_label(self.grading.workbook, proof.cell)
        location = Location(proof.cell, LocatedBy.METHOD, text, labels.has_percent(text))
        return Binding(location, proof)

    def other_items_computed(self, cell: CellRef, key: ItemKey) -> list[ItemKey]:
        """The other items this cell is proven to compute (a swapped label, a wrong column)."""
        return sorted(self.computes.get(cell, set()) - {key})

    def record(self, key: ItemKey, cell: CellRef, own_value: object, raw_value: object) -> None:
        """The candidate's own answer, on the subject's data and on each redrawn set, for the
        items downstream (error carried forward proven by fingerprint)."""
        self.own_real[key] = own_value
        scale = _scale(own_value, raw_value)
        redrawn = self.fingerprints.redrawn_values(cell) if scale is not None else ()
        for index, values in enumerate(self.own_redrawn):
            if scale is None or not redrawn or redrawn[index] is None:
                values[key] = own_value
            else:
                values[key] = redrawn[index] * scale  # type: ignore[operator]

    # -- targets ---------------------------------------------------------------------------

    def _exact_target(self, key: ItemKey) -> Target | None:
        real = self.grading.case.reference.get(key)
        if real is None or isinstance(real, tuple):
            return None
        redrawn = tuple(s.case.reference.get(key) for s in self.sets)
        target = Target(ProofKind.EXACT, real, redrawn)
        return target if target.moves else None

    def _targets(self, key: ItemKey, item: ItemSpec) -> list[Target]:
        """What this item's answer may compute, in order of proof."""
        case = self.grading.case
        reference = [s.case.reference for s in self.sets]
        if key not in self.exact:
            return []  # not a number that moves with the data: located by its label only
        found: list[Target | None] = [self.exact[key]]
        found += [
            self.fingerprints.target(ProofKind.VARIANT, c, case.reference, reference, case)
            for c in item.accept
        ]
        if item_dependencies(self.grading.rubric, item):
            own_real, own_redrawn = self._own_answers()
            found += [
                self.fingerprints.target(ProofKind.CONSEQUENTIAL, c, own_real, own_redrawn, case)
                for c in (item.compute, *item.accept)
            ]
        found += [
            self.fingerprints.target(ProofKind.MISTAKE, c, case.reference, reference, case)
            for c in item.mistakes
        ]
        return [t for t in found if t is not None]

    def _own_answers(self) -> tuple[Answers, list[Answers]]:
        real = {**self.grading.case.reference, **self.own_real}
        redrawn: list[Answers] = [
            {**s.case.reference, **own} for s, own in zip(self.sets, self.own_redrawn, strict=True)
        ]
        return real, redrawn

    # -- proofs ----------------------------------------------------------------------------

    def _prove(self, cell: CellRef, targets: list[Target], item: ItemSpec) -> Proof | None:
        for target in targets:
            proof = self.fingerprints.proves(cell, target, item)
            if proof is not None:
                return proof
        return None

    def _belongs_to_another(self, cell: CellRef, key: ItemKey) -> bool:
        """The label points at a cell that computes another item labelled there too."""
        others = self.labelled_at.get(cell, set()) - {key}
        return bool(others & self.computes.get(cell, set()))

    def _by_method(self, key: ItemKey, item: ItemSpec, targets: list[Target]) -> Proof | None:
        for target in targets:
            proofs = (
                self.exact_proofs.get(key, [])
                if target.kind == ProofKind.EXACT
                else self.fingerprints.proofs(target, item)
            )
            usable = [p for p in proofs if self._available(p, key)]
            if usable:
                return min(usable, key=lambda p: self._preference(p, item))
        return None

    def _available(self, proof: Proof, key: ItemKey) -> bool:
        cell = proof.cell
        if cell in self.used or self.labelled_at.get(cell, set()) - {key}:
            return False
        return not (proof.target.kind == ProofKind.MISTAKE and self.computes.get(cell))

    def _preference(self, proof: Proof, item: ItemSpec) -> tuple[float, bool, int, int, int]:
        workbook = self.grading.workbook
        cell = workbook.get(proof.cell)
        text = own_label(workbook, proof.cell)
        fit = max(
            (
                labels.best_score(part, item.labels + item.measure_labels)
                for part in text.split(" × ")
            ),
            default=0.0,
        )
        bare = bool(cell and cell.formula and _BARE_REFERENCE.match(cell.formula))
        sheet = (
            workbook.sheets.index(proof.cell.sheet) if proof.cell.sheet in workbook.sheets else 0
        )
        return (-fit, bare, sheet, proof.cell.row, proof.cell.col)


def _scale(own: object, raw: object) -> float | None:
    """How the candidate's raw number becomes its own answer (1, or 1/100 for a rate ×100)."""
    if not isinstance(own, float) or not isinstance(raw, int | float) or isinstance(raw, bool):
        return None
    if raw == 0:
        return 1.0
    ratio = own / float(raw)
    return 0.01 if abs(ratio - 0.01) < 1e-9 else 1.0
