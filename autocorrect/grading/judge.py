"""The verdict ladder for one value item, given the answer located for it.

In order: not found → `missing`; a formula error or an unreadable value → `incorrect`; equal to
the reference (or to an accepted variant) → `correct`, or `hardcoded` when typed where a
formula was required, computed from constants only, or obtained with a typed count; otherwise
the reference method is applied to the candidate's *own* upstream answers (the rubric's
dependency graph): a match is `consequential` when an upstream answer is wrong (report
d'erreur), `correct` when the upstream answers are right but were rounded; otherwise
`incorrect`, naming the typical mistake when one of the rubric's known mistakes reproduces the
value. Located only by its number → `review`.

Codes are set where each fact is established; the French explanation is written from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from autocorrect import french
from autocorrect.evaluate.evaluator import ExcelError
from autocorrect.evaluate.policy import adjust_item
from autocorrect.grading.context import Answer, Grading, ItemKey
from autocorrect.grading.fingerprints import ProofKind
from autocorrect.grading.methods import MethodIssue, line_of, method_issues
from autocorrect.grading.readings import Reading, display, first_agreeing
from autocorrect.reading.refs import RangeRef
from autocorrect.reference.perturb import DATA_SETS
from autocorrect.report import Code, ItemResult, LocatedBy, Verdict
from autocorrect.rubric.graph import item_dependencies
from autocorrect.rubric.model import Computation, ItemSpec, QuestionSpec, Ref

_WRONG = (Verdict.INCORRECT, Verdict.CONSEQUENTIAL)


@dataclass(frozen=True)
class _Match:
    """The candidate's value equals the reference, possibly through a variant or a ×100."""

    reading: Reading
    variant: Computation | None = None  # the accepted variant that matched

    def codes(self) -> list[Code]:
        codes = [Code.VARIANT_ACCEPTED] if self.variant is not None else []
        if self.reading.times_100:
            codes.append(Code.PERCENT_TIMES_100)
        return codes

    def notes(self) -> list[str]:
        notes = [f"variante acceptée : {self.variant.name}"] if self.variant is not None else []
        return [*notes, self.reading.how]


def judge_value_item(grading: Grading, question: QuestionSpec, item: ItemSpec) -> ItemResult:
    """The verdict of one value item (see the module docstring for the ladder)."""
    key = (question.id, item.key)
    expected = grading.case.reference[key]
    answer = grading.answers.get(key)
    if answer is None:
        text = f"Aucune réponse trouvée (libellés cherchés : {_labels_hint(item)})."
        return _result(grading, item, Verdict.MISSING, expected, None, text)
    if isinstance(answer.value, ExcelError):
        text = f"La formule renvoie l'erreur {answer.value}."
        return _result(grading, item, Verdict.INCORRECT, expected, answer, text)
    if not answer.readings:
        text = f"Valeur illisible pour l'unité attendue : {answer.value!r}."
        return _result(grading, item, Verdict.INCORRECT, expected, answer, text)
    result = _judge_readable_value(grading, question, item, expected, answer)
    if answer.graded is None:
        return result
    return adjust_item(result, answer.graded, grading.evaluator)


def _judge_readable_value(
    grading: Grading, question: QuestionSpec, item: ItemSpec, expected: object, answer: Answer
) -> ItemResult:
    match = _match_reference(grading, item, expected, answer)
    if match is not None:
        return _judge_right_value(grading, question, item, expected, answer, match)
    carried = _match_carried_forward(grading, question, item, answer)
    if carried is not None:
        return carried
    return _judge_wrong_value(grading, item, expected, answer)


def _match_reference(
    grading: Grading, item: ItemSpec, expected: object, answer: Answer
) -> _Match | None:
    found = list(answer.readings)
    reading = first_agreeing(expected, found, item.tolerance)
    if reading is not None:
        return _Match(reading)
    for variant in item.accept:
        value = grading.compute(variant, grading.case.reference)
        reading = first_agreeing(value, found, item.tolerance) if value is not None else None
        if reading is not None:
            return _Match(reading, variant)
    return None


def _judge_right_value(
    grading: Grading,
    question: QuestionSpec,
    item: ItemSpec,
    expected: object,
    answer: Answer,
    match: _Match,
) -> ItemResult:
    codes = [*_common_codes(item, answer), *match.codes()]
    verdict, text, code = _right_value_verdict(grading, item, answer)
    if code is not None:
        codes.append(code)
    notes = match.notes()
    if verdict == Verdict.CORRECT and answer.proof is not None:
        codes.append(Code.FORMULA_PROVEN)
        text, notes = _proven(question, item, answer, text, notes)
    return _result(grading, item, verdict, expected, answer, _join(text, *notes), codes)


def _proven(
    question: QuestionSpec, item: ItemSpec, answer: Answer, text: str, notes: list[str]
) -> tuple[str, list[str]]:
    """The explanation of a formula proven on the redrawn data sets."""
    checked = f"vérifiée sur {DATA_SETS} jeux de données modifiés"
    if answer.location.located_by != LocatedBy.METHOD:
        return text, [*notes, f"formule {checked}"]
    what = question.title if not item.from_for_each else f"{question.title}, {item.key}"
    return f"Juste : formule reconnue, elle calcule « {what} », {checked}.", notes


def _right_value_verdict(
    grading: Grading, item: ItemSpec, answer: Answer
) -> tuple[Verdict, str, Code | None]:
    """The right number: how far its method is proven (verdict, sentence, the fact's code)."""
    if answer.by_value_search:
        text = (
            "Valeur juste trouvée uniquement en cherchant le nombre attendu, sans libellé "
            "reconnu : à vérifier par le jury."
        )
        return Verdict.REVIEW, text, Code.VALUE_SEARCH_ONLY
    if item.formula_required and answer.formula is None:
        text = "Valeur juste mais saisie sans formule (le sujet exige une formule)."
        return Verdict.HARDCODED, text, Code.HARDCODED_VALUE
    if item.formula_required and not _formula_reads_cells(grading, answer):
        text = (
            "Valeur juste mais la formule ne contient que des constantes : elle ne "
            "s'appuie pas sur les données des annexes."
        )
        return Verdict.HARDCODED, text, Code.CONSTANT_FORMULA
    if item.formula_required and not answer.follows_data:
        text = (
            "Valeur juste sur les données du sujet, mais la formule ne suit pas les données : "
            "son résultat ne change pas quand elles changent (nombres saisis dans la formule "
            "ou recopiés)."
        )
        return Verdict.HARDCODED, text, Code.FORMULA_IGNORES_DATA
    if any(i.code == Code.METHOD_HARDCODED_COUNT for i in _methods(grading, item, answer)):
        return Verdict.HARDCODED, "Valeur juste mais obtenue avec un effectif saisi en dur.", None
    return Verdict.CORRECT, "Juste.", None


def _match_carried_forward(
    grading: Grading, question: QuestionSpec, item: ItemSpec, answer: Answer
) -> ItemResult | None:
    deps = item_dependencies(grading.rubric, item)
    if not deps:
        return None
    own = grading.own_answers()
    for method in (item.compute, *item.accept):
        value = grading.compute(method, own)
        if value is not None and first_agreeing(value, list(answer.readings), item.tolerance):
            return _carried_result(grading, question, item, answer, deps, value, method)
    proof = answer.proof
    if proof is not None and proof.target.kind == ProofKind.CONSEQUENTIAL:
        # Proven on the cells the candidate's formula reads, which may not be the cells
        # located for the upstream items (a draft sheet, an unlabelled intermediate result).
        method = proof.target.computation or item.compute
        return _carried_result(grading, question, item, answer, deps, proof.target.real, method)
    return None


def _carried_result(
    grading: Grading,
    question: QuestionSpec,
    item: ItemSpec,
    answer: Answer,
    deps: list[ItemKey],
    value: object,
    method: Computation,
) -> ItemResult:
    expected = grading.case.reference[(question.id, item.key)]
    codes = _common_codes(item, answer)
    results = grading.results
    wrong = [d for d in deps if d in results and results[d].verdict in _WRONG]
    variant = f" (variante : {method.name})" if method.name else ""
    if item.formula_required and answer.formula is None:
        codes.append(Code.HARDCODED_VALUE)
        text = (
            "Valeur saisie sans formule, cohérente avec les résultats intermédiaires du candidat "
            f"({_fmt(value)}) mais sans méthode vérifiable."
        )
        return _result(grading, item, Verdict.INCORRECT, expected, answer, text, codes)
    if wrong:
        names = ", ".join(f"{q}[{k}]" for q, k in wrong)
        verb = "est faux" if len(wrong) == 1 else "sont faux"
        text = (
            f"Faux uniquement parce que {names} {verb} : la méthode appliquée aux "
            f"propres résultats du candidat donne bien {_fmt(value)}{variant} (report d'erreur)."
        )
        return _result(grading, item, Verdict.CONSEQUENTIAL, expected, answer, text, codes)
    codes.append(Code.ROUNDED_INTERMEDIATE)
    text = (
        "Juste : calculé à partir des résultats intermédiaires arrondis du candidat, écart "
        f"dû à l'arrondi{variant}."
    )
    return _result(grading, item, Verdict.CORRECT, expected, answer, text, codes)


def _judge_wrong_value(
    grading: Grading, item: ItemSpec, expected: object, answer: Answer
) -> ItemResult:
    codes = _common_codes(item, answer)
    for mistake in item.mistakes:
        for answers in (grading.case.reference, grading.own_answers()):
            value = grading.compute(mistake, answers)
            if value is not None and first_agreeing(value, list(answer.readings), item.tolerance):
                codes.append(Code.KNOWN_MISTAKE)
                text = f"Faux : {mistake.explain or mistake.kpi} (attendu {_fmt(expected)})."
                return _result(grading, item, Verdict.INCORRECT, expected, answer, text, codes)
    text = f"Faux : attendu {_fmt(expected)}, trouvé {_fmt(answer.readings[0].value)}."
    if answer.computes_other:
        codes.append(Code.COMPUTES_OTHER_ITEM)
        names = ", ".join(f"{q}[{k}]" for q, k in answer.computes_other)
        text += f" La formule calcule en fait {names}."
    return _result(grading, item, Verdict.INCORRECT, expected, answer, text, codes)


def _methods(grading: Grading, item: ItemSpec, answer: Answer) -> list[MethodIssue]:
    if answer.formula is None or answer.by_value_search:
        return []
    cell = answer.location.cell
    key = (id(item), cell)  # the rubric's items live as long as the grading
    if key not in grading.method_checks:
        areas = _answer_areas(grading, item)
        grading.method_checks[key] = method_issues(
            item, cell, grading.evaluator, grading.case, areas
        )
    return grading.method_checks[key]


def _answer_areas(grading: Grading, item: ItemSpec) -> list[RangeRef]:
    """Where the candidate put the answers this item aggregates (`C16-Q02[*]`)."""
    areas = []
    for arg in item.compute.args.values():
        if isinstance(arg, Ref) and arg.is_item and arg.index == "*":
            keys = grading.case.for_each_keys.get(arg.name, ())
            cells = [
                grading.answers[(arg.name, k)].location.cell
                for k in keys
                if (arg.name, k) in grading.answers
            ]
            line = line_of(cells) if len(cells) == len(keys) else None
            if line is not None:
                areas.append(line)
    return areas


def _formula_reads_cells(grading: Grading, answer: Answer) -> bool:
    parsed = grading.evaluator.parsed(answer.location.cell)
    return parsed is not None and bool(parsed.targets)


def _common_codes(item: ItemSpec, answer: Answer) -> list[Code]:
    codes: list[Code] = []
    if _ambiguous(answer):
        codes.append(Code.AMBIGUOUS_LOCATION)
    if answer.formula is not None and _stale(answer, item):
        codes.append(Code.STALE_CACHE)
    return codes


def _result(
    grading: Grading,
    item: ItemSpec,
    verdict: Verdict,
    expected: object,
    answer: Answer | None,
    explanation: str,
    codes: list[Code] | None = None,
) -> ItemResult:
    codes = codes or []
    issues = _methods(grading, item, answer) if answer is not None else []
    if issues:
        codes.extend(i.code for i in issues)
        explanation += " Méthode : " + " ; ".join(i.note for i in issues) + "."
    if answer is not None and Code.STALE_CACHE in codes:
        explanation += (
            f" Attention : la valeur enregistrée dans le fichier ({_fmt(answer.cached)}) "
            "diffère du recalcul de la formule ; le recalcul fait foi."
        )
    if answer is not None and _ambiguous(answer):
        explanation += f" {answer.location.alternatives} autre(s) emplacement(s) possible(s)."
    return ItemResult(
        key=item.key,
        verdict=verdict,
        expected=display(expected),
        found=display(answer.value) if answer else None,
        cell=str(answer.location.cell) if answer else None,
        formula=answer.formula if answer else None,
        located_by=answer.location.located_by if answer else None,
        label=answer.location.label or None if answer else None,
        explanation=explanation,
        codes=tuple(dict.fromkeys(codes)),
    )


def _ambiguous(answer: Answer) -> bool:
    """Other places fit the label as well, and the formula does not settle it."""
    return bool(answer.location.alternatives) and answer.proof is None


def _stale(answer: Answer, item: ItemSpec) -> bool:
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
