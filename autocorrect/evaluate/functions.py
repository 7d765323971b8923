"""Excel functions `formulas` lacks or computes differently, registered into it at import.

Each one is small and tested in tests/test_functions.py against hand-computed values (or
LibreOffice, by the oracle harness, for those LibreOffice has).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from typing import Any

import formulas
import numpy as np
import schedula as sh
from formulas.functions import Array, wrap_func, wrap_ufunc
from formulas.tokens.operand import Error as _XlErrors
from formulas.tokens.operand import XlError

from autocorrect.evaluate.textformat import FormatError, format_text

_VALUE = _XlErrors.errors["#VALUE!"]
_NUM = _XlErrors.errors["#NUM!"]
_DIV0 = _XlErrors.errors["#DIV/0!"]


def _scalar(value: object) -> object:
    while isinstance(value, np.ndarray):
        if value.size == 0:
            return sh.EMPTY
        value = value.reshape(-1)[0]
    return value


def _number(value: object, default: float | None = None) -> float:
    value = _scalar(value)
    if value is sh.EMPTY or value is None:
        if default is None:
            return 0.0
        return default
    if isinstance(value, XlError):
        raise _Failed(value)
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError as exc:
            raise _Failed(_VALUE) from exc
    return float(value)  # type: ignore[arg-type]


class _Failed(Exception):
    def __init__(self, error: XlError) -> None:
        super().__init__(str(error))
        self.error = error


def _excel(func: Callable[..., object]) -> Callable[..., object]:
    """Turn an internal failure into the Excel error it stands for."""

    def call(*args: object) -> object:
        try:
            return func(*args)
        except _Failed as failed:
            return failed.error

    call.__name__ = func.__name__
    return call


# --- TEXT -----------------------------------------------------------------------------------


def _text(value: object, fmt: object) -> object:
    if isinstance(value, XlError):
        return value
    if isinstance(fmt, XlError):
        return fmt
    if value is sh.EMPTY:
        value = 0.0
    if isinstance(value, np.generic):
        value = value.item()
    try:
        return format_text(value, "" if fmt is sh.EMPTY else str(fmt))
    except FormatError:
        return _VALUE


# --- SEQUENCE -------------------------------------------------------------------------------


@_excel
def _sequence(rows: object, cols: object = 1, start: object = 1, step: object = 1) -> object:
    n_rows, n_cols = int(_number(rows, 1)), int(_number(cols, 1))
    first, increment = _number(start, 1), _number(step, 1)
    if n_rows < 1 or n_cols < 1:
        return _VALUE
    if n_rows * n_cols > 1_000_000:
        return _NUM
    values = first + increment * np.arange(n_rows * n_cols, dtype=float)
    return np.asarray(values.reshape(n_rows, n_cols), dtype=object).view(Array)


# --- SUBTOTAL -------------------------------------------------------------------------------


def _numbers(args: tuple[object, ...]) -> Iterator[float]:
    for arg in args:
        if isinstance(arg, np.ndarray):
            items: Any = arg.ravel()
        else:
            items = [arg]
        for item in items:
            if isinstance(item, XlError):
                raise _Failed(item)
            if isinstance(item, bool | np.bool_ | str) or item is sh.EMPTY:
                continue
            yield float(item)


def _count_all(args: tuple[object, ...]) -> float:
    total = 0
    for arg in args:
        items = arg.ravel() if isinstance(arg, np.ndarray) else [arg]
        total += sum(1 for item in items if item is not sh.EMPTY and item != "")
    return float(total)


def _sample_var(values: list[float]) -> float:
    if len(values) < 2:
        raise _Failed(_DIV0)
    return float(np.var(values, ddof=1))


def _population_var(values: list[float]) -> float:
    if not values:
        raise _Failed(_DIV0)
    return float(np.var(values))


def _mean(values: list[float]) -> float:
    if not values:
        raise _Failed(_DIV0)
    return sum(values) / len(values)


_SUBTOTALS: dict[int, Callable[[list[float]], float]] = {
    1: _mean,
    2: lambda v: float(len(v)),
    4: lambda v: max(v, default=0.0),
    5: lambda v: min(v, default=0.0),
    6: lambda v: float(np.prod(v)) if v else 0.0,
    7: lambda v: math.sqrt(_sample_var(v)),
    8: lambda v: math.sqrt(_population_var(v)),
    9: lambda v: float(sum(v)),
    10: _sample_var,
    11: _population_var,
}


@_excel
def _subtotal(function: object, *refs: object) -> object:
    """SUBTOTAL(n; ranges…). Hidden rows are not known to the engine: 101–111 behave like
    1–11 (a known difference, listed in the README)."""
    code = int(_number(function))
    base = code - 100 if code > 100 else code
    if base == 3:
        return _count_all(refs)
    if base not in _SUBTOTALS:
        return _VALUE
    return _SUBTOTALS[base](list(_numbers(refs)))


# --- COMBIN ---------------------------------------------------------------------------------


def _combin(n: float, k: float) -> object:
    n, k = math.trunc(n), math.trunc(k)
    if n < 0 or k < 0 or k > n:
        return _NUM
    return float(math.comb(n, k))


# --- ROWS, COLUMNS -------------------------------------------------------------------------


def _dimension(axis: int) -> Callable[[object], object]:
    """ROWS/COLUMNS of what the evaluator passes: an array of values, not a reference
    (`formulas` expects its own reference objects and answers #VALUE!)."""

    def dimension(value: object) -> object:
        if isinstance(value, XlError):
            return value
        if isinstance(value, np.ndarray) and value.ndim == 2:
            return float(value.shape[axis])
        if isinstance(value, np.ndarray) and value.ndim == 1:
            return float(value.shape[0] if axis == 1 else 1)
        return 1.0

    return dimension


# --- TRIM ----------------------------------------------------------------------------------


def _trim(text: object) -> object:
    """Excel's TRIM also collapses the spaces inside the text to one (`formulas` does not)."""
    if isinstance(text, XlError):
        return text
    if isinstance(text, bool | np.bool_):
        return "TRUE" if text else "FALSE"
    if text is sh.EMPTY:
        return ""
    if isinstance(text, float | np.floating) and float(text).is_integer():
        text = int(text)
    return " ".join(part for part in str(text).split(" ") if part)


# --- DATEDIF -------------------------------------------------------------------------------


def _datedif(original: Callable[..., object]) -> Callable[..., object]:
    """DATEDIF for the units "d", "m", "y" (`formulas` answers #NUM! to "d"); the others
    are left to `formulas`."""

    def datedif(start: object, end: object, unit: object) -> object:
        kind = str(_scalar(unit)).strip().lower()
        if kind not in ("d", "m", "y"):
            return original(start, end, unit)
        try:
            first, last = int(_number(start)), int(_number(end))
        except _Failed as failed:
            return failed.error
        if first > last:
            return _NUM
        if kind == "d":
            return float(last - first)
        a = _EPOCH + dt.timedelta(days=first)
        b = _EPOCH + dt.timedelta(days=last)
        months = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)
        return float(months if kind == "m" else months // 12)

    return datedif


_EPOCH = dt.date(1899, 12, 30)


# --- registration ---------------------------------------------------------------------------


def install() -> None:
    """Register the functions above into `formulas` (idempotent)."""
    functions = formulas.get_functions()
    functions["TEXT"] = wrap_ufunc(_text, input_parser=lambda *a: a, check_error=lambda *a: None)
    functions["SEQUENCE"] = wrap_func(_sequence)
    functions["SUBTOTAL"] = wrap_func(_subtotal)
    functions["COMBIN"] = wrap_ufunc(_combin)
    if not getattr(functions["DATEDIF"], "_autocorrect", False):
        functions["DATEDIF"] = wrap_func(_datedif(functions["DATEDIF"]))
        functions["DATEDIF"]._autocorrect = True
    functions["TRIM"] = wrap_ufunc(_trim, input_parser=lambda *a: a, check_error=lambda *a: None)
    functions["ROWS"] = wrap_func(_dimension(0))
    functions["COLUMNS"] = wrap_func(_dimension(1))
    for name in [n for n in functions if n.startswith("_XLFN.")]:
        functions.setdefault(name.removeprefix("_XLFN."), functions[name])


# Names of the functions this module adds or replaces, for the README and the tests.
REGISTERED = ("TEXT", "SEQUENCE", "SUBTOTAL", "COMBIN", "ROWS", "COLUMNS", "TRIM", "DATEDIF")
