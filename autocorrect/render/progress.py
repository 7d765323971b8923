"""Progress of a batch: a one-line bar redrawn in place on a terminal (count, rate, time left,
failures), or one plain line per file elsewhere (CI logs, redirected output)."""

from __future__ import annotations

from collections import Counter

from autocorrect import french
from autocorrect.french import STATUS_WORDS
from autocorrect.report import Status
from autocorrect.session.model import BatchSummary, Progress

BAR_WIDTH = 28
MIN_BAR = 5


def progress_bar(event: Progress, columns: int = 80) -> str:
    """`[██████······] 45/300  3,2 copies/s  reste 1 min 20 s  échecs 2` (no newline), never
    wider than `columns - 1` (a full line would wrap on some terminals): the bar shrinks
    first, then the least useful parts go."""
    parts = _parts(event)
    while len(parts) > 1 and len("  ".join(parts)) + MIN_BAR + 3 > columns - 1:
        parts.pop()
    room = columns - 1 - len("  ".join(parts)) - 3
    width = max(0, min(BAR_WIDTH, room))
    if width < MIN_BAR:
        return "  ".join(parts)[: max(columns - 1, 0)]
    filled = int(width * event.done / event.total) if event.total else width
    bar = "█" * filled + "·" * (width - filled)
    return f"[{bar}] " + "  ".join(parts)


def _parts(event: Progress) -> list[str]:
    fresh = event.done - event.reused
    rate = fresh / event.elapsed if event.elapsed > 0 and fresh else 0.0
    left = (event.total - event.done) / rate if rate else None
    parts = [
        f"{event.done}/{event.total}",
        f"{french.number(rate)} copies/s",
        f"reste {duration(left)}" if left is not None else "reste —",
        f"échecs {event.failures}",
    ]
    if event.reused:
        parts.append(f"déjà faites {event.reused}")
    return parts


def progress_line(event: Progress) -> str | None:
    """One line per graded file; the start event says how many were already done."""
    report = event.report
    if report is None:
        if not event.reused:
            return None
        already = "copie déjà corrigée" if event.reused < 2 else "copies déjà corrigées"
        return f"{event.reused}/{event.total} {already} et inchangées depuis : non recorrigées"
    detail = (
        f"{french.points(report.score)} / {french.points(report.max_score)}"
        if report.status == Status.GRADED
        else report.message
    )
    status = STATUS_WORDS[report.status]
    return f"[{event.done}/{event.total}] {report.candidate} : {status} — {detail}"


_PLURAL_STATUS = {
    Status.GRADED: "corrigées",
    Status.UNREADABLE: "illisibles",
    Status.ERROR: "erreurs du correcteur",
}


def duration(seconds: float) -> str:
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def batch_summary_lines(summary: BatchSummary) -> list[str]:
    """What `batch` prints when it ends, in French."""
    counts = Counter(summary.statuses)
    lines = [
        f"{french.plural(len(summary.statuses), 'copie')} : "
        + (
            ", ".join(
                french.plural(counts[s], STATUS_WORDS[s], _PLURAL_STATUS[s])
                for s in Status
                if counts[s]
            )
            or "aucune"
        )
        + f" (corrigées maintenant : {len(summary.graded)}, inchangées : {len(summary.reused)})"
    ]
    lines.extend(f"Ignoré : {entry.name} — {entry.reason}" for entry in summary.skipped)
    lines.extend(summary.notices)
    lines.extend(f"overrides.csv, ligne {p.line} : {p.message}" for p in summary.override_problems)
    if summary.signals:
        lines.append(f"Signaux de collusion : {len(summary.signals)} (voir collusion.csv)")
    if summary.interrupted:
        lines.append(
            f"Interrompu : {french.plural(len(summary.pending), 'copie reste', 'copies restent')} "
            "à corriger ; les copies déjà "
            "corrigées sont conservées. Relancer la même commande pour terminer."
        )
    lines.append(f"Rapports, carnets de notes et index : {summary.out / 'index.html'}")
    return lines
