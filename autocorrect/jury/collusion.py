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
    signals = []
    for a, b in _pairs_sharing_rare(sets, frequency):
        if traits[a].sha256 == traits[b].sha256:
            continue  # identical files are reported as such
        similarity = _weighted_jaccard(sets[a], sets[b], weight)
        if similarity >= FORMULA_SIMILARITY:
            shared = len(sets[a] & sets[b])
            signals.append(
                Signal(
                    SignalKind.SIMILAR_FORMULAS,
                    (a, b),
                    round(similarity, 4),
                    (
                        f"empreintes de formules semblables à {french.percent(similarity, 0)} "
                        f"(pondération par rareté)",
                        f"{shared} formules identiques en notation relative (L1C1) sur "
                        f"{len(sets[a])} et {len(sets[b])}",
                        *(f"ex. {f}" for f in _rarest(sets[a] & sets[b], frequency)),
                    ),
                )
            )
    return signals


def _pairs_sharing_rare(
    sets: Mapping[str, frozenset[str]], frequency: Counter[str]
) -> list[tuple[str, str]]:
    """Pairs that share at least one formula written by few candidates: the only pairs that
    can reach the threshold once common formulas weigh little (avoids comparing all pairs)."""
    rare_limit = max(2, int(len(sets) * COMMON_SHARE))
    holders: dict[str, list[str]] = defaultdict(list)
    for name in sorted(sets):
        for formula in sets[name]:
            if frequency[formula] <= rare_limit:
                holders[formula].append(name)
    pairs = {pair for names in holders.values() for pair in combinations(names, 2)}
    return sorted(pairs)


def _weighted_jaccard(a: frozenset[str], b: frozenset[str], weight: Mapping[str, float]) -> float:
    union = sum(weight[f] for f in a | b)
    return sum(weight[f] for f in a & b) / union if union else 0.0


def _rarest(formulas: frozenset[str], frequency: Counter[str], count: int = 3) -> list[str]:
    return sorted(formulas, key=lambda f: (frequency[f], len(f), f))[:count]


# --- identical wrong answers ------------------------------------------------------------------


def shared_wrong_answers(reports: Sequence[CandidateReport]) -> list[Signal]:
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
    limit = max(2, int(len(reports) * COMMON_SHARE))
    per_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, names in holders.items():
        if 1 < len(names) <= limit:
            for pair in combinations(sorted(set(names)), 2):
                per_pair[pair].append(shown[key])
    return [
        Signal(
            SignalKind.SHARED_WRONG_ANSWERS,
            pair,
            float(len(answers)),
            (f"{len(answers)} réponses fausses identiques (hors erreurs typiques)", *answers),
        )
        for pair, answers in per_pair.items()
        if len(answers) >= MIN_SHARED_WRONG
    ]


def _normalised(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.9g}"
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    return repr(value)
