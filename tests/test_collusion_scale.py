"""Collusion signals of a large batch: the pairs are found by hashing (groups of identical
answers, rarest formulas first), never by comparing every pair of candidates, and they are the
very signals — same pairs, order, measures and evidence — that comparing every pair gives."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations

from autocorrect import french
from autocorrect.jury.collusion import (
    COMMON_SHARE,
    FORMULA_SIMILARITY,
    MIN_FORMULAS,
    MIN_SHARED_WRONG,
    Signal,
    SignalKind,
    _normalised,  # how answers are compared is not under test: the pairing is
    shared_wrong_answers,
    similar_formulas,
)
from autocorrect.jury.traits import Traits
from autocorrect.report import CandidateReport, Code, ItemResult, QuestionResult, Status, Verdict


def _report(
    name: str, found: Mapping[tuple[str, str], object], known: bool = False
) -> CandidateReport:
    questions = []
    for (qid, key), value in found.items():
        codes = (Code.KNOWN_MISTAKE,) if known else ()
        item = ItemResult(key, Verdict.INCORRECT, 1.0, value, "A1", None, "l", "Faux.", codes)
        questions.append(QuestionResult(qid, qid, Verdict.INCORRECT, 0, 1, (item,), ("c",)))
    return CandidateReport(name, "r", Status.GRADED, questions=tuple(questions))


# --- references: every pair compared, written plainly -------------------------------------------


def reference_wrong_answers(reports: Sequence[CandidateReport]) -> list[Signal]:
    """Each pair of candidates, its wrong answers compared one by one."""
    answers: dict[str, dict[tuple[str, str, str], str]] = {}
    order: dict[tuple[str, str, str], int] = {}
    shown: dict[tuple[str, str, str], str] = {}
    holders: Counter[tuple[str, str, str]] = Counter()
    for report in reports:
        mine: dict[tuple[str, str, str], str] = {}
        for question in report.questions:
            for item in question.items:
                wrong = item.verdict == Verdict.INCORRECT and Code.KNOWN_MISTAKE not in item.codes
                if not wrong or item.found is None or report.status != Status.GRADED:
                    continue
                key = (question.id, item.key, _normalised(item.found))
                order.setdefault(key, len(order))
                shown[key] = f"{question.id}[{item.key}] = {french.value(item.found)}"
                holders[key] += 1
                mine[key] = shown[key]
        answers[report.candidate] = mine
    limit = max(2, int(len(reports) * COMMON_SHARE))
    found = []
    for a, b in combinations(sorted(answers), 2):
        shared = sorted(
            (k for k in answers[a].keys() & answers[b].keys() if holders[k] <= limit),
            key=order.__getitem__,
        )
        if len(shared) >= MIN_SHARED_WRONG:
            evidence = (
                f"{len(shared)} réponses fausses identiques (hors erreurs typiques)",
                *(shown[k] for k in shared),
            )
            signal = Signal(SignalKind.SHARED_WRONG_ANSWERS, (a, b), float(len(shared)), evidence)
            found.append((order[shared[0]], signal))
    return [s for _, s in sorted(found, key=lambda f: (f[0], f[1].candidates))]


def reference_formulas(traits: Mapping[str, Traits]) -> list[tuple[tuple[str, str], float]]:
    """Each pair of fingerprints, its weighted similarity computed in full."""
    sets = {n: frozenset(t.formulas) for n, t in traits.items() if len(set(t.formulas)) >= 10}
    frequency = Counter(f for s in sets.values() for f in s)
    weight = {f: math.log(1 + len(sets) / df) for f, df in frequency.items()}
    rare = max(2, int(len(sets) * COMMON_SHARE))
    found = []
    for a, b in combinations(sorted(sets), 2):
        shared = sets[a] & sets[b]
        if traits[a].sha256 == traits[b].sha256 or not any(frequency[f] <= rare for f in shared):
            continue
        similarity = sum(weight[f] for f in shared) / sum(weight[f] for f in sets[a] | sets[b])
        if similarity >= FORMULA_SIMILARITY:
            found.append(((a, b), round(similarity, 4)))
    return found


# --- identical wrong answers --------------------------------------------------------------------


def _random_reports(rng: random.Random, count: int) -> list[CandidateReport]:
    """Answers drawn from few values, so that many pairs share one, two or more of them."""
    reports = []
    for index in range(count):
        found: dict[tuple[str, str], object] = {}
        for question in range(6):
            if rng.random() < 0.7:
                value: object = rng.choice([1.5, 2.0, "Surqualité", " surqualité ", 0.1234567891])
                found[(f"Q{question}", "x")] = value if rng.random() < 0.9 else 0.123456789
        reports.append(_report(f"c{index:03d}", found, known=rng.random() < 0.05))
    return reports


def test_shared_wrong_answers_are_those_of_every_pair_compared() -> None:
    for seed in range(5):
        reports = _random_reports(random.Random(seed), 40)
        expected = reference_wrong_answers(reports)
        assert len(expected) > 20  # the draw does share answers
        assert shared_wrong_answers(reports) == expected


def test_two_thousand_candidates_sharing_answers() -> None:
    """Half the batch shares one wrong answer (below the bar alone), clones share four, and
    planted pairs share two: only clones and planted pairs are signals."""
    reports = []
    for index in range(2000):
        found: dict[tuple[str, str], object] = {
            (f"Q{q}", "own"): index * 10.0 + q for q in range(3)
        }
        if index % 2:
            found[("P", "popular")] = 42.0  # 1,000 holders: the limit, paired one by one before
        if index < 200:  # 100 planted pairs
            found[("A", "x")] = 1000.0 + index // 2
            found[("B", "y")] = 2000.0 + index // 2
        if 1000 <= index < 1030:  # 30 clones sharing four wrong answers
            found.update({(f"C{q}", "z"): 7.0 + q for q in range(4)})
        reports.append(_report(f"c{index:04d}", found))
    signals = shared_wrong_answers(reports)
    planted = {(f"c{2 * i:04d}", f"c{2 * i + 1:04d}") for i in range(100)}
    clones = set(combinations([f"c{i:04d}" for i in range(1000, 1030)], 2))
    assert {s.candidates for s in signals} == planted | clones
    by_pair = {s.candidates: s for s in signals}
    for pair in planted:  # the odd one also holds the popular answer: still only two shared
        assert by_pair[pair].measure == 2
    assert all(by_pair[pair].measure in (4, 5) for pair in clones)
    assert by_pair[("c1001", "c1003")].measure == 5  # both odd: the popular answer too


# --- formula fingerprints -----------------------------------------------------------------------


def _fingerprint(rng: random.Random, pool: Sequence[str], size: int) -> tuple[str, ...]:
    return tuple(rng.sample(pool, size))


def test_similar_formulas_are_those_of_every_pair_compared() -> None:
    rng = random.Random(7)
    common = [f"=R[0]C[-{i}]" for i in range(1, 25)]
    rare = [f"=SUM(R[-{i}]C[0]:R[-1]C[0])*{i}" for i in range(1, 40)]
    traits: dict[str, Traits] = {}
    for index in range(60):
        base = _fingerprint(rng, common, 20) + _fingerprint(rng, rare, rng.randint(0, 12))
        traits[f"c{index:02d}"] = Traits(str(index), formulas=base)
        if index % 4 == 0:  # a near copy of the previous one
            previous = traits[f"c{index - 1:02d}"] if index else traits["c00"]
            traits[f"d{index:02d}"] = Traits(f"d{index}", formulas=previous.formulas[:-1])
    traits["e"] = Traits("e", formulas=tuple(common[: MIN_FORMULAS - 1]))  # too few formulas
    expected = reference_formulas(traits)
    assert len(expected) > 5
    found = similar_formulas(traits)
    assert [(s.candidates, s.measure) for s in found] == expected
    assert all(s.kind == SignalKind.SIMILAR_FORMULAS for s in found)


def test_two_thousand_fingerprints() -> None:
    """2,000 fingerprints drawn from one pool (each formula written by a dozen candidates,
    paired one by one before), and 50 planted near copies: exactly those are similar."""
    rng = random.Random(2000)
    pool = [f"=R[{i}]C[-1]*{j}" for i in range(1, 80) for j in range(1, 40)]
    traits = {
        f"c{i:04d}": Traits(str(i), formulas=_fingerprint(rng, pool, 20)) for i in range(2000)
    }
    for i in range(50):
        original = traits[f"c{i:04d}"].formulas
        traits[f"copie{i:02d}"] = Traits(f"copie{i}", formulas=(*original, "=R[1]C[1]"))
    found = similar_formulas(traits)
    assert {s.candidates for s in found} == {(f"c{i:04d}", f"copie{i:02d}") for i in range(50)}
    assert all(s.measure >= FORMULA_SIMILARITY for s in found)
    assert [s.candidates for s in found] == sorted(s.candidates for s in found)


def test_pairs_do_not_depend_on_the_order_of_reports() -> None:
    reports = _random_reports(random.Random(11), 30)
    forward = {s.candidates: s.measure for s in shared_wrong_answers(reports)}
    backward = {s.candidates: s.measure for s in shared_wrong_answers(reports[::-1])}
    assert forward == backward and forward
