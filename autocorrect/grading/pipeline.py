"""Verdicts: compare each located answer with the reference, carry errors forward, score.

For one item, in order: not found → `missing`; equal to the reference (or to an accepted
variant) → `correct`, or `hardcoded` when typed where a formula was required or computed from
constants only; otherwise the reference method is applied to the candidate's *own* upstream
answers (the rubric's dependency graph): a match is `consequential` when an upstream answer is
wrong (report d'erreur), `correct` when the upstream answers are right but were rounded;
otherwise `incorrect`, naming the typical mistake when one of the rubric's known mistakes
reproduces the value. Located only by its number → `review`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from autocorrect import french
from autocorrect.evaluate.evaluator import Evaluator, ExcelError
from autocorrect.grading.locate import Location, Locator
from autocorrect.grading.methods import MethodIssue, line_of, method_issues
from autocorrect.grading.readings import Reading, agrees, display, first_agreeing, readings
from autocorrect.grading.scoring import criteria_results, question_points, question_verdict
from autocorrect.reading.refs import CellRef, RangeRef, parse_ref
from autocorrect.reading.workbook import (
    CellData,
    Chart,
    Workbook,
    from_serial,
    is_date_format,
    is_percent_format,
)
from autocorrect.reference.case import CaseData, ComputationFailed, evaluate
from autocorrect.report import (
    CandidateReport,
    Code,
    Evidence,
    Finding,
    ItemResult,
    QuestionResult,
    Status,
    Verdict,
)
from autocorrect.rubric.model import (
    Computation,
    ItemSpec,
    QuestionSpec,
    Ref,
    Rubric,
    item_dependencies,
)
from autocorrect.rubric.model import ordered_items as rubric_order

_WRONG = (Verdict.INCORRECT, Verdict.CONSEQUENTIAL)


@dataclass(frozen=True)
class _Answer:
    """What the candidate wrote for one item, as the grader sees it."""

    location: Location
    value: object  # recomputed for formulas, typed otherwise
    formula: str | None
    cached: object
    readings: tuple[Reading, ...]


class _Grading:
    """The state of grading one workbook against one rubric."""

    def __init__(self, workbook: Workbook, rubric: Rubric, case: CaseData) -> None:
        self.workbook = workbook
        self.rubric = rubric
        self.case = case
        self.evaluator = Evaluator(workbook)
        self.locator = Locator(workbook, rubric, case.subject_cells)
        self.answers: dict[tuple[str, str], _Answer] = {}
        self.candidate_values: dict[tuple[str, str], object] = {}
        self.results: dict[tuple[str, str], ItemResult] = {}
        self._pool: list[CellData] | None = None

    # -- locating --------------------------------------------------------------------------

    def locate_all(self) -> None:
        order = [(q, i) for q, i in rubric_order(self.rubric) if i.kind == "value"]
        for question, item in order:
            location = self.locator.locate(item)
            if location is not None:
                self.answers[(question.id, item.key)] = self._answer(location, item)
        used = {a.location.cell for a in self.answers.values()}
        for question, item in order:
            if (question.id, item.key) not in self.answers:
                found = self._value_search(question, item, used)
                if found is not None:
                    used.add(found.location.cell)
                    self.answers[(question.id, item.key)] = found

    def _answer(self, location: Location, item: ItemSpec) -> _Answer:
        cell = self.workbook.get(location.cell)
        assert cell is not None
        value = self.evaluator.value(location.cell) if cell.is_formula else cell.value
        if item.unit == "date" and isinstance(value, float) and is_date_format(cell.number_format):
            value = from_serial(value) or value
        vocabulary = self.rubric.vocabularies.get(item.vocabulary or "")
        found = readings(
            value,
            item.unit,
            is_percent_format(cell.number_format),
            location.percent_label,
            vocabulary,
        )
        return _Answer(location, value, cell.formula, cell.cached, tuple(found))

    def _value_search(
        self, question: QuestionSpec, item: ItemSpec, used: set[CellRef]
    ) -> _Answer | None:
        expected = self.case.reference[(question.id, item.key)]
        if not isinstance(expected, float) or expected == 0:
            return None  # a zero or a date is too common to be evidence on its own
        for cell in self._search_pool():
            if cell.ref in used:
                continue
            location = Location(cell.ref, "value-search", "", percent_label=False)
            answer = self._answer(location, item)
            if first_agreeing(expected, list(answer.readings), item.tolerance):
                return answer
        return None

    def _search_pool(self) -> list[CellData]:
        """The candidate's own numbers and formulas: where a value search may look."""
        if self._pool is None:
            self._pool = [
                c
                for c in self.workbook.cells.values()
                if (c.is_formula or _is_number(c.value)) and not self.locator.is_subject_cell(c)
            ]
        return self._pool

    # -- judging ---------------------------------------------------------------------------

    def judge_all(self) -> None:
        for question, item in rubric_order(self.rubric):
            key = (question.id, item.key)
            result = self._judge(question, item)
            self.results[key] = result
            answer = self.answers.get(key)
            if answer is not None:
                self.candidate_values[key] = self._value_for_downstream(item, answer, key)

    def _value_for_downstream(
        self, item: ItemSpec, answer: _Answer, key: tuple[str, str]
    ) -> object:
        """The candidate's number as later items will use it (×100 rates brought back)."""
        expected = self.case.reference[key]
        agreeing = first_agreeing(expected, list(answer.readings), item.tolerance)
        if agreeing is not None:
            return agreeing.value
        if not answer.readings:
            return None
        plain = answer.readings[0].value
        if (
            item.unit == "percent"
            and isinstance(plain, float)
            and len(answer.readings) > 1
            and abs(plain) > 1.5
            and isinstance(expected, float)
            and abs(expected) <= 1.5
        ):
            return answer.readings[1].value
        return plain

    def _judge(self, question: QuestionSpec, item: ItemSpec) -> ItemResult:
        if item.kind == "scatter-chart":
            return self._judge_chart(question, item)
        key = (question.id, item.key)
        expected = self.case.reference[key]
        answer = self.answers.get(key)
        if answer is None:
            return self._item(
                item,
                Verdict.MISSING,
                expected,
                None,
                f"Aucune réponse trouvée (libellés cherchés : {_labels_hint(item)}).",
            )
        if isinstance(answer.value, ExcelError):
            return self._item(
                item,
                Verdict.INCORRECT,
                expected,
                answer,
                f"La formule renvoie l'erreur {answer.value}.",
            )
        if not answer.readings:
            return self._item(
                item,
                Verdict.INCORRECT,
                expected,
                answer,
                f"Valeur illisible pour l'unité attendue : {answer.value!r}.",
            )
        return self._judge_value(question, item, expected, answer)

    def _judge_value(
        self, question: QuestionSpec, item: ItemSpec, expected: object, answer: _Answer
    ) -> ItemResult:
        matched, how = self._match_reference(item, expected, answer)
        if matched is not None:
            return self._judge_right_value(item, expected, answer, how)
        carried = self._match_carried_forward(question, item, answer)
        if carried is not None:
            return carried
        return self._judge_wrong_value(question, item, expected, answer)

    def _match_reference(
        self, item: ItemSpec, expected: object, answer: _Answer
    ) -> tuple[Reading | None, list[str]]:
        readings_ = list(answer.readings)
        reading = first_agreeing(expected, readings_, item.tolerance)
        if reading is not None:
            return reading, [reading.how] if reading.how else []
        for variant in item.accept:
            value = self._try(variant, self.case.reference)
            reading = (
                first_agreeing(value, readings_, item.tolerance) if value is not None else None
            )
            if reading is not None:
                notes = [f"variante acceptée : {variant.name}", reading.how]
                return reading, [n for n in notes if n]
        return None, []

    def _judge_right_value(
        self, item: ItemSpec, expected: object, answer: _Answer, notes: list[str]
    ) -> ItemResult:
        codes = self._common_codes(item, answer)
        if any(n.startswith("variante") for n in notes):
            codes.append(Code.VARIANT_ACCEPTED)
        if any("×100" in n for n in notes):
            codes.append(Code.PERCENT_TIMES_100)
        if answer.location.located_by == "value-search":
            codes.append(Code.VALUE_SEARCH_ONLY)
            text = (
                "Valeur juste trouvée uniquement en cherchant le nombre attendu, sans libellé "
                "reconnu : à vérifier par le jury."
            )
            return self._item(item, Verdict.REVIEW, expected, answer, _join(text, *notes), codes)
        if item.formula_required and answer.formula is None:
            codes.append(Code.HARDCODED_VALUE)
            text = "Valeur juste mais saisie sans formule (le sujet exige une formule)."
            return self._item(item, Verdict.HARDCODED, expected, answer, _join(text, *notes), codes)
        if item.formula_required and not self._formula_reads_cells(answer):
            codes.append(Code.CONSTANT_FORMULA)
            text = (
                "Valeur juste mais la formule ne contient que des constantes : elle ne "
                "s'appuie pas sur les données des annexes."
            )
            return self._item(item, Verdict.HARDCODED, expected, answer, _join(text, *notes), codes)
        if any(i.code == Code.METHOD_HARDCODED_COUNT for i in self._methods(item, answer)):
            text = "Valeur juste mais obtenue avec un effectif saisi en dur."
            return self._item(item, Verdict.HARDCODED, expected, answer, _join(text, *notes), codes)
        return self._item(item, Verdict.CORRECT, expected, answer, _join("Juste.", *notes), codes)

    def _match_carried_forward(
        self, question: QuestionSpec, item: ItemSpec, answer: _Answer
    ) -> ItemResult | None:
        deps = item_dependencies(self.rubric, item)
        if not deps:
            return None
        own = {**self.case.reference, **self.candidate_values}
        for method in (item.compute, *item.accept):
            value = self._try(method, own)
            reading = (
                first_agreeing(value, list(answer.readings), item.tolerance)
                if value is not None
                else None
            )
            if reading is not None:
                return self._carried_result(question, item, answer, deps, value, method)
        return None

    def _carried_result(
        self,
        question: QuestionSpec,
        item: ItemSpec,
        answer: _Answer,
        deps: list[tuple[str, str]],
        value: object,
        method: Computation,
    ) -> ItemResult:
        expected = self.case.reference[(question.id, item.key)]
        codes = self._common_codes(item, answer)
        wrong = [d for d in deps if self.results.get(d) and self.results[d].verdict in _WRONG]
        variant = f" (variante : {method.name})" if method.name else ""
        if item.formula_required and answer.formula is None:
            codes.append(Code.HARDCODED_VALUE)
            text = (
                "Valeur saisie sans formule, cohérente avec vos résultats intermédiaires "
                f"({_fmt(value)}) mais sans méthode vérifiable."
            )
            return self._item(item, Verdict.INCORRECT, expected, answer, text, codes)
        if wrong:
            names = ", ".join(f"{q}[{k}]" for q, k in wrong)
            verb = "est faux" if len(wrong) == 1 else "sont faux"
            text = (
                f"Faux uniquement parce que {names} {verb} : la méthode appliquée à vos "
                f"propres résultats donne bien {_fmt(value)}{variant} (report d'erreur)."
            )
            return self._item(item, Verdict.CONSEQUENTIAL, expected, answer, text, codes)
        codes.append(Code.ROUNDED_INTERMEDIATE)
        text = (
            "Juste : calculé à partir de vos résultats intermédiaires arrondies, écart "
            f"dû à l'arrondi{variant}."
        )
        return self._item(item, Verdict.CORRECT, expected, answer, text, codes)

    def _judge_wrong_value(
        self, question: QuestionSpec, item: ItemSpec, expected: object, answer: _Answer
    ) -> ItemResult:
        codes = self._common_codes(item, answer)
        own = {**self.case.reference, **self.candidate_values}
        for mistake in item.mistakes:
            for answers in (self.case.reference, own):
                value = self._try(mistake, answers)
                if value is not None and first_agreeing(
                    value, list(answer.readings), item.tolerance
                ):
                    codes.append(Code.KNOWN_MISTAKE)
                    text = f"Faux : {mistake.explain or mistake.kpi} (attendu {_fmt(expected)})."
                    return self._item(item, Verdict.INCORRECT, expected, answer, text, codes)
        text = f"Faux : attendu {_fmt(expected)}, trouvé {_fmt(answer.readings[0].value)}."
        return self._item(item, Verdict.INCORRECT, expected, answer, text, codes)

    # -- charts ----------------------------------------------------------------------------

    def _judge_chart(self, question: QuestionSpec, item: ItemSpec) -> ItemResult:
        """A scatter chart whose points are the expected (x, y) pairs, in either orientation."""
        expected = self.case.reference[(question.id, item.key)]
        own = self._try(item.compute, {**self.case.reference, **self.candidate_values})
        charts = self.workbook.charts
        if not charts:
            return self._chart_item(item, Verdict.MISSING, expected, None, "Aucun graphique.")
        plotted = [(chart, self._chart_points(chart)) for chart in charts]
        for chart, points in plotted:
            if chart.kind != "scatter" or points is None:
                continue
            for orientation, cloud in (("", points), (" (axes inversés)", _swapped(points))):
                if agrees(expected, Reading(cloud), item.tolerance):
                    text = f"Nuage de points des valeurs attendues{orientation}."
                    return self._chart_item(item, Verdict.CORRECT, expected, (chart, points), text)
                if own is not None and agrees(own, Reading(cloud), item.tolerance):
                    text = (
                        f"Le nuage reprend vos propres moyennes, fausses{orientation} : "
                        "construction juste (report d'erreur)."
                    )
                    return self._chart_item(
                        item, Verdict.CONSEQUENTIAL, expected, (chart, points), text
                    )
        chart, points = next(((c, p) for c, p in plotted if c.kind == "scatter"), plotted[0])
        text = (
            f"Le graphique ({_chart_kind_fr(chart.kind)}) ne représente pas les valeurs attendues."
        )
        return self._chart_item(item, Verdict.INCORRECT, expected, (chart, points), text)

    def _chart_points(self, chart: Chart) -> tuple[tuple[float, float], ...] | None:
        points: list[tuple[float, float]] = []
        for series in chart.series:
            xs, ys = self._series_values(series.x), self._series_values(series.y)
            if xs is None or ys is None or len(xs) != len(ys):
                return None
            points.extend(zip(xs, ys, strict=True))
        return tuple(points)

    def _series_values(self, reference: str | None) -> list[float] | None:
        if not reference:
            return None
        area = parse_ref(reference.replace("$", ""), self.workbook.sheets[0])
        sheet = self.workbook.sheet_named(area.sheet) if area else None
        if area is None or sheet is None:
            return None
        values = [
            self.evaluator.value(CellRef(sheet, c.row, c.col))
            for r in RangeRef(sheet, area.min_row, area.min_col, area.max_row, area.max_col).cells()
            for c in r
        ]
        numbers = [
            float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        return numbers if len(numbers) == len(values) else None

    def _chart_item(
        self,
        item: ItemSpec,
        verdict: Verdict,
        expected: object,
        found: tuple[Chart, tuple[tuple[float, float], ...] | None] | None,
        text: str,
    ) -> ItemResult:
        chart = found[0] if found else None
        refs = None
        if chart is not None:
            refs = " ; ".join(f"x={s.x or '?'} y={s.y or '?'}" for s in chart.series) or "?"
            text += f" Séries tracées : {refs}."
        return ItemResult(
            key=item.key,
            verdict=verdict,
            expected=display(expected),
            found=display(found[1]) if found and found[1] is not None else None,
            cell=chart.sheet if chart else None,
            formula=refs,
            located_by="chart" if chart else None,
            explanation=text,
            codes=(Code.CHART_FOUND,) if chart else (),
        )

    # -- helpers ---------------------------------------------------------------------------

    def _try(self, comp: Computation, answers: Mapping[tuple[str, str], object]) -> object | None:
        try:
            return evaluate(comp, self.case, answers)
        except ComputationFailed:
            return None

    def _methods(self, item: ItemSpec, answer: _Answer) -> list[MethodIssue]:
        if answer.formula is None or answer.location.located_by == "value-search":
            return []
        return method_issues(
            item, answer.location.cell, self.evaluator, self.case, self._answer_areas(item)
        )

    def _answer_areas(self, item: ItemSpec) -> list[RangeRef]:
        """Where the candidate put the answers this item aggregates (`C16-Q02[*]`)."""
        areas = []
        for arg in item.compute.args.values():
            if isinstance(arg, Ref) and arg.is_item and arg.index == "*":
                keys = self.case.for_each_keys.get(arg.name, ())
                cells = [
                    self.answers[(arg.name, k)].location.cell
                    for k in keys
                    if (arg.name, k) in self.answers
                ]
                line = line_of(cells) if len(cells) == len(keys) else None
                if line is not None:
                    areas.append(line)
        return areas

    def _formula_reads_cells(self, answer: _Answer) -> bool:
        parsed = self.evaluator.parsed(answer.location.cell)
        return parsed is not None and bool(parsed.targets)

    def _common_codes(self, item: ItemSpec, answer: _Answer) -> list[Code]:
        codes: list[Code] = []
        if answer.location.alternatives:
            codes.append(Code.AMBIGUOUS_LOCATION)
        if answer.formula is not None and _stale(answer, item):
            codes.append(Code.STALE_CACHE)
        return codes

    def _item(
        self,
        item: ItemSpec,
        verdict: Verdict,
        expected: object,
        answer: _Answer | None,
        explanation: str,
        codes: list[Code] | None = None,
    ) -> ItemResult:
        codes = codes or []
        issues = self._methods(item, answer) if answer is not None else []
        if issues:
            codes.extend(i.code for i in issues)
            explanation += " Méthode : " + " ; ".join(i.note for i in issues) + "."
        if answer is not None and Code.STALE_CACHE in codes:
            explanation += (
                f" Attention : la valeur enregistrée dans le fichier ({_fmt(answer.cached)}) "
                "diffère du recalcul de la formule ; le recalcul fait foi."
            )
        if answer is not None and answer.location.alternatives:
            explanation += f" {answer.location.alternatives} autre(s) emplacement(s) possible(s)."
        return ItemResult(
            key=item.key,
            verdict=verdict,
            expected=display(expected),
            found=display(answer.value) if answer else None,
            cell=str(answer.location.cell) if answer else None,
            formula=answer.formula if answer else None,
            located_by=answer.location.located_by if answer else None,
            explanation=explanation,
            codes=tuple(dict.fromkeys(codes)),
        )


def _swapped(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    return tuple((y, x) for x, y in points)


def _chart_kind_fr(kind: str) -> str:
    names = {
        "scatter": "nuage de points",
        "bar": "histogramme",
        "line": "courbe",
        "pie": "secteurs",
    }
    return names.get(kind, kind)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _stale(answer: _Answer, item: ItemSpec) -> bool:
    cached, value = answer.cached, answer.value
    if isinstance(cached, dt.datetime) and isinstance(value, dt.datetime):
        return cached.date() != value.date()
    if isinstance(cached, int | float) and isinstance(value, int | float):
        if isinstance(cached, bool) or isinstance(value, bool):
            return cached != value
        return not item.tolerance.accepts(float(value), float(cached)) and abs(
            float(value) - float(cached)
        ) > 1e-9 * max(1.0, abs(float(value)))
    return False


def _labels_hint(item: ItemSpec) -> str:
    names = list(item.labels[:3] or item.measure_labels[:3])
    if item.entity:
        names.append(f"entité {item.entity}")
    return ", ".join(f"« {n} »" for n in names)


def _fmt(value: object) -> str:
    return french.value(value)


def _join(text: str, *notes: str) -> str:
    """ "Juste." + notes -> "Juste (variante acceptée : …)."."""
    kept = [n.strip() for n in notes if n and n.strip()]
    if not kept:
        return text
    return f"{text.rstrip('.')} ({' ; '.join(kept)})."


# --- questions, criteria, report ------------------------------------------------------------


def grade_workbook(
    workbook: Workbook, rubric: Rubric, case: CaseData, candidate: str
) -> CandidateReport:
    grading = _Grading(workbook, rubric, case)
    grading.locate_all()
    grading.judge_all()
    questions = []
    for question in rubric.questions:
        items = [grading.results[(question.id, i.key)] for i in question.items]
        verdict = question_verdict(items)
        questions.append(
            QuestionResult(
                id=question.id,
                title=question.title,
                verdict=verdict,
                points=question_points(rubric, question, verdict, items),
                max_points=question.points,
                items=tuple(items),
                criteria=question.criteria,
            )
        )
    return CandidateReport(
        candidate=candidate,
        rubric=rubric.id,
        status=Status.GRADED,
        score=round(sum(q.points for q in questions), 4),
        max_score=sum(q.max_points for q in questions),
        questions=tuple(questions),
        criteria=criteria_results(rubric, questions),
        findings=workbook_findings(workbook, grading.evaluator),
        evidence=jury_evidence(grading),
    )


def jury_evidence(grading: _Grading) -> Evidence:
    """What a jury member checks by eye, gathered objectively from the workbook."""
    workbook = grading.workbook
    subject_sheets = {ref.sheet.casefold() for ref in grading.case.subject_cells}
    answers = [a for a in grading.answers.values() if a.location.located_by != "value-search"]
    formats: dict[str, int] = {}
    for answer in answers:
        cell = workbook.get(answer.location.cell)
        kind = _format_kind(cell.number_format if cell else "General")
        formats[kind] = formats.get(kind, 0) + 1
    return Evidence(
        added_sheets=tuple(s for s in workbook.sheets if s.casefold() not in subject_sheets),
        answers_found=len(answers),
        answers_by_formula=sum(a.formula is not None for a in answers),
        typed_answers=tuple(
            str(c) for c in sorted(a.location.cell for a in answers if a.formula is None)
        ),
        number_formats=tuple(sorted(formats.items())),
        labelled_answers=sum(a.location.located_by in ("label", "table") for a in answers),
        conditional_formats=tuple(
            f"{c.sheet}!{c.ranges} : {c.rule}" for c in workbook.conditional_formats
        ),
        charts=tuple(_describe_chart(c) for c in workbook.charts),
    )


def _format_kind(number_format: str) -> str:
    if is_percent_format(number_format):
        return "pourcentage"
    if "€" in number_format or "EUR" in number_format.upper():
        return "monétaire"
    if is_date_format(number_format):
        return "date"
    if number_format in ("General", "@"):
        return "standard"
    return "nombre"


def _describe_chart(chart: Chart) -> str:
    series = " ; ".join(f"x={s.x or '—'} y={s.y or '—'}" for s in chart.series) or "sans série"
    return f"{chart.sheet or '?'} : {_chart_kind_fr(chart.kind)} ({series})"


def workbook_findings(workbook: Workbook, evaluator: Evaluator) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    if not workbook.has_cached_values and any(c.is_formula for c in workbook.cells.values()):
        findings.append(
            Finding(
                Code.NO_CACHED_VALUES,
                "Le fichier ne contient aucune valeur calculée (enregistré par un "
                "programme) : toutes les formules ont été recalculées par le moteur.",
            )
        )
    preflight = workbook.preflight
    if preflight.has_macros:
        findings.append(
            Finding(
                Code.MACROS_IGNORED,
                "Le classeur contient des macros : elles n'ont pas été exécutées.",
            )
        )
    if preflight.has_external_links:
        findings.append(
            Finding(
                Code.EXTERNAL_LINKS_IGNORED,
                "Le classeur contient des liaisons "
                "vers d'autres fichiers : elles n'ont pas été suivies.",
            )
        )
    findings.extend(evaluator.findings)
    return tuple(findings)
