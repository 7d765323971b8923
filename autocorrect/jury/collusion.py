"""Collusion signals across a batch: facts for the jury to weigh, never a sanction.

Four kinds, strongest evidence first:
- identical files (same SHA-256);
- identical identifying document metadata (creator, last modified by, creation time,
  application) — metadata inherited from the subject file, and values shared by most of the
  batch (the same school computers), identify no one and are left out;
- near-identical formula fingerprints: formulas in relative R1C1 form, compared with weights
  that favour rare formulas (a formula everybody writes proves nothing);
- identical wrong answers: the same wrong value for the same item, found in several copies,
  known typical mistakes (which many candidates make independently) left aside.

No kind compares every pair of candidates: files and metadata are grouped by their hash,
fingerprints meet through their rarest formulas (prefix filtering) and wrong answers through a
hash of the answers they share, so the work grows with the signals found, not with the square
of the number of candidates who wrote the same formula or the same wrong value.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from autocorrect import french
from autocorrect.jury.traits import DocMetadata, Traits
from autocorrect.report import CandidateReport, Code, Status, Verdict

MIN_FORMULAS = 10  # below this many distinct formulas, a fingerprint says too little
FORMULA_SIMILARITY = 0.9  # weighted Jaccard from which two fingerprints are reported
MIN_SHARED_WRONG = 2  # identical wrong answers from which a pair is reported
COMMON_SHARE = 0.5  # a value shared by more than this share of the batch identifies no one


NO_METADATA = DocMetadata()


class SignalKind(StrEnum):
    IDENTICAL_FILES = "fichiers-identiques"
    IDENTICAL_METADATA = "metadonnees-identiques"
    SIMILAR_FORMULAS = "formules-quasi-identiques"
    SHARED_WRONG_ANSWERS = "erreurs-identiques"


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    candidates: tuple[str, ...]  # sorted
    measure: float  # similarity (0-1) or a count: sorts signals of one kind
    evidence: tuple[str, ...]  # French facts, one per line


def collusion_signals(
    reports: Sequence[CandidateReport],
    traits: Mapping[str, Traits],
    subject: DocMetadata = NO_METADATA,
) -> tuple[Signal, ...]:
    """Every signal of the batch, in a stable order (kind, strength, names)."""
    signals = [
        *identical_files(traits),
        *identical_metadata(traits, subject),
        *similar_formulas(traits),
        *shared_wrong_answers(reports),
    ]
    order = list(SignalKind)
    return tuple(sorted(signals, key=lambda s: (order.index(s.kind), -s.measure, s.candidates)))


def identical_files(traits: Mapping[str, Traits]) -> list[Signal]:
    groups: dict[str, list[str]] = defaultdict(list)
    for name, trait in traits.items():
        if trait.sha256:
            groups[trait.sha256].append(name)
    return [
        Signal(
            SignalKind.IDENTICAL_FILES,
            tuple(sorted(names)),
            float(len(names)),
            (f"même contenu octet pour octet (SHA-256 {digest[:16]}…)",),
        )
        for digest, names in groups.items()
        if len(names) > 1
    ]


def identical_metadata(traits: Mapping[str, Traits], subject: DocMetadata) -> list[Signal]:
    groups: dict[DocMetadata, list[str]] = defaultdict(list)
    for name, trait in traits.items():
        if _identifying(trait.metadata, subject):
            groups[trait.metadata].append(name)
    limit = max(2, int(len(traits) * COMMON_SHARE))
    signals = []
    for meta, names in groups.items():
        hashes = {traits[n].sha256 for n in names}
        if 1 < len(names) <= limit and len(hashes) > 1:
            signals.append(
                Signal(
                    SignalKind.IDENTICAL_METADATA,
                    tuple(sorted(names)),
                    float(len(names)),
                    _metadata_facts(meta),
                )
            )
    return signals


def _identifying(meta: DocMetadata, subject: DocMetadata) -> bool:
    """Metadata that could tell who made the file: someone is named as last author, or the
    file was not created from the subject (other creator or creation time)."""
    if meta.is_empty:
        return False
    inherited = (meta.creator, meta.created) == (subject.creator, subject.created)
    return bool(meta.last_modified_by) or not inherited


def _metadata_facts(meta: DocMetadata) -> tuple[str, ...]:
    facts = [
        ("auteur", meta.creator),
        ("dernière modification par", meta.last_modified_by),
        ("créé le", meta.created),
        ("application", meta.application),
    ]
    return tuple(f"{label} : {value or '(vide)'}" for label, value in facts)


# --- formula fingerprints ---------------------------------------------------------------------


def similar_formulas(traits: Mapping[str, Traits]) -> list[Signal]:
    sets = {n: frozenset(t.formulas) for n, t in traits.items()}
    sets = {n: s for n, s in sets.items() if len(s) >= MIN_FORMULAS}
    if len(sets) < 2:
        return []
    frequency = Counter(f for s in sets.values() for f in s)
    weight = {f: math.log(1 + len(sets) / df) for f, df in frequency.items()}
    rare_limit = max(2, int(len(sets) * COMMON_SHARE))
    signals = []
    for a, b in _pairs_maybe_similar(sets, frequency, weight):
        if traits[a].sha256 == traits[b].sha256:
            continue  # identical files are reported as such
        shared = sets[a] & sets[b]
        if all(frequency[f] > rare_limit for f in shared):
            continue  # formulas most of the batch wrote prove nothing, however many
        similarity = _weighted_jaccard(sets[a], sets[b], weight)
        if similarity >= FORMULA_SIMILARITY:
            signals.append(
                Signal(
                    SignalKind.SIMILAR_FORMULAS,
                    (a, b),
                    round(similarity, 4),
                    (
                        f"empreintes de formules semblables à {french.percent(similarity, 0)} "
                        f"(pondération par rareté)",
                        f"{len(shared)} formules identiques en notation relative (L1C1) sur "
                        f"{len(sets[a])} et {len(sets[b])}",
                        *(f"ex. {f}" for f in _rarest(shared, frequency)),
                    ),
                )
            )
    return signals


def _pairs_maybe_similar(
    sets: Mapping[str, frozenset[str]], frequency: Counter[str], weight: Mapping[str, float]
) -> list[tuple[str, str]]:
    """Every pair whose weighted similarity may reach the threshold, sorted: two such
    fingerprints share a formula among the first ones of each, rarest first (prefix
    filtering), so only the holders of a same prefix formula are paired."""
    holders: dict[str, list[str]] = defaultdict(list)
    pairs: set[tuple[str, str]] = set()
    for name in sorted(sets):
        for formula in _prefix(sets[name], frequency, weight):
            pairs.update((other, name) for other in holders[formula])
            holders[formula].append(name)
    return sorted(pairs)


def _prefix(
    formulas: frozenset[str], frequency: Counter[str], weight: Mapping[str, float]
) -> list[str]:
    """The rarest formulas of a fingerprint, until what is left weighs less than the threshold
    share of the whole: a fingerprint sharing none of them shares too little weight to reach
    the threshold (kept a hair longer than the bound, against rounding)."""
    ordered = sorted(formulas, key=lambda f: (frequency[f], f))
    total = sum(weight[f] for f in ordered)
    bound = (FORMULA_SIMILARITY - 1e-9) * total
    left = total
    prefix = []
    for formula in ordered:
        prefix.append(formula)
        left -= weight[formula]
        if left < bound:
            break
    return prefix


def _weighted_jaccard(a: frozenset[str], b: frozenset[str], weight: Mapping[str, float]) -> float:
    union = sum(weight[f] for f in a | b)
    return sum(weight[f] for f in a & b) / union if union else 0.0


def _rarest(formulas: frozenset[str], frequency: Counter[str], count: int = 3) -> list[str]:
    return sorted(formulas, key=lambda f: (frequency[f], len(f), f))[:count]


# --- identical wrong answers ------------------------------------------------------------------


def shared_wrong_answers(reports: Sequence[CandidateReport]) -> list[Signal]:
    holders, shown = _wrong_answers(reports)
    limit = max(2, int(len(reports) * COMMON_SHARE))
    answers = [key for key, names in holders.items() if 1 < len(names) <= limit]
    held: dict[str, list[int]] = defaultdict(list)  # candidate -> its answers above, in order
    for index, key in enumerate(answers):
        for name in sorted(set(holders[key])):
            held[name].append(index)
    pairs = _pairs_sharing(held, MIN_SHARED_WRONG)
    return [
        Signal(
            SignalKind.SHARED_WRONG_ANSWERS,
            pair,
            float(len(shared)),
            (
                f"{len(shared)} réponses fausses identiques (hors erreurs typiques)",
                *(shown[answers[i]] for i in shared),
            ),
        )
        for pair, shared in sorted(pairs.items(), key=lambda p: (p[1][0], p[0]))
    ]


def _wrong_answers(
    reports: Sequence[CandidateReport],
) -> tuple[dict[tuple[str, str, str], list[str]], dict[tuple[str, str, str], str]]:
    """Who gave each wrong answer (question, item, normalised value), in the order of the
    reports, and how the answer is shown (as the last of them wrote it)."""
    holders: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    shown: dict[tuple[str, str, str], str] = {}
    for report in reports:
        if report.status != Status.GRADED:
            continue
        for question in report.questions:
            for item in question.items:
                if item.verdict != Verdict.INCORRECT or Code.KNOWN_MISTAKE in item.codes:
                    continue
                if item.found is None:
                    continue
                key = (question.id, item.key, _normalised(item.found))
                holders[key].append(report.candidate)
                shown[key] = f"{question.id}[{item.key}] = {french.value(item.found)}"
    return holders, shown


def _pairs_sharing(
    held: Mapping[str, Sequence[int]], at_least: int
) -> dict[tuple[str, str], tuple[int, ...]]:
    """Every pair of candidates holding at least `at_least` answers in common, with the
    answers they share (ascending). Candidates holding the same answers form one group (keyed
    by the answers themselves); two groups meet in the bucket of any `at_least` answers they
    share, so a popular answer alone never pairs its holders one by one."""
    groups: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for name in sorted(held):
        if len(held[name]) >= at_least:
            groups[tuple(held[name])].append(name)
    found: dict[tuple[str, str], tuple[int, ...]] = {}
    buckets: dict[tuple[int, ...], list[tuple[int, ...]]] = defaultdict(list)
    for answers, names in groups.items():
        found.update(dict.fromkeys(combinations(names, 2), answers))
        for subset in combinations(answers, at_least):
            buckets[subset].append(answers)
    met: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    for members in buckets.values():
        for one, other in combinations(members, 2):
            if (one, other) in met:
                continue
            met.add((one, other))
            shared = tuple(sorted(set(one) & set(other)))
            for a in groups[one]:
                found.update({_pair(a, b): shared for b in groups[other]})
    return found


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _normalised(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.9g}"
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    return repr(value)
