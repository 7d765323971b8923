"""Progress of a batch: a one-line bar redrawn in place on a terminal (count, rate, time left,
failures), or one plain line per file elsewhere (CI logs, redirected output)."""

from __future__ import annotations

from collections import Counter

from autocorrect.render.text import STATUS_FR, number
from autocorrect.report import Status
from autocorrect.session.model import BatchSummary, Progress

BAR_WIDTH = 28


def progress_bar(event: Progress) -> str:
    """`[██████······] 45/300  3,2 copies/s  reste 1 min 20 s  échecs 2` (no newline)."""
    filled = int(BAR_WIDTH * event.done / event.total) if event.total else BAR_WIDTH
    bar = "█" * filled + "·" * (BAR_WIDTH - filled)
    fresh = event.done - event.reused
    rate = fresh / event.elapsed if event.elapsed > 0 and fresh else 0.0
    left = (event.total - event.done) / rate if rate else None
    parts = [
        f"[{bar}] {event.done}/{event.total}",
        f"{number(rate)} copies/s",
        f"reste {duration(left)}" if left is not None else "reste —",
        f"échecs {event.failures}",
    ]
    if event.reused:
        parts.append(f"déjà faites {event.reused}")
    return "  ".join(parts)


def progress_line(event: Progress) -> str | None:
    """One line per graded file; the start event says how many were already done."""
    report = event.report
    if report is None:
        if not event.reused:
            return None
        return f"{event.reused}/{event.total} copie(s) déjà corrigée(s), inchangée(s) : ignorée(s)"
    detail = (
        f"{number(report.score)} / {number(report.max_score)}"
        if report.status == Status.GRADED
        else report.message
    )
    return (
        f"[{event.done}/{event.total}] {report.candidate} : {STATUS_FR[report.status]} — {detail}"
    )


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
    counts = Counter(r.status for r in summary.reports)
    lines = [
        f"{len(summary.reports)} copie(s) : "
        + (", ".join(f"{counts[s]} {STATUS_FR[s]}" for s in Status if counts[s]) or "aucune")
        + f" (corrigées maintenant : {len(summary.graded)}, inchangées : {len(summary.reused)})"
    ]
    lines.extend(f"Ignoré : {entry.name} — {entry.reason}" for entry in summary.skipped)
    lines.extend(summary.notices)
    lines.extend(f"overrides.csv, ligne {p.line} : {p.message}" for p in summary.override_problems)
    if summary.signals:
        lines.append(f"Signaux de collusion : {len(summary.signals)} (voir collusion.csv)")
    if summary.interrupted:
        lines.append(
            f"Interrompu : {len(summary.pending)} copie(s) restent à corriger ; les copies déjà "
            "corrigées sont conservées. Relancer la même commande pour terminer."
        )
    lines.append(f"Rapports, carnets de notes et index : {summary.out / 'index.html'}")
    return lines
