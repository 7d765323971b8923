"""From matched cells to rubric items: grouping, references, method, unit, labels."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from autocorrect.authoring.draft import texts
from autocorrect.authoring.draft.inputs import DraftInput, InputRegistry, line_area
from autocorrect.authoring.draft.layout import (
    Answer,
    SolutionLayout,
    is_label,
    match_answers,
    row_texts,
)
from autocorrect.authoring.draft.methods import (
    UNRELATED,
    Flat,
    Flattener,
    KpiMatch,
    Leaf,
    Unsupported,
    call_kpi,
    days_tolerance,
    in_signature_order,
    in_unit,
    kpi_matches,
    kpi_rank,
    leaf_value,
    same_value,
    usual_variants,
    value_unit,
)
from autocorrect.authoring.enonce import Enonce, EnonceQuestion, for_each_word
from autocorrect.evaluate.evaluator import Evaluator, ExcelError
from autocorrect.grading import labels
from autocorrect.reading.refs import CellRef, RangeRef, parse_area, split_sheet
from autocorrect.reading.workbook import Workbook
from autocorrect.reference.case import ComputationFailed, formula_value
from autocorrect.reference.formula import FormulaError, evaluate_formula


@dataclass(eq=False)
class DraftItem:
    """One item (or a for_each of items) of a drafted question."""

    question: EnonceQuestion
    keys: tuple[str, ...]  # one key, or the entities of a for_each
    cells: tuple[CellRef, ...]
    header: str = ""  # the solution's own label or header for it
    unit: str = "number"
    labels: tuple[str, ...] = ()
    measure: tuple[str, ...] = ()
    entity: str | None = None
    for_each: str | None = None
    subset: tuple[str, ...] = ()  # `entities:` of a for_each over part of its group
    kind: str = "value"
    kpi: str | None = None
    formula: str | None = None
    args: dict[str, object] = field(default_factory=dict)
    accept: list[dict[str, object]] = field(default_factory=list)
    formula_required: bool = True
    tolerance: float | None = None
    vocabulary: str | None = None
    check: object = None
    how: str = ""  # « KPI prix_ttc », « formule de l'examinateur »
    notes: list[str] = field(default_factory=list)  # comment lines for the examiner


@dataclass
class Draft:
    title: str
    criteria: list[tuple[str, str]]
    criteria_of: dict[str, tuple[str, ...]]
    entities: dict[str, dict[str, list[str]]]
    vocabularies: dict[str, list[str]]
    inputs: list[DraftInput]
    questions: list[tuple[EnonceQuestion, list[DraftItem]]]
    unmatched: list[str]  # questions of the statement with no item
    skipped: list[str]  # answers found but not expressible, with why
    unused: list[str]  # formula cells of the solution that answer nothing


class Drafter:
    """Drafts the rubric of one case: solution, subject and statement."""

    def __init__(self, solution: Workbook, subject: Workbook, enonce: Enonce) -> None:
        self.solution = solution
        self.subject = subject
        self.enonce = enonce
        self.layout = SolutionLayout(solution, subject)
        self.evaluator = Evaluator(solution)
        self.answers = match_answers(self.layout, enonce.questions)
        self.by_element = {(a.question.id, a.element): a for a in self.answers.values()}
        self.flattener = Flattener(self.layout, self.answers)
        self.groups: dict[str, list[str]] = {}
        self.registry = InputRegistry(subject, self.groups)
        self.vocabularies: dict[str, list[str]] = {}
        self.for_each_keys: dict[str, tuple[str, ...]] = {}
        self.skipped: list[str] = []

    def run(self) -> Draft:
        planned = {q.id: self._plan(q) for q in self.enonce.questions}
        ordered = [i for q in self.enonce.questions for i in planned[q.id]]
        ordered.sort(key=lambda i: i.for_each is None)  # entity inputs are declared first
        finished = [i for i in ordered if self._finish(i)]
        drop_borrowed_labels(finished)
        add_head_words(finished)
        questions, unmatched = [], []
        for question in self.enonce.questions:
            items = [i for i in planned[question.id] if i in finished]
            chart = None if items else self._chart_item(question)
            items += [chart] if chart else []
            if items:
                questions.append((question, items))
            else:
                unmatched.append(question.id)
        return Draft(
            title=self.enonce.title,
            criteria=[(c.id, c.label) for c in self.enonce.criteria],
            criteria_of={q.id: self.enonce.criteria_of(q.id) for q in self.enonce.questions},
            entities=self._entities(),
            vocabularies=self.vocabularies,
            inputs=self.registry.inputs,
            questions=questions,
            unmatched=unmatched,
            skipped=self.skipped,
            unused=self._unused(),
        )

    # -- planning: which cells, grouped how -----------------------------------------------------

    def _plan(self, question: EnonceQuestion) -> list[DraftItem]:
        found = [self.by_element.get((question.id, e.name)) for e in question.elements]
        answers = [a for a in found if a is not None]
        members = self._for_each_members(answers)
        items = [self._for_each_item(question, members)] if members else []
        return items + [self._single_item(question, a) for a in answers if a not in members]

    def _for_each_members(self, answers: list[Answer]) -> list[Answer]:
        """The largest set (two or more) of entity answers sharing one copied formula whose
        operands a for_each can express."""
        classes: dict[tuple[str, ...], list[Answer]] = {}
        for answer in answers:
            if not answer.entity_axis or texts.aggregate(answer.element) is not None:
                continue
            try:
                shape = self.flattener.flatten(answer.cell).shape()
            except Unsupported:
                continue
            classes.setdefault(shape, []).append(answer)
        best = max(classes.values(), key=len, default=[])
        return best if len(best) >= 2 and self._expressible(best) else []

    def _expressible(self, members: list[Answer]) -> bool:
        """Each operand is shared, one cell (or column) per entity of a line of the subject,
        or the same entity's answer to another question."""
        flats = [self.flattener.flatten(a.cell) for a in members]
        group = self._group_for([a.element for a in members])
        positions = [group.index(a.element) for a in members]
        for index in range(len(flats[0].leaves)):
            leaves = [f.leaves[index] for f in flats]
            if all(leaf == leaves[0] for leaf in leaves):
                continue
            kinds = {leaf.kind for leaf in leaves}
            if kinds == {"input"} and line_area([x.area for x in leaves], positions, len(group)):
                continue
            if kinds == {"constant"} and self._own_names(leaves, [a.element for a in members]):
                continue
            if kinds != {"answer"} or self._same_entity_answers(leaves, members) is None:
                return False
        return True

    def _own_names(self, leaves: list[Leaf], names: list[str]) -> bool:
        """Each entity's operand is a cell holding its own name: the criterion of a SOMME.SI
        per product (`{text: $}` in the rubric)."""
        values = [leaf_value(self.solution, {}, leaf) for leaf in leaves]
        return all(
            isinstance(v, str) and texts.same_name(v, n) for v, n in zip(values, names, strict=True)
        )

    def _same_entity_answers(self, leaves: list[Leaf], members: list[Answer]) -> str | None:
        """« C20-Q06 » when each entity's operand is its own answer to C20-Q06."""
        targets = [self.answers[leaf.cell] for leaf in leaves]
        same = {t.question.id for t in targets}
        pairs = zip(targets, members, strict=True)
        return (
            same.pop() if len(same) == 1 and all(t.element == m.element for t, m in pairs) else None
        )

    def _group_for(self, names: list[str]) -> list[str]:
        """The statement's series holding these entities (P01…P10 for all but P06), else them."""
        for question in self.enonce.questions:
            for series in {e.series for e in question.elements if e.series}:
                members = [e.name for e in question.elements if e.series == series]
                if set(names) <= set(members):
                    return members
        return names

    def _for_each_item(self, question: EnonceQuestion, members: list[Answer]) -> DraftItem:
        group = self._group_for([a.element for a in members])
        name = self._register_group(question, group, members[0])
        keys = tuple(a.element for a in members)
        self.for_each_keys[question.id] = keys
        item = DraftItem(question, keys, tuple(a.cell for a in members), members[0].header)
        item.for_each = name
        item.subset = keys if len(keys) < len(group) else ()
        item.measure = self._measure_labels(question, members[0], name)
        return item

    def _single_item(self, question: EnonceQuestion, answer: Answer) -> DraftItem:
        item = DraftItem(question, (answer.element,), (answer.cell,), answer.header)
        if answer.entity_axis:
            item.entity = answer.element
            item.measure = self._measure_labels(question, answer)
            if len(question.elements) == 1:
                title = texts.clean_title(question.title)
                item.labels = texts.synonyms([title, texts.short_label(title)])
        else:
            item.labels = self._scalar_labels(question, answer)
        return item

    # -- labels ---------------------------------------------------------------------------------

    def _measure_labels(
        self, question: EnonceQuestion, answer: Answer, group: str | None = None
    ) -> tuple[str, ...]:
        title = texts.clean_title(question.title)
        wording = [answer.header, title, texts.without_entity_word(title, group)]
        wording += [p for p in texts.parentheses(question.title) if "/" in p]
        return texts.synonyms(wording)

    def _scalar_labels(self, question: EnonceQuestion, answer: Answer) -> tuple[str, ...]:
        parts = texts.title_parts(question)
        index = question.names.index(answer.element)
        part = parts[index] if len(parts) == len(question.elements) else parts[0]
        wording = [answer.header, part, texts.short_label(part)]
        if not texts.same_name(answer.element, part):
            wording.append(answer.element)
        head = texts.strip_parentheses(question.title).rpartition(" : ")[0]
        if head and texts.initials(head) == answer.element:
            wording.append(head)  # « NPS » is the « Net Promoter Score » of the title
        if len(question.elements) == 1:
            wording.append(texts.clean_title(question.title))
            wording += [p for p in texts.parentheses(question.title) if "/" in p or len(p) <= 6]
        return texts.synonyms(wording)

    # -- finishing an item: references, method, unit ---------------------------------------------

    def _finish(self, item: DraftItem) -> bool:
        """Fill in the item; False (and a note in `skipped`) when it cannot be expressed."""
        where = cells_text(item.cells)
        try:
            flats = [self.flattener.flatten(c) for c in item.cells]
            refs = self._references(item, flats)
        except Unsupported as exc:
            self.skipped.append(f"{where} : référence non exprimable ({exc})")
            return False
        targets = [self.evaluator.value(c) for c in item.cells]
        if any(isinstance(t, ExcelError) or t is None for t in targets):
            self.skipped.append(f"{where} : la formule de la solution ne donne pas de valeur")
            return False
        self._set_unit(item, flats[0], targets)
        if not (
            self._use_kpi(item, flats, targets, refs)
            or self._use_formula(item, flats, targets, refs)
        ):
            self.skipped.append(f"{where} : formule non recalculable par le moteur")
            return False
        if item.unit == "text":
            self._vocabulary(item, flats[0].text([""] * len(flats[0].leaves)), targets)
        item.check = _check(item, targets)
        return True

    def _references(self, item: DraftItem, flats: list[Flat]) -> list[object]:
        """One rubric argument per leaf: `name[$]` in a for_each, else a plain reference."""
        if item.for_each is None:
            return [self._plain_ref(leaf) for leaf in flats[0].leaves]
        return [self._for_each_ref(item, flats, i) for i in range(len(flats[0].leaves))]

    def _for_each_ref(self, item: DraftItem, flats: list[Flat], index: int) -> object:
        leaves = [f.leaves[index] for f in flats]
        if all(leaf == leaves[0] for leaf in leaves):
            return self._plain_ref(leaves[0])
        if leaves[0].kind == "answer":
            return f"{self.answers[leaves[0].cell].question.id}[$]"
        if leaves[0].kind == "constant":
            return {"text": "$"}  # the entity's own name: checked by _expressible
        group = self.groups[str(item.for_each)]
        positions = [group.index(k) for k in item.keys]
        area = line_area([leaf.area for leaf in leaves], positions, len(group))
        if area is None:
            raise Unsupported(str(leaves[0].area))
        single = leaves[0].area.is_single_cell
        return f"{self.registry.entity_input(area, str(item.for_each), cells=single)}[$]"

    def _plain_ref(self, leaf: Leaf) -> object:
        if leaf.kind == "answer":
            answer = self.answers[leaf.cell]
            return f"{answer.question.id}[{answer.element}]"
        if leaf.kind == "answers":
            return self._answers_ref(leaf.area)
        if leaf.kind == "constant":
            value = leaf_value(self.solution, {}, leaf)
            return value if isinstance(value, float) else {"text": str(value)}
        return self.registry.reference(leaf.area)

    def _answers_ref(self, area: RangeRef) -> object:
        """`C16-Q02[*]` for the whole for_each of a question, else the list of its items."""
        answers = [self.answers[c] for row in area.cells() for c in row]
        qids = {a.question.id for a in answers}
        keys = tuple(a.element for a in answers)
        if len(qids) == 1 and self.for_each_keys.get(answers[0].question.id) == keys:
            return f"{answers[0].question.id}[*]"
        return [f"{a.question.id}[{a.element}]" for a in answers]

    def _values(self, flat: Flat) -> list[object]:
        recomputed = {leaf.cell: self.evaluator.value(leaf.cell) for leaf in flat.leaves}
        for leaf in flat.leaves:
            if leaf.kind == "answers":
                recomputed.update(
                    {c: self.evaluator.value(c) for r in leaf.area.cells() for c in r}
                )
        return [leaf_value(self.solution, recomputed, leaf) for leaf in flat.leaves]

    def _use_kpi(
        self, item: DraftItem, flats: list[Flat], targets: list[object], refs: list[object]
    ) -> bool:
        """The best-named KPI reproducing every cell of the item, if any."""
        wording = [*item.labels, *item.measure]
        if len(item.question.elements) == 1 or item.for_each or item.entity:
            wording.append(item.question.title)
        values = [self._values(f) for f in flats]
        matches = kpi_matches(values[0], flats[0].literals(), targets[0])
        for match in sorted(matches, key=lambda m: kpi_rank(m, wording)):
            if kpi_rank(match, wording)[0] == UNRELATED:
                return False  # named after another indicator: a coincidence of arithmetic
            if all(_reproduces(match, v, t) for v, t in zip(values, targets, strict=True)):
                item.kpi, item.how = match.kpi, f"KPI {match.kpi}"
                texts_as_args = {
                    p: {"text": v} if isinstance(v, str) else v for p, v in match.literals
                }
                bound = {p: refs[i] for p, i in match.binding} | texts_as_args
                item.args = in_signature_order(match.kpi, bound)
                item.accept = usual_variants(match.kpi, item.args)
                if item.accept:
                    item.notes.append("variante usuelle proposée (accept) : à confirmer ou retirer")
                return True
        return False

    def _use_formula(
        self, item: DraftItem, flats: list[Flat], targets: list[object], refs: list[object]
    ) -> bool:
        """The examiner's formula, its operands named, when the engine recomputes it."""
        names = placeholders(refs, {q.id for q in self.enonce.questions})
        formula = flats[0].text(names)
        for flat, target in zip(flats, targets, strict=True):
            values = dict(zip(names, self._values(flat), strict=True))
            try:
                result = formula_value(formula, evaluate_formula(formula, values, {}), item.unit)
            except (FormulaError, ComputationFailed):
                return False
            if not same_value(result, in_unit(target, item.unit)):
                return False
        item.formula, item.how = formula, "formule de l'examinateur"
        item.args = dict(zip(names, refs, strict=True))
        if item.unit == "date" and all(leaf.kind == "answer" for leaf in flats[0].leaves):
            item.formula_required = False
            item.notes.append("mise en date d'un résultat : une date saisie est admise")
        return True

    def _vocabulary(self, item: DraftItem, formula: str, targets: list[object]) -> None:
        """The texts the examiner's formula can give (« Point fort »…), as the item's
        vocabulary: a candidate's « Points forts à maintenir » then reads as « Point fort »."""
        found = [t for t in re.findall(r'"([^"]+)"', formula) if labels.words(t)]
        terms = list(dict.fromkeys([*found, *(str(t) for t in targets)]))
        if len(terms) >= 2:
            name = texts.unique(texts.slug(item.question.id, "vocabulaire"), set(self.vocabularies))
            self.vocabularies[name] = terms
            item.vocabulary = name

    def _set_unit(self, item: DraftItem, flat: Flat, targets: list[object]) -> None:
        cell = self.solution.get(item.cells[0])
        number_format = cell.number_format if cell is not None else "General"
        wording = " ".join([item.question.title, *item.labels, *item.measure])
        item.unit = value_unit(targets, number_format, flat, wording)
        if item.unit == "days":
            item.tolerance = days_tolerance(number_format, targets)

    # -- charts ---------------------------------------------------------------------------------

    def _chart_item(self, question: EnonceQuestion) -> DraftItem | None:
        """A question answered by a scatter chart of the solution (« matrice »)."""
        if len(question.elements) != 1:
            return None
        if not texts.words(question.title) & {"nuage", "graphique", "matrice"}:
            return None
        for chart in self.solution.charts:
            if chart.kind != "scatter" or len(chart.series) != 1:
                continue
            series = chart.series[0]
            x, y = self._series_ref(series.x), self._series_ref(series.y)
            if x is None or y is None:
                continue
            item = DraftItem(question, (question.elements[0].name,), (), kind="scatter-chart")
            item.kpi, item.args = "nuage_points", {"x": x, "y": y}
            item.labels = texts.synonyms([texts.clean_title(question.title)])
            item.how = f"graphique de la feuille {chart.sheet} ({series.x} ; {series.y})"
            return item
        return None

    def _series_ref(self, text: str | None) -> object:
        sheet, address = split_sheet(text or "")
        actual = self.solution.sheet_named(sheet) if sheet else None
        area = parse_area(actual, address.replace("$", "")) if actual else None
        if area is None or not all(c in self.answers for row in area.cells() for c in row):
            return None
        return self._answers_ref(area)

    # -- entities -------------------------------------------------------------------------------

    def _register_group(self, question: EnonceQuestion, group: list[str], first: Answer) -> str:
        for name, members in self.groups.items():
            if members == group:
                return name
        word = for_each_word(question) or self._entity_header(first) or "groupe"
        name = texts.unique(texts.slug(word, "groupe"), set(self.groups))
        self.groups[name] = group
        return name

    def _entity_header(self, answer: Answer) -> str | None:
        """The header above the entity names of a table (« Produit », « Mois »)."""
        for col in range(1, answer.cell.col):
            cell = self.solution.get(CellRef(answer.cell.sheet, answer.cell.row, col))
            if cell is not None and texts.same_name(str(cell.value), answer.element):
                return self.layout.header_above(cell.ref)
        return None

    def _entities(self) -> dict[str, dict[str, list[str]]]:
        """Every group with its entities' synonyms, then aggregates and lone entities."""
        groups = {
            name: _own_synonyms({member: self._entity_synonyms(member) for member in members})
            for name, members in self.groups.items()
        }
        grouped = {m for members in self.groups.values() for m in members}
        others = sorted({a.element for a in self.answers.values() if a.entity_axis} - grouped)
        aggregates = {e: [e, *(texts.aggregate(e) or ())] for e in others if texts.aggregate(e)}
        singles = _own_synonyms(
            {e: self._entity_synonyms(e) for e in others if e not in aggregates}
        )
        for name, members in (("agregats", aggregates), ("autres", singles)):
            if members:
                groups[texts.unique(name, set(groups))] = {
                    k: list(dict.fromkeys(v)) for k, v in members.items()
                }
        return groups

    def _entity_synonyms(self, name: str) -> list[str]:
        """The entity's name and the texts beside it in the solution and the subject: its
        designation in a list (« P1 » → « Copieur multifonction A3 »), never the other
        texts of a transaction row (a rep's row names products and statuses too)."""
        others = self._element_names() - {texts.fold(name)}
        found = [name]
        for workbook in (self.solution, self.subject):
            for cell in workbook.cells.values():
                if is_label(cell) and texts.same_name(str(cell.value), name):
                    beside = row_texts(workbook, cell.ref)
                    if not any(texts.fold(t) in others for t in beside):
                        found += beside
        shorter = [texts.strip_parentheses(t) for t in found]
        return list(dict.fromkeys(t for t in [*found, *shorter] if t and len(t) <= 60))

    def _element_names(self) -> set[str]:
        """Every element the statement names (entities, aggregates), folded."""
        return {texts.fold(e.name) for q in self.enonce.questions for e in q.elements}

    def _unused(self) -> list[str]:
        """Formula cells of the solution that answer nothing and that no answer reads."""
        read: set[CellRef] = set()
        for answer in self.answers.values():
            read |= _precedents(self.evaluator, answer.cell)
        return [
            str(c.ref)
            for c in self.solution.cells.values()
            if c.formula is not None
            and c.ref not in self.answers
            and c.ref not in read
            and not self.layout.is_subject_cell(c.ref)
        ]


# --- helpers ----------------------------------------------------------------------------------


def _reproduces(match: KpiMatch, values: Sequence[object], target: object) -> bool:
    return same_value(call_kpi(match.kpi, match.arguments(values)), target)


def _own_synonyms(members: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each member keeps only the synonyms no other member of its group has (« Ville » is
    the range of three products: it names none of them)."""
    counts: dict[str, int] = {}
    for synonyms in members.values():
        for text in {texts.fold(t) for t in synonyms}:
            counts[text] = counts.get(text, 0) + 1
    return {
        name: [t for t in synonyms if t == name or counts[texts.fold(t)] == 1]
        for name, synonyms in members.items()
    }


def _check(item: DraftItem, targets: list[object]) -> object:
    """The solution's values as `check:` (a number, or one per entity of a for_each)."""
    values = [in_unit(t, item.unit) for t in targets]
    numbers = [float(f"{v:.10g}") for v in values if isinstance(v, float)]
    if len(numbers) != len(values):
        return None
    return numbers[0] if item.for_each is None else dict(zip(item.keys, numbers, strict=True))


def placeholders(refs: Sequence[object], question_ids: Collection[str] = ()) -> list[str]:
    """Names of a formula's operands: the input's name, « q25_net_commercial » for an
    answer (of C20-Q25, S2-Q25…), « erreur_facturation » for a text."""
    names: list[str] = []
    for ref in refs:
        if isinstance(ref, str):
            name, _, index = ref.rstrip("]").partition("[")
            is_answer = name in question_ids or not re.fullmatch(r"[A-Za-z_]\w*", name)
            head = _answer_head(name) if is_answer else name
            tail = "" if index in ("", "$") else texts.slug(index.replace("*", "tous"), "")
            base = f"{head}_{tail}" if tail else head
            base = f"{base}_v" if re.fullmatch(r"[a-z]{1,3}\d+", base) else base
        elif isinstance(ref, dict):
            base = texts.slug(str(ref.get("text", "")), "texte")
        else:
            base = "valeur"
        names.append(texts.unique(base, set(names)))
    return names


def _answer_head(qid: str) -> str:
    """« q25 » for C20-Q25 or S2-Q25: the last part of the id, when it makes a name."""
    segment = re.split(r"[-.]", qid)[-1].lower()
    return segment if re.fullmatch(r"[a-z][a-z0-9_]*", segment) else texts.slug(qid, "reponse")


def drop_borrowed_labels(items: Sequence[DraftItem]) -> None:
    """A synonym drawn from a title that another item's own header spells the same way
    (« Pourcentage de clients satisfaits » = « % clients satisfaits ») would claim that
    header for the wrong item: such synonyms are dropped."""
    owners: dict[tuple[str, ...], set[int]] = {}
    for item in items:
        if item.header:
            owners.setdefault(labels.words(item.header), set()).add(id(item))
    for item in items:
        mine = {id(item)}
        kept_labels = tuple(t for t in item.labels if owners.get(labels.words(t), mine) & mine)
        kept_measure = tuple(t for t in item.measure if owners.get(labels.words(t), mine) & mine)
        item.labels = kept_labels or item.labels
        item.measure = kept_measure or item.measure


def add_head_words(items: Sequence[DraftItem]) -> None:
    """A table header reduced to its head noun (« Coef », « Évolution », « Valeur ») when no
    other question has a label starting with that noun: candidates often write only that."""
    starts: dict[str, set[str]] = {}
    for item in items:
        for text in (*item.labels, *item.measure):
            for found in (labels.words(text)[:1], labels.words(texts.head_word(text) or "")):
                if found:
                    starts.setdefault(found[0], set()).add(item.question.id)
    for item in items:
        if not item.measure:
            continue
        for text in (item.header, texts.clean_title(item.question.title)):
            head = texts.head_word(text)
            key = labels.words(head or "")
            if head and key and starts.get(key[0], set()) <= {item.question.id}:
                item.measure = texts.synonyms([*item.measure, head])


def _precedents(evaluator: Evaluator, start: CellRef) -> set[CellRef]:
    seen: set[CellRef] = set()
    queue = [start]
    while queue:
        for cell in evaluator.precedent_cells(queue.pop()):
            if cell not in seen:
                seen.add(cell)
                queue.append(cell)
    return seen


def cells_text(cells: Sequence[CellRef]) -> str:
    """« Calculs!B4:B8 » for a line of cells, else the cells one by one."""
    if not cells:
        return "pas de cellule"
    if len(cells) == 1:
        return str(cells[0])
    first, last = min(cells), max(cells)
    if len(cells) == (last.row - first.row + 1) * (last.col - first.col + 1):
        return str(RangeRef(first.sheet, first.row, first.col, last.row, last.col))
    return ", ".join(str(c) for c in cells)
