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

Longer than most modules: the binding rules (labels, proofs, vetoes, ambiguity, the upstream
search, table lines of flags) decide together and read one shared state; split, each part
would need the whole binder.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from autocorrect.grading import labels
from autocorrect.grading.context import Grading, ItemKey
from autocorrect.grading.fingerprints import Fingerprints, Proof, ProofKind, Target
from autocorrect.grading.locate import Location, own_label
from autocorrect.reading.refs import CellRef
from autocorrect.reference.perturb import data_sets
from autocorrect.report import LocatedBy
from autocorrect.rubric.graph import item_dependencies
from autocorrect.rubric.graph import ordered_items as rubric_order
from autocorrect.rubric.model import ItemSpec, QuestionSpec

_MIN_LINE = 2  # moving entities a line of flags must prove together
_MAX_OPEN_UPSTREAM = 2  # upstream answers sought through one formula
_MAX_READS = 6  # cells of a formula tried as its upstream answers
_BARE_REFERENCE = re.compile(r"^=\s*(?:'[^']+'|[^!'=]+)?!?\$?[A-Z]{1,3}\$?\d+\s*$")


@dataclass(frozen=True)
class Binding:
    location: Location
    proof: Proof | None
    # Upstream items found through this answer's formula: the cells it reads (error carried
    # forward from an unlabelled intermediate result).
    upstream: tuple[tuple[ItemKey, Location], ...] = ()


class Binder:
    """Binds the items of one submission, in dependency order."""

    def __init__(self, grading: Grading, labelled: dict[ItemKey, Location]) -> None:
        self.grading = grading
        self.labelled = labelled
        self.fingerprints = Fingerprints(
            grading.workbook,
            grading.evaluator,
            data_sets(grading.rubric),
            grading.case.subject_cells,
            grading.rubric.vocabularies,
        )
        self.sets = self.fingerprints.sets
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
        self._restrict_weak_proofs_to_lines()
        self.computes: dict[CellRef, set[ItemKey]] = {}
        for key, proofs in self.exact_proofs.items():
            for proof in proofs:
                self.computes.setdefault(proof.cell, set()).add(key)
        self.used: set[CellRef] = set()
        self.own_real: dict[ItemKey, object] = {}
        self.bound_cells: dict[ItemKey, CellRef] = {}
        self.own_redrawn: list[dict[ItemKey, object]] = [{} for _ in self.sets]

    def _restrict_weak_proofs_to_lines(self) -> None:
        """A flag or a text carries a few bits per data set: one cell may match another
        entity's by chance. Per-entity answers of that kind are proven together, as the row
        or column of one table whose every cell matches its own entity, in entity order."""
        for question in self.grading.rubric.questions:
            keys = [(question.id, i.key) for i in question.items if i.from_for_each]
            weak = [
                k for k in keys if k in self.exact and not isinstance(self.exact[k].real, float)
            ]
            if not weak:
                continue
            line = self._proven_line(keys)
            for key in weak:
                self.exact_proofs[key] = [
                    p for p in self.exact_proofs[key] if line.get(key) == p.cell
                ]

    def _proven_line(self, keys: list[ItemKey]) -> dict[ItemKey, CellRef]:
        """The line of cells proving every moving item of `keys`, in order; empty if none."""
        moving = [(i, k) for i, k in enumerate(keys) if k in self.exact]
        if len(moving) < _MIN_LINE:
            return {}
        first_index, first_key = moving[0]
        for proof in self.exact_proofs.get(first_key, []):
            for step in ((1, 0), (0, 1)):
                line = {k: _along(proof.cell, step, i - first_index) for i, k in enumerate(keys)}
                if all(
                    any(p.cell == line[k] for p in self.exact_proofs.get(k, [])) for _, k in moving
                ):
                    return line
        return {}

    # -- binding ---------------------------------------------------------------------------

    def bind(self, question: QuestionSpec, item: ItemSpec) -> Binding | None:
        key = (question.id, item.key)
        targets = self._targets(key, item)
        labelled = self.labelled.get(key)
        if labelled is not None and labelled.cell in self.used:
            labelled = None  # an ambiguous label, whose cell another item's formula took
        if labelled is not None:
            proof = self._prove(labelled.cell, targets, item)
            if self._misled(key, labelled, proof):
                # The label points at another item's computation: a misleading or swapped
                # label. The item's own computation, if one stands unclaimed, is the answer.
                elsewhere = self._by_method(key, item, targets[:1], labelled)
                if elsewhere is not None and not self._belongs_to_another(labelled.cell, key):
                    return self._bound_by_method(elsewhere)
            if proof is not None or not self._belongs_to_another(labelled.cell, key):
                self.used.add(labelled.cell)
                if proof is None:
                    return self._through_upstream(key, item, [labelled.cell], labelled)
                return Binding(labelled, proof)
        proof = self._by_method(key, item, targets)
        if proof is not None:
            return self._bound_by_method(proof)
        if key not in self.exact:
            return None
        return self._through_upstream(key, item, self._unclaimed_formulas(key), None)

    def _misled(self, key: ItemKey, labelled: Location, proof: Proof | None) -> bool:
        """The label led to another item's computation: no proof there, or only the proof
        of a known mistake while the label names the item computed there as well
        (« Margin rate (taux de marque) » over the taux de marque)."""
        others = self.other_items_computed(labelled.cell, key)
        if not others or (proof is not None and proof.target.kind != ProofKind.MISTAKE):
            return False
        return proof is None or any(self._fits(labelled.label, other) for other in others)

    def _through_upstream(
        self, key: ItemKey, item: ItemSpec, cells: list[CellRef], labelled: Location | None
    ) -> Binding | None:
        """The item's method applied to the cells the candidate's formula reads: the answer is
        a carried error, and the upstream answers are where the formula took them."""
        found = self._by_upstream_cells(key, item, cells)
        if found is None:
            return None if labelled is None else Binding(labelled, None)
        proof, chosen = found
        binding = self._bound_by_method(proof) if labelled is None else Binding(labelled, proof)
        upstream = []
        for dep, cell in chosen.items():
            if dep not in self.own_real and cell not in self.used:
                self.used.add(cell)
                text = own_label(self.grading.workbook, cell)
                upstream.append((dep, Location(cell, LocatedBy.METHOD, text, False)))
        return Binding(binding.location, proof, tuple(upstream))

    def _by_upstream_cells(
        self, key: ItemKey, item: ItemSpec, cells: list[CellRef]
    ) -> tuple[Proof, dict[ItemKey, CellRef]] | None:
        deps = [d for d in item_dependencies(self.grading.rubric, item) if d in self.items]
        open_deps = [d for d in deps if not self._right(d)]
        if not open_deps or len(open_deps) > _MAX_OPEN_UPSTREAM:
            return None
        own = self._own_answers()  # unchanged while this item is sought
        for cell in cells:
            reads = self._numbers_read(cell)
            for chosen in itertools.permutations(reads, len(open_deps)):
                assignment = dict(zip(open_deps, chosen, strict=True))
                if not all(self._stands_for(dep, read) for dep, read in assignment.items()):
                    continue
                proof = self._proof_on(cell, item, assignment, own)
                if proof is not None:
                    return proof, assignment
        return None

    def _proof_on(
        self,
        cell: CellRef,
        item: ItemSpec,
        assignment: dict[ItemKey, CellRef],
        own: tuple[dict[ItemKey, object], list[dict[ItemKey, object]]],
    ) -> Proof | None:
        """Whether `cell` computes the item from the upstream cells of `assignment`; `own`:
        the candidate's answers so far (on the subject's data, on each redrawn set)."""
        evaluator = self.grading.evaluator
        real = {**own[0], **{d: evaluator.value(c) for d, c in assignment.items()}}
        own_value = evaluator.value(cell)
        redrawn: list[dict[ItemKey, object]] | None = None
        for comp in (item.compute, *item.accept):
            first = self.grading.compute(comp, real)
            if first is None or not _roughly(first, own_value):
                continue  # cheap test on the subject's data before the redrawn sets
            if redrawn is None:  # the upstream cells evaluated on the redrawn sets: only now
                redrawn = [
                    {**answers, **{d: self.fingerprints.redrawn_values(c)[index]
                                   for d, c in assignment.items()}}
                    for index, answers in enumerate(own[1])
                ]  # fmt: skip
            target = self.fingerprints.target(
                ProofKind.CONSEQUENTIAL, comp, real, redrawn, self.grading.case
            )
            proof = self.fingerprints.proves(cell, target, item) if target else None
            if proof is not None:
                return proof
        return None

    def _stands_for(self, dep: ItemKey, read: CellRef) -> bool:
        """Whether a cell read by a formula may be the candidate's answer to `dep`: any cell
        when `dep` was not found, otherwise a cell that is not built on the located answer
        (`=B48+port` is a new intermediate, not the net commercial carried forward)."""
        located = self.bound_cells.get(dep)
        if located is None:
            return True
        return read != located and located not in self.grading.evaluator.precedent_cells(read)

    def _numbers_read(self, cell: CellRef) -> list[CellRef]:
        """The candidate's own numbers this formula reads directly (not the subject's)."""
        evaluator = self.grading.evaluator
        subject = self.grading.case.subject_cells
        cells = [
            c
            for c in dict.fromkeys(evaluator.precedent_cells(cell))
            if c not in subject and isinstance(evaluator.value(c), float)
        ]
        return cells[:_MAX_READS]

    def _unclaimed_formulas(self, key: ItemKey) -> list[CellRef]:
        return [
            c
            for c in self.fingerprints.formula_cells
            if c not in self.used and not self.labelled_at.get(c, set()) - {key}
        ]

    def _right(self, key: ItemKey) -> bool:
        """Whether the candidate's own answer for an upstream item is the expected one."""
        if key not in self.own_real:
            return False
        own, expected = self.own_real[key], self.grading.case.reference.get(key)
        if isinstance(own, float) and isinstance(expected, float):
            return self.items[key].tolerance.accepts(expected, own)
        return own == expected

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
        self.bound_cells[key] = cell
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

    def _own_answers(self) -> tuple[dict[ItemKey, object], list[dict[ItemKey, object]]]:
        real = {**self.grading.case.reference, **self.own_real}
        redrawn = [
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

    def _by_method(
        self,
        key: ItemKey,
        item: ItemSpec,
        targets: list[Target],
        misled: Location | None = None,
    ) -> Proof | None:
        for target in targets:
            proofs = (
                self.exact_proofs.get(key, [])
                if target.kind == ProofKind.EXACT
                else self.fingerprints.proofs(target, item)
            )
            usable = [p for p in proofs if self._available(p, key, misled)]
            if usable:
                return min(usable, key=lambda p: self._preference(p, item))
        return None

    def _available(self, proof: Proof, key: ItemKey, misled: Location | None) -> bool:
        cell = proof.cell
        if cell in self.used:
            return False
        # Another item's label here counts only while that item has no answer elsewhere.
        others = {
            o
            for o in self.labelled_at.get(cell, set()) - {key}
            if self.bound_cells.get(o, cell) == cell
        }
        if others and not self._ambiguous(cell, key, others, misled):
            return False
        return not (proof.target.kind == ProofKind.MISTAKE and self.computes.get(cell))

    def _ambiguous(
        self, cell: CellRef, key: ItemKey, others: set[ItemKey], misled: Location | None
    ) -> bool:
        """Whether another item's label at `cell` may as well name this item: then the
        computation decides between them (« Réalisé − objectif » for a gap or a rate). A
        label that names only the other item (« Taux de marque » over the taux de marge) is
        the candidate's own claim: the cell is not this item's answer, and when this item's
        own label led to the other's computation (`misled`), that is a swap — no credit."""
        here = [self.labelled[o].label for o in others if o in self.labelled]
        if not any(self._fits(text, key) for text in here):
            return False
        if misled is None:
            return True
        computed_there = self.computes.get(misled.cell, set()) - {key}
        return any(self._fits(misled.label, other) for other in computed_there)

    def _fits(self, text: str, key: ItemKey) -> bool:
        item = self.items.get(key)
        return item is not None and _label_fit(text, item) > 0

    def _preference(self, proof: Proof, item: ItemSpec) -> tuple[float, bool, int, int, int]:
        workbook = self.grading.workbook
        cell = workbook.get(proof.cell)
        fit = _label_fit(own_label(workbook, proof.cell), item)
        bare = bool(cell and cell.formula and _BARE_REFERENCE.match(cell.formula))
        sheet = (
            workbook.sheets.index(proof.cell.sheet) if proof.cell.sheet in workbook.sheets else 0
        )
        return (-fit, bare, sheet, proof.cell.row, proof.cell.col)


def _label_fit(text: str, item: ItemSpec) -> float:
    """How well a candidate's label (« header × row label ») names an item."""
    synonyms = item.labels + item.measure_labels
    return max((labels.best_score(part, synonyms) for part in text.split(" × ")), default=0.0)


def _along(start: CellRef, step: tuple[int, int], offset: int) -> CellRef:
    """The cell `offset` steps from `start` down a column (1, 0) or along a row (0, 1)."""
    return CellRef(start.sheet, start.row + step[0] * offset, start.col + step[1] * offset)


def _roughly(expected: object, found: object) -> bool:
    if isinstance(expected, float) and isinstance(found, float):
        return abs(expected - found) <= 0.01 * max(1.0, abs(expected))
    return not isinstance(expected, float)


def _scale(own: object, raw: object) -> float | None:
    """How the candidate's raw number becomes its own answer (1, or 1/100 for a rate ×100)."""
    if not isinstance(own, float) or not isinstance(raw, int | float) or isinstance(raw, bool):
        return None
    if raw == 0:
        return 1.0
    ratio = own / float(raw)
    return 0.01 if abs(ratio - 0.01) < 1e-9 else 1.0
