"""TEXT(value; format) with the format string as the candidate typed it, French or English.

Excel stores the format string of TEXT exactly as typed, in the language of the application
that computed it: `"0,00 %"`, `"# ##0,00 €"`, `"jj/mm/aaaa"` in a French Excel, `"0.00%"`,
`"#,##0.00"`, `"dd/mm/yyyy"` in an English one. The language is told from the format itself
(a decimal comma, a space grouping digits, French date letters j/a, "Standard"), and the result
uses that language's separators, day and month names. An ambiguous format (`"0"`, `"0 %"`,
`"mm"`) is French: candidates use a French Excel.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass

_QUOTED = re.compile(r'"[^"]*"|\\.')
_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FR_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_FR_SHORT_MONTHS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
_EPOCH = dt.datetime(1899, 12, 30)
_THOUSANDS_FR = "\u202f"  # what a French Windows shows between groups of digits


class FormatError(ValueError):
    """A format string TEXT cannot apply (Excel gives #VALUE!)."""


@dataclass(frozen=True)
class _Locale:
    french: bool

    @property
    def decimal(self) -> str:
        return "," if self.french else "."

    @property
    def thousands(self) -> str:
        return _THOUSANDS_FR if self.french else ","


def format_text(value: object, fmt: str) -> str:
    """The text TEXT(value; fmt) displays."""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, str):
        number = _to_number(value)
        if number is None:
            return value
        value = number
    if not isinstance(value, int | float):
        raise FormatError("valeur non numérique")
    if fmt.strip().casefold() in ("general", "standard", ""):
        return _general(float(value), _Locale(fmt.strip().casefold() != "general"))
    locale = _Locale(_is_french(fmt))
    code, keeps_sign = _section(fmt, float(value))
    number = float(value)
    if _is_date_code(code):
        return _format_date(number, code, locale)
    text = _format_number(abs(number), code, locale)
    return "-" + text if number < 0 and keeps_sign and text.strip("0,. \u202f") else text


def _to_number(text: str) -> float | None:
    try:
        return float(text.replace("\u202f", "").replace("\xa0", "").replace(",", "."))
    except ValueError:
        return None


def _unquoted(fmt: str) -> str:
    return _QUOTED.sub("", fmt)


def _is_french(fmt: str) -> bool:
    bare = _unquoted(fmt)
    letters = re.sub(r"(?i)am/pm|a/p|\[[^\]]*\]", "", bare)
    if re.search(r"[jJaA]", letters):
        return True
    if re.search(r"[dDyY]", letters):
        return False  # English date letters
    if bare.casefold().startswith("standard"):
        return True
    if "." in bare:
        return False
    # "#,##0" is the English thousands separator, unless spaces group the digits
    return not re.search(r"#,##0(?![0#])", bare) or bool(re.search(r"[0#] [#0]", bare))


def _section(fmt: str, value: float) -> tuple[str, bool]:
    """The section of `pos;neg;zero` that applies, and whether it must add the minus sign."""
    sections = _split_sections(fmt)
    if value < 0 and len(sections) >= 2:
        return sections[1], False
    if value == 0 and len(sections) >= 3:
        return sections[2], False
    return sections[0], True


def _split_sections(fmt: str) -> list[str]:
    sections, current, quoted = [], "", False
    for char in fmt:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += char
    return [*sections, current]


def _is_date_code(code: str) -> bool:
    bare = re.sub(r"\[[^\]]*\]", "", _unquoted(code))
    return bool(re.search(r"[dDjJyYaAhHsS]|[mM]", bare)) and not re.search(r"[0#?]", bare)


def _general(value: float, locale: _Locale) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    return text.replace(".", locale.decimal)


def _format_number(value: float, code: str, locale: _Locale) -> str:
    literal_parts: list[tuple[bool, str]] = []  # (is_placeholder_run, text)
    for piece in re.split(r'("[^"]*"|\\.)', code):
        if not piece:
            continue
        if piece.startswith('"'):
            literal_parts.append((False, piece[1:-1]))
        elif piece.startswith("\\"):
            literal_parts.append((False, piece[1:]))
        else:
            literal_parts.append((True, piece))
    bare = "".join(text for placeholder, text in literal_parts if placeholder)
    percent = bare.count("%")
    scaled = value * (100**percent)
    integer_spec, decimals_spec, grouped = _number_spec(bare, locale)
    number = _digits(scaled, integer_spec, decimals_spec, grouped, locale)
    out, placed = [], False
    for placeholder, text in literal_parts:
        if not placeholder:
            out.append(text)
            continue
        match = re.search(r"[0#?][0#?,. \u00a0\u202f]*[0#?]|[0#?]", text)
        if match is None or placed:
            out.append(_strip_codes(text))
            continue
        out.append(_strip_codes(text[: match.start()]) + number + _strip_codes(text[match.end() :]))
        placed = True
    return "".join(out)


def _strip_codes(text: str) -> str:
    return text.replace("_)", " ").replace("*", "")


def _number_spec(bare: str, locale: _Locale) -> tuple[str, str, bool]:
    match = re.search(r"[0#?][0#?,. \u00a0\u202f]*[0#?]|[0#?]", bare)
    if match is None:
        return "0", "", False
    spec = match.group(0)
    decimal_mark = "," if locale.french else "."
    integer, _, decimals = spec.partition(decimal_mark)
    grouping_marks = (" ", "\u00a0", "\u202f") if locale.french else (",",)
    grouped = any(mark in integer for mark in grouping_marks)
    integer = re.sub(r"[^0#?]", "", integer)
    decimals = re.sub(r"[^0#?]", "", decimals)
    return integer or "#", decimals, grouped


def _digits(value: float, integer: str, decimals: str, grouped: bool, locale: _Locale) -> str:
    quantum = decimal.Decimal(1).scaleb(-len(decimals))
    exact = decimal.Decimal(repr(value)).quantize(quantum, rounding=decimal.ROUND_HALF_UP)
    whole, _, fraction = f"{exact:f}".partition(".")
    minimum = integer.count("0")
    whole = whole.lstrip("0").rjust(minimum, "0")
    if grouped and whole:
        whole = f"{int(whole):,}".replace(",", locale.thousands)
        whole = whole.rjust(minimum, "0")
    optional = len(decimals) - len(decimals.rstrip("#?"))
    if optional:
        kept = fraction.rstrip("0")
        fraction = kept.ljust(len(decimals) - optional, "0")
    if not fraction:
        return whole or ("0" if minimum else "")
    return f"{whole}{locale.decimal}{fraction}"


def _format_date(serial: float, code: str, locale: _Locale) -> str:
    try:
        moment = _EPOCH + dt.timedelta(days=serial)
    except OverflowError as exc:
        raise FormatError("date hors limites") from exc
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    tokens = re.findall(r'"[^"]*"|\\.|[dDjJ]+|[mM]+|[yYaA]+|[hH]+|[sS]+|.', code)
    out: list[str] = []
    for index, token in enumerate(tokens):
        out.append(_date_part(token, moment, locale, tokens, index))
    return "".join(out)


def _date_part(
    token: str, moment: dt.datetime, locale: _Locale, tokens: list[str], index: int
) -> str:
    first = token[0].lower()
    days = _FR_DAYS if locale.french else _EN_DAYS
    months = _FR_MONTHS if locale.french else _EN_MONTHS
    if token.startswith('"'):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    if first in "dj":
        return _day(moment, len(token), days)
    if first in "ya":
        return f"{moment.year % 100:02d}" if len(token) <= 2 else f"{moment.year:04d}"
    if first == "h":
        return f"{moment.hour:0{min(len(token), 2)}d}"
    if first == "s":
        return f"{moment.second:0{min(len(token), 2)}d}"
    if first == "m":
        if _is_minutes(tokens, index):
            return f"{moment.minute:0{min(len(token), 2)}d}"
        return _month(moment, len(token), months, locale)
    return token


def _day(moment: dt.datetime, width: int, days: tuple[str, ...]) -> str:
    if width == 1:
        return str(moment.day)
    if width == 2:
        return f"{moment.day:02d}"
    name = days[moment.weekday()]
    return name if width >= 4 else name[:3] + ("." if days is _FR_DAYS else "")


def _month(moment: dt.datetime, width: int, months: tuple[str, ...], locale: _Locale) -> str:
    if width == 1:
        return str(moment.month)
    if width == 2:
        return f"{moment.month:02d}"
    if width == 3:
        return _FR_SHORT_MONTHS[moment.month - 1] if locale.french else months[moment.month - 1][:3]
    if width == 5:
        return months[moment.month - 1][0]
    return months[moment.month - 1]


def _is_minutes(tokens: list[str], index: int) -> bool:
    """`mm` means minutes right after an hour or right before seconds."""
    before = [t for t in tokens[:index] if t[0].isalpha()]
    after = [t for t in tokens[index + 1 :] if t[0].isalpha()]
    return bool(before and before[-1][0] in "hH") or bool(after and after[0][0] in "sS")
