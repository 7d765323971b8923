"""The HTML page frame shared by the jury reports and the index: French, self-contained (styles
inline, no external resource of any kind), readable on screen and printable on A4."""

from __future__ import annotations

from html import escape

from autocorrect import french
from autocorrect.french import STATUS_WORDS, VERDICT_WORDS
from autocorrect.report import Status, Verdict

CSS = """
:root { --ink: #1b1f24; --muted: #59636e; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 14px;
  color: var(--ink); }
body { margin: 0 auto; padding: 16px 20px 40px; max-width: 1100px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; padding-bottom: 4px;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 0 0 6px; }
p { margin: 4px 0; }
.meta { color: var(--muted); }
.score { font-size: 1.2rem; margin: 10px 0; }
.score strong { font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: var(--bg); font-weight: 600; overflow-wrap: normal; word-break: normal;
  hyphens: manual; }
table.sortable { table-layout: auto; }
table.sortable th { font-size: 0.8rem; }
thead { display: table-header-group; }
td.num, th.num { text-align: right; }
code, .formula { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.86rem;
  overflow-wrap: anywhere; word-break: break-all; white-space: pre-wrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.85rem;
  font-weight: 600; border: 1px solid rgba(0,0,0,.15); }
.v-correct { background: #c6efce; } .v-consequential { background: #ddebf7; }
.v-hardcoded { background: #ffeb9c; } .v-incorrect { background: #ffc7ce; }
.v-missing { background: #e7e6e6; } .v-review { background: #f8cbad; }
.s-graded { background: #c6efce; } .s-unreadable { background: #ffeb9c; }
.s-error { background: #ffc7ce; } .s-ignored { background: #e7e6e6; }
.p-acquis { background: #c6efce; } .p-non-acquis { background: #ffc7ce; }
.p-a-verifier { background: #f8cbad; }
.question { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  margin: 10px 0; break-inside: avoid; }
.question.first { border: 2px solid #c55a11; }
.override { background: #fff8e1; border-left: 4px solid #f0ad4e; padding: 4px 8px;
  margin: 6px 0; }
.alert { background: #fdecea; border-left: 4px solid #d9534f; padding: 4px 8px; margin: 6px 0; }
.chain { color: #1f4e79; margin-top: 4px; }
ul.tight { margin: 4px 0; padding-left: 20px; }
.matrices { display: flex; flex-wrap: wrap; gap: 16px; }
.matrices figure { margin: 0; flex: 1 1 420px; max-width: 520px; }
.matrices svg { width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.counts span { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px;
  background: var(--bg); }
th.sortable { cursor: pointer; }
footer { margin-top: 32px; color: var(--muted); font-size: 0.85rem; }
nav { margin: 4px 0 10px; }
details.annexe { margin-top: 24px; border-top: 2px solid var(--line); }
details.annexe > summary { cursor: pointer; font-weight: 600; padding: 8px 0; }
.sheet h1 { font-size: 1.35rem; }
.sheet th, .sheet td { padding: 2px 5px; }
table.marks { width: auto; min-width: 60%; }
table.marks td { text-align: right; white-space: nowrap; }
.sign { display: flex; gap: 10px; margin-top: 12px; break-inside: avoid; }
.sign div { flex: 1; border: 1px solid var(--ink); min-height: 58px; padding: 3px 6px;
  color: var(--muted); font-size: 0.85rem; }
.jury { font-style: italic; }
.blank { font-weight: 600; }
pre.paste { background: var(--bg); border: 1px solid var(--line); padding: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 11px; } body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; } tr, .question, figure { break-inside: avoid; }
  .screen-only { display: none; }
  details.annexe:not([open]) { display: none; }
  .sheet { font-size: 9.5px; break-after: page; }
  .sheet:last-of-type { break-after: auto; }
  .sheet h2 { margin: 8px 0 4px; font-size: 1.05rem; }
}
"""


def page(title: str, body: str, script: str = "") -> str:
    tail = f"<script>{script}</script>\n" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n{tail}</body>\n</html>\n"
    )


def verdict_badge(verdict: Verdict | str) -> str:
    key = str(verdict)
    label = VERDICT_WORDS.get(Verdict(key), key) if key in set(Verdict) else key
    return f'<span class="badge v-{escape(key)}">{escape(label)}</span>'


def status_badge(status: Status | str) -> str:
    key = str(status)
    label = STATUS_WORDS[Status(key)] if key in set(Status) else "ignoré"
    return f'<span class="badge s-{escape(key)}">{escape(label)}</span>'


def proposal_badge(proposal: str) -> str:
    css = {"acquis": "p-acquis", "non acquis": "p-non-acquis"}.get(proposal, "p-a-verifier")
    return f'<span class="badge {css}">{escape(proposal)}</span>'


def points(value: float) -> str:
    return french.points(value)
