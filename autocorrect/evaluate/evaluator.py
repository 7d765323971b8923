"""Targeted recomputation of the candidate's formulas: the only module that imports `formulas`.

We never build the whole workbook model (about a second per file): we evaluate only the cells
grading asks for, and their precedents, in dependency order. Each formula is compiled once per
*shape*: references are replaced by placeholders before compiling, so the five copied-down
`=(D5-C5)/C5` … `=(D9-C9)/C9` of a candidate, and the same formula in every other submission,
share one compiled function for the life of the process.

Compiling a lone formula string means `formulas` never sees the file, so it can never open an
external workbook named in it: such references evaluate to #REF! and are reported.

Limits (`guard.Limits`, carried by the workbook): a formula longer than `max_formula_length`
characters or nested deeper than `max_formula_depth` is neither tokenised for evaluation nor
compiled (compiling costs grow faster than the length: 4,000 operands take seconds); it
evaluates to #VALUE! and gets a `formula-error` finding in French. A range larger than
`max_range_cells` (whole columns and rows included) is cut to the sheet's data block plus the
few cells typed far beyond it (`_clip_to_cells`: what Excel sums, without the empty cells in
between; a `stray-cell` finding names them); if it is still larger, the formula is not
evaluated either (#VALUE!, finding).

Longer than most modules: it is the only importer of `formulas`; compiling shapes, the
dependency walk, the limits and the memo of results share its private types.
"""

from __future__ import annotations

import decimal
import functools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import formulas
import numpy as np
import schedula as sh
from formulas.functions import Array, wrap_ufunc
from formulas.functions.operators import OPERATORS as _OPERATORS
from formulas.tokens.operand import Error as _XlErrors
from formulas.tokens.operand import XlError

from autocorrect import french
from autocorrect.evaluate import functions as _functions
from autocorrect.evaluate.rewrite import (
    RewriteNotes,
    expand_reference_functions,
    let_variables,
    literal,
    ref_token,
    rewrite,
)
from autocorrect.evaluate.structured import (
    StructuredRefError,
    is_structured,
    resolve_structured,
    resolve_table_name,
)
from autocorrect.reading.refs import (
    MAX_COL,
    MAX_ROW,
    CellRef,
    RangeRef,
    column_letters,
    parse_area,
    split_sheet,
)
from autocorrect.reading.workbook import (
    CellData,
    FormulaToken,
    Workbook,
    excel_serial,
    tokenize,
)
from autocorrect.report import Code, Finding


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value (#DIV/0!, #REF!…) produced by a formula."""

    code: str

    def __str__(self) -> str:
        return self.code


# --- Excel-exact rounding -------------------------------------------------------------------


def _round15(x: float, digits: float, rounding: str) -> float:
    """Excel rounds the value to 15 significant digits before rounding to `digits`, so that
    ROUND(1.005, 2) is 1.01 as in Excel (formulas' own ROUND gives 1.0)."""
    if not math.isfinite(x):
        return x
    exact = decimal.Decimal(repr(x))
    fifteen = decimal.Decimal(f"{float(f'{x:.15g}'):.15g}") if x else exact
    quantum = decimal.Decimal(1).scaleb(-int(digits))
    return float(fifteen.quantize(quantum, rounding=rounding))


def _install_excel_rounding() -> None:
    functions = formulas.get_functions()
    functions["ROUND"] = wrap_ufunc(functools.partial(_round15, rounding=decimal.ROUND_HALF_UP))
    functions["ROUNDUP"] = wrap_ufunc(functools.partial(_round15, rounding=decimal.ROUND_UP))
    functions["ROUNDDOWN"] = wrap_ufunc(functools.partial(_round15, rounding=decimal.ROUND_DOWN))


_install_excel_rounding()
_functions.install()
_PARSER = formulas.Parser()
# schedula logs a full traceback for every function `formulas` lacks (WEBSERVICE, INDIRECT…);
# the evaluator reports those itself (`unsupported-function`), graders must not see tracebacks.
logging.getLogger("schedula.utils.sol").setLevel(logging.CRITICAL)
log = logging.getLogger(__name__)


# --- compiled shapes ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """A formula with its references replaced by placeholders, compiled once."""

    func: Callable[..., Any] | None
    inputs: tuple[str, ...]  # the compiled function's argument names, in call order
    error: str | None  # why it could not be compiled


@dataclass(frozen=True)
class ParsedFormula:
    """A candidate's formula: its shape and, per placeholder, what it refers to."""

    text: str
    shape_key: str
    targets: dict[str, RangeRef | str]  # placeholder -> range, or the unresolved text
    functions: tuple[str, ...]
    depth: int = 0  # deepest nesting of functions and parentheses
    looping_names: tuple[str, ...] = ()  # "A → B → A" for a defined name that loops
    problems: tuple[str, ...] = ()  # references the engine could not resolve, in French


@functools.lru_cache(maxsize=4096)
def _compile(shape_key: str) -> _Shape:
    try:
        func = _PARSER.ast(shape_key)[1].compile()
    except Exception as exc:
        log.debug("compiling %s: %s", shape_key, type(exc).__name__)
        return _Shape(None, (), "syntaxe que le moteur ne sait pas calculer")
    return _Shape(_straight_line(func) or func, tuple(func.inputs), None)


class _StraightLine:
    """A compiled formula called without the dispatcher: the same functions of `formulas`,
    called on the same arguments in the same dependency order, so the same result, without
    schedula's bookkeeping per node (about 0.2 ms per call, most of a formula's cost).

    Only a formula's plain graph is run this way (every function waits for all its inputs,
    one output each, no sub-dispatcher, filters on the result only); anything else keeps the
    dispatcher (`_straight_line` returns None). Where the dispatcher would stop (a function
    that gives no value), this raises, as the dispatcher does."""

    def __init__(
        self,
        inputs: tuple[str, ...],
        defaults: dict[str, object],
        steps: tuple[tuple[Callable[..., Any], tuple[str, ...], str], ...],
        output: str,
        filters: tuple[Callable[..., Any], ...],
    ) -> None:
        self.inputs = inputs
        self._defaults = defaults
        self._steps = steps
        self._output = output
        self._filters = filters

    def __call__(self, *args: object) -> object:
        values = dict(self._defaults)
        values.update(zip(self.inputs, args, strict=True))
        for function, inputs, output in self._steps:
            result = function(*[values[i] for i in inputs])
            if result is sh.NONE:
                raise _NoValue(output)
            values[output] = result
        result = values[self._output]
        for keep in self._filters:
            result = keep(result)
        if result is sh.NONE:
            raise _NoValue(self._output)
        return result


class _NoValue(Exception):
    """A step of a formula gave no value: the dispatcher would have stopped there."""


_PLAIN_FUNCTION_KEYS = frozenset(
    {"type", "function", "inputs", "outputs", "index", "wait_inputs", "solve_cycle"}
)


def _straight_line(pipe: Any) -> _StraightLine | None:
    """The dispatcher's graph as a list of calls, when it is plain enough (see above)."""
    try:
        dsp = pipe.dsp
        outputs = list(pipe.outputs or ())
        inputs = tuple(pipe.inputs)
        nodes = dsp.nodes
        if len(outputs) != 1 or any(
            n.get("type") not in ("data", "function") for n in nodes.values()
        ):
            return None
        filtered = [k for k, n in nodes.items() if n.get("type") == "data" and n.get("filters")]
        if any(k != outputs[0] for k in filtered):
            return None
        filters = tuple(nodes[outputs[0]].get("filters", ()))
        if any(_not_plain(f) for f in filters):
            return None
        functions = {k: n for k, n in nodes.items() if n.get("type") == "function"}
        steps = _ordered_steps(functions, set(inputs) | set(dsp.default_values))
        defaults = {k: v["value"] for k, v in dsp.default_values.items()}
    except Exception:  # an unexpected graph: the dispatcher stays, nothing is lost
        log.debug("straight line for %s", pipe, exc_info=True)
        return None
    given = {*inputs, *defaults, *(output for _, _, output in steps or ())}
    if steps is None or outputs[0] not in given:
        return None
    return _StraightLine(inputs, defaults, steps, outputs[0], filters)


def _number_operand(value: object) -> float | None:
    """A plain number as `formulas` passes it between operators (a float, or a float in a
    0-d array), else None: errors, texts, booleans, empty cells, arrays keep the library's
    own path."""
    if type(value) is float:
        return value
    if isinstance(value, np.ndarray) and value.shape == ():
        inner: object = value[()]
        if type(inner) is float:
            return float(inner)
    return None


def _zero_d(value: object) -> object:
    """A result as `formulas` gives it: a 0-d object array of its own Array type."""
    result = np.empty((), dtype=object)
    result[()] = value
    return result.view(Array)


def _finite(value: float) -> object:
    return value if math.isfinite(value) else _XlErrors.errors["#NUM!"]


def _number_operator(
    library: Callable[..., Any], compute: Callable[..., object]
) -> Callable[..., object]:
    """An arithmetic operator of `formulas` with a shortcut for plain numbers: the same
    result (the library's own rules: #DIV/0! for a division by 0, #NUM! for an infinite or
    undefined result, a 0-d array), without numpy's per-call machinery (most of an
    operator's cost); anything else goes to the library's operator."""

    def call(*args: object) -> object:
        numbers = [_number_operand(a) for a in args]
        if None in numbers:
            return library(*args)
        return _zero_d(compute(*numbers))

    return call


def _divided(x: float, y: float) -> object:
    return _finite(x / y) if y else _XlErrors.errors["#DIV/0!"]


_NUMBER_RULES: dict[str, Callable[..., object]] = {
    "+": lambda x, y: _finite(x + y),
    "-": lambda x, y: _finite(x - y),
    "*": lambda x, y: _finite(x * y),
    "/": _divided,
    "U-": lambda x: _finite(-x),
    "%": lambda x: _finite(x / 100.0),
}
_PLAIN_NUMBER_OPERATORS: dict[int, Callable[..., object]] = {
    id(_OPERATORS[name]): _number_operator(_OPERATORS[name], rule)
    for name, rule in _NUMBER_RULES.items()
}


def _not_plain(function: Any) -> bool:
    """A sub-dispatcher or a model class: called differently by the dispatcher."""
    parent = sh.parent_func(function)
    return isinstance(parent, type | sh.SubDispatch | sh.Dispatcher)


def _ordered_steps(
    functions: dict[Any, dict[str, Any]], known: set[Any]
) -> tuple[tuple[Callable[..., Any], tuple[str, ...], str], ...] | None:
    """The function nodes in an order where each one's inputs are known before it runs."""
    for node in functions.values():
        plain = set(node) <= _PLAIN_FUNCTION_KEYS and node.get("wait_inputs")
        if not plain or len(node.get("outputs", ())) != 1 or _not_plain(node["function"]):
            return None
    steps = []
    pending = dict(functions)
    while pending:
        ready = [k for k, n in pending.items() if all(i in known for i in n["inputs"])]
        if not ready:
            return None  # a cycle or an input nobody gives
        for key in ready:
            node = pending.pop(key)
            function = _PLAIN_NUMBER_OPERATORS.get(id(node["function"]), node["function"])
            steps.append((function, tuple(node["inputs"]), node["outputs"][0]))
            known.add(node["outputs"][0])
    return tuple(steps)


def parse_formula(
    cell: CellData,
    workbook: Workbook,
    expand: Callable[[list[FormulaToken]], list[FormulaToken]] | None = None,
) -> ParsedFormula:
    """Replace each reference of the formula by a placeholder; resolve the references.
    `expand` resolves the reference functions (OFFSET, INDIRECT…) that need values."""
    assert cell.formula is not None
    notes = RewriteNotes()
    tokens = rewrite(tokenize(cell.formula), workbook, notes)
    if expand is not None:
        tokens = expand(tokens)
    variables = let_variables(tokens)
    parts: list[str] = []
    targets: dict[str, RangeRef | str] = {}
    functions: list[str] = []
    problems: list[str] = []
    depth = deepest = 0
    for index, token in enumerate(tokens):
        if token.kind == "func":
            functions.append(token.text)
        if token.kind != "ref" or token.text.casefold() in variables:
            parts.append(token.raw)
            depth += _nesting_step(token.raw)
            deepest = max(deepest, depth)
            continue
        try:
            target = _resolve(token.text, cell.ref, workbook)
        except StructuredRefError as exc:
            problems.append(f"référence structurée « {token.text} » : {exc}")
            parts.append("#REF!")
            continue
        placeholder = _placeholder(index, target)
        targets[placeholder] = target
        parts.append(placeholder)
    return ParsedFormula(
        cell.formula,
        "=" + "".join(parts),
        targets,
        tuple(functions),
        deepest,
        tuple(notes.looping_names),
        tuple(problems),
    )


def _nesting_step(raw: str) -> int:
    """+1 for a token opening a function call or a parenthesis, -1 for one closing it."""
    if raw.endswith("(") or raw == "{":
        return 1
    return -1 if raw in (")", "}") else 0


def _placeholder(index: int, target: RangeRef | str) -> str:
    if isinstance(target, RangeRef) and not target.is_single_cell:
        return f"A{index + 1}:B{index + 1}"
    return f"A{index + 1}"


def _resolve(text: str, here: CellRef, workbook: Workbook) -> RangeRef | str:
    if is_structured(text):
        return resolve_structured(text, here, workbook)
    if text.startswith("[") or "[" in text.split("!", maxsplit=1)[0]:
        return text  # another workbook: never opened
    area = (
        workbook.resolve_name(text)
        or resolve_table_name(text, workbook)
        or _address(text, here.sheet, workbook)
    )
    if area is None:
        return text
    if area.max_row < MAX_ROW and area.max_col < MAX_COL and _size(area) <= _range_limit(workbook):
        return area  # an explicit range is kept as written: method checks compare it
    return _clip_to_cells(area, workbook)  # B:B -> B1:B{last row of B}


def _address(text: str, sheet: str, workbook: Workbook) -> RangeRef | None:
    ref_sheet, address = split_sheet(text)
    actual = workbook.sheet_named(ref_sheet) if ref_sheet is not None else sheet
    return parse_area(actual, address) if actual is not None else None


def _size(area: RangeRef) -> int:
    rows, cols = area.shape
    return rows * cols


def _range_limit(workbook: Workbook) -> int:
    return workbook.limits.max_range_cells


def _clip_to_cells(area: RangeRef, workbook: Workbook) -> RangeRef:
    """A whole-column (or whole-row, or too large) range cut to the sheet's data block, plus
    the few filled cells far beyond it (`SheetExtent.block`): never 50,000 empty cells for a
    value typed in J50000 under a 7-row table, never a million for one in XFD1048576. The far
    cells are kept, after the block: Excel's `SUM(J:J)` counts J50000, so does the engine."""
    extent = workbook.extents.get(area.sheet)
    if extent is None:
        return area.clipped(area.min_row, area.min_col)
    last_row, far_rows = extent.block(area.min_row, area.max_row, along_rows=True)
    last_col, far_cols = extent.block(area.min_col, area.max_col, along_rows=False)
    block = area.clipped(last_row, last_col)
    if not far_rows and not far_cols:
        return block
    return FarCellsRange(
        block.sheet, block.min_row, block.min_col, block.max_row, block.max_col,
        far_rows, far_cols, _written(area),
    )  # fmt: skip


def _written(area: RangeRef) -> str:
    """The reference as the candidate wrote it, in words: « la colonne entière J:J »,
    « les colonnes entières A:C », « la ligne entière 3:3 », « la plage A1:Z100000 »."""
    first, last = column_letters(area.min_col), column_letters(area.max_col)
    if area.max_row >= MAX_ROW and area.min_row == 1 and area.max_col < MAX_COL:
        whole = "la colonne entière" if first == last else "les colonnes entières"
        return f"{whole} {first}:{last}"
    if area.max_col >= MAX_COL and area.min_col == 1 and area.max_row < MAX_ROW:
        whole = "la ligne entière" if area.min_row == area.max_row else "les lignes entières"
        return f"{whole} {area.min_row}:{area.max_row}"
    return f"la plage {str(area).split('!', 1)[1]}"


@dataclass(frozen=True, order=True)
class FarCellsRange(RangeRef):
    """A whole-column (or whole-row) reference as the engine reads it: the data block of the
    sheet, then the rows (columns) of the cells typed far beyond it, in sheet order. Sums,
    counts, averages, extremes, conditional sums and lookups of a value give what Excel gives;
    a position past the block (MATCH of a far value) and a count of blank cells do not (the
    empty rows in between are not materialised), hence the `stray-cell` finding."""

    far_rows: tuple[int, ...] = ()
    far_cols: tuple[int, ...] = ()
    written: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = super().shape
        return rows + len(self.far_rows), cols + len(self.far_cols)

    @property
    def is_single_cell(self) -> bool:
        return self.shape == (1, 1)

    def cells(self) -> list[list[CellRef]]:
        rows = [*range(self.min_row, self.max_row + 1), *self.far_rows]
        cols = [*range(self.min_col, self.max_col + 1), *self.far_cols]
        return [[CellRef(self.sheet, row, col) for col in cols] for row in rows]

    def far_cells(self, workbook: Workbook) -> list[CellRef]:
        """The filled cells of the reference beyond its data block, in sheet order."""
        rows = range(self.min_row, self.max_row + 1)
        cols = [*range(self.min_col, self.max_col + 1), *self.far_cols]
        beside = [CellRef(self.sheet, r, c) for r in rows for c in self.far_cols]
        below = [CellRef(self.sheet, r, c) for r in self.far_rows for c in cols]
        return [cell for cell in (*beside, *below) if workbook.get(cell) is not None]


_FAR_CELLS_SHOWN = 3


def _far_cells_finding(area: FarCellsRange, workbook: Workbook) -> Finding | None:
    """« Valeur isolée en J50000, loin des données… » for the cells a whole-column reference
    reads far below its data block (one finding per first far cell, whichever formula reads it)."""
    far = area.far_cells(workbook)
    if not far:
        return None
    block = str(RangeRef(area.sheet, area.min_row, area.min_col, area.max_row, area.max_col))
    shown = ", ".join(c.coord for c in far[:_FAR_CELLS_SHOWN])
    more = (
        f" et {french.integer(len(far) - _FAR_CELLS_SHOWN)} autres"
        if len(far) > _FAR_CELLS_SHOWN
        else ""
    )
    what = f"Valeur isolée en {shown}" if len(far) == 1 else f"Valeurs isolées en {shown}{more}"
    counted = "comptée" if len(far) == 1 else "comptées"
    return Finding(
        Code.STRAY_CELL,
        f"{what} (feuille « {area.sheet} »), loin des données ({block.split('!', 1)[1]}) : "
        f"{counted} dans la référence à {area.written}, comme le fait Excel ; à vérifier "
        "(saisie égarée ?).",
        str(far[0]),
    )


# --- evaluation -----------------------------------------------------------------------------


class Evaluator:
    """Recomputes formula cells of one workbook on demand, memoised, with findings."""

    def __init__(self, workbook: Workbook, overrides: Mapping[CellRef, object] | None = None):
        self.workbook = workbook
        self._overrides = overrides or {}  # constants replaced (perturbed data sets)
        self._values: dict[CellRef, object] = {}
        self._parsed: dict[CellRef, ParsedFormula] = {}
        self._precedents: dict[CellRef, tuple[CellRef, ...]] = {}  # shared like `_parsed`
        self._ranges: dict[RangeRef, tuple[np.ndarray, object]] = {}  # range arguments
        self._range_cells: dict[RangeRef, tuple[CellRef, ...]] = {}  # shared like `_parsed`
        self._complete: set[RangeRef] = set()  # ranges whose every cell holds its value
        self._findings: dict[tuple[Code, str], Finding] = {}
        self._arrays: dict[RangeRef, object] = {}  # array range -> the anchor's raw result
        self._parsing: set[CellRef] = set()  # cells whose OFFSET/INDIRECT are being resolved
        self._data_dependent: dict[CellRef, ParsedFormula] = {}  # parsed with OFFSET/INDIRECT
        self._read_data = False  # the formula being parsed reads values to find its ranges
        self._unverified: set[CellRef] = set()  # saved value used, here or in a precedent

    def with_data(self, overrides: Mapping[CellRef, object]) -> Evaluator:
        """Another evaluator of the same workbook where these constant cells hold other
        values: the formulas' parsed forms are shared, their values computed anew."""
        other = Evaluator(self.workbook, overrides)
        other._parsed = self._parsed
        other._precedents = self._precedents
        other._range_cells = self._range_cells
        return other

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(self._findings[k] for k in sorted(self._findings))

    def add_finding(self, finding: Finding) -> None:
        """A finding about a cell raised by a grading policy, reported with the others."""
        self._findings.setdefault((finding.code, finding.cell or ""), finding)

    def is_unverified(self, ref: CellRef) -> bool:
        """Whether the cell's value rests on a saved value the engine could not recompute
        (an unknown function here or in one of its precedents)."""
        self.value(ref)
        return ref in self._unverified

    def parsed(self, ref: CellRef) -> ParsedFormula | None:
        """The formula split into its references; a formula over the length limit is not
        tokenised (it reads no cell and calls no function, as far as the engine knows)."""
        cell = self.workbook.get(ref)
        if cell is None or cell.formula is None:
            return None
        if ref in self._data_dependent:
            return self._data_dependent[ref]
        if ref not in self._parsed:
            if self._too_long(ref, cell.formula):
                self._parsed[ref] = ParsedFormula(cell.formula, "", {}, ())
            elif ref in self._parsing:  # OFFSET/INDIRECT whose arguments need this very cell
                raise _Circular(ref)
            else:
                return self._parse(ref, cell)
        return self._parsed[ref]

    def _parse(self, ref: CellRef, cell: CellData) -> ParsedFormula:
        self._parsing.add(ref)
        before = self._read_data
        self._read_data = False
        try:
            parsed = parse_formula(cell, self.workbook, functools.partial(self._expand, ref))
        except _Circular:
            raise
        except Exception:  # boundary: a formula the tokenizer cannot read (`=#NAME!(C47)`)
            self._note(Code.FORMULA_ERROR, ref, "Formule illisible : elle vaut #NAME?.")
            parsed = ParsedFormula(cell.formula or "", "", {}, ())
        finally:
            self._parsing.discard(ref)
            data_dependent, self._read_data = self._read_data, before
        # The ranges OFFSET/INDIRECT designate depend on this evaluator's data: such a parse
        # is never shared with an evaluator of other data (`with_data`).
        (self._data_dependent if data_dependent else self._parsed)[ref] = parsed
        return parsed

    # -- reference functions: OFFSET, INDIRECT, ROW, COLUMN --------------------------------

    def _expand(self, here: CellRef, tokens: list[FormulaToken]) -> list[FormulaToken]:
        return expand_reference_functions(
            tokens, _REFERENCE_FUNCTIONS, functools.partial(self._reference_function, here)
        )

    def _reference_function(
        self, here: CellRef, name: str, args: list[list[FormulaToken]]
    ) -> list[FormulaToken] | None:
        """The call replaced by the reference (or the number) it gives in this cell: these
        functions compute *where* to read, which a compiled shape cannot do."""
        try:
            if name in ("ROW", "COLUMN"):
                return self._row_or_column(here, name, args)
            self._read_data = True
            area = self._offset(here, args) if name == "OFFSET" else self._indirect(here, args)
        except _Circular:
            self._note(Code.CIRCULAR_REFERENCE, here, "Référence circulaire : valeur #REF!.")
            return [literal("#REF!")]
        if area is None:
            return None
        return [ref_token(area)] if isinstance(area, RangeRef) else [literal(area)]

    def _row_or_column(
        self, here: CellRef, name: str, args: list[list[FormulaToken]]
    ) -> list[FormulaToken] | None:
        if not args:
            return [literal(str(here.row if name == "ROW" else here.col))]
        area = self._reference_argument(here, args[0])
        if not isinstance(area, RangeRef) or not area.is_single_cell:
            return None  # a range gives an array: left to `formulas`
        return [literal(str(area.min_row if name == "ROW" else area.min_col))]

    def _offset(self, here: CellRef, args: list[list[FormulaToken]]) -> RangeRef | str | None:
        if not 3 <= len(args) <= 5:
            return None
        base = self._reference_argument(here, args[0])
        if not isinstance(base, RangeRef):
            return base if isinstance(base, str) else None
        numbers = [self._number_argument(here, a) for a in args[1:]]
        if any(isinstance(n, str) for n in numbers):
            return next(n for n in numbers if isinstance(n, str))
        rows, cols, *size = (int(n) if n is not None else None for n in numbers)
        height = size[0] if size and size[0] is not None else base.shape[0]
        width = size[1] if len(size) > 1 and size[1] is not None else base.shape[1]
        top, left = base.min_row + (rows or 0), base.min_col + (cols or 0)
        if height < 1 or width < 1 or top < 1 or left < 1:
            return "#REF!"
        if top + height - 1 > MAX_ROW or left + width - 1 > MAX_COL:
            return "#REF!"
        return RangeRef(base.sheet, top, left, top + height - 1, left + width - 1)

    def _indirect(self, here: CellRef, args: list[list[FormulaToken]]) -> RangeRef | str | None:
        if not 1 <= len(args) <= 2:
            return None
        if len(args) == 2 and self._evaluate_tokens(here, args[1]) in (False, 0.0):
            return None  # R1C1 style: not supported, the call stays (and is reported)
        text = self._evaluate_tokens(here, args[0])
        if isinstance(text, ExcelError):
            return text.code
        if not isinstance(text, str) or not text.strip():
            return "#REF!"
        try:
            target = _resolve(text.strip(), here, self.workbook)
        except StructuredRefError:
            return "#REF!"
        return target if isinstance(target, RangeRef) else "#REF!"

    def _reference_argument(
        self, here: CellRef, tokens: list[FormulaToken]
    ) -> RangeRef | str | None:
        if len(tokens) == 1 and tokens[0].kind == "ref":
            try:
                target = _resolve(tokens[0].text, here, self.workbook)
            except StructuredRefError:
                return "#REF!"
            return target if isinstance(target, RangeRef) else "#REF!"
        if len(tokens) == 1 and tokens[0].raw.startswith("#"):
            return tokens[0].raw  # an error already
        return None

    def _number_argument(self, here: CellRef, tokens: list[FormulaToken]) -> float | str | None:
        if not tokens:
            return None  # an omitted argument
        value = self._evaluate_tokens(here, tokens)
        if isinstance(value, ExcelError):
            return value.code
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return float(math.trunc(value))
        if value is None:
            return 0.0
        return "#VALUE!"

    def _evaluate_tokens(self, here: CellRef, tokens: list[FormulaToken]) -> object:
        """The value of an argument, computed in the context of the cell `here`."""
        text = "=" + "".join(t.raw for t in tokens)
        cell = CellData(here, None, text, None, "General")
        parsed = parse_formula(cell, self.workbook, functools.partial(self._expand, here))
        for target in parsed.targets.values():
            if isinstance(target, RangeRef) and _size(target) <= _range_limit(self.workbook):
                for row in target.cells():
                    for precedent in row:
                        if precedent in self._parsing:
                            raise _Circular(precedent)
                        self.value(precedent)
        return _to_python(self._run(here, parsed))

    def value(self, ref: CellRef) -> object:
        """The cell's value: the constant, or the recomputed result of its formula."""
        if ref not in self._values:
            self._evaluate_in_order(ref)
        return self._values.get(ref)

    def _engine_grid(self, area: RangeRef) -> list[list[object]]:
        """A range as the compiled formula takes it, row by row. A full range (every position
        stored, the usual table of answers) reuses the references found once per workbook
        instead of building them again for each data set."""
        rows, cols = area.shape
        stored = self._stored_cells(area) if type(area) is RangeRef else ()
        if len(stored) != rows * cols:
            return [self._engine_row(row) for row in area.cells()]
        flat = self._engine_row(stored)
        return [flat[index * cols : (index + 1) * cols] for index in range(rows)]

    def _engine_row(self, row: Sequence[CellRef]) -> list[object]:
        """One row of a range as the compiled formula takes it; the common cases (a value
        already computed, a number) first: a range of 2,000 answers is read cell by cell."""
        values = self._values
        line: list[object] = []
        for ref in row:
            found = values.get(ref, _UNKNOWN)
            if found is _UNKNOWN:
                found = self.value(ref)
            line.append(found if type(found) is float else _to_engine(found))
        return line

    def precedent_cells(self, ref: CellRef) -> tuple[CellRef, ...]:
        """The stored cells the formula reads (each range expanded once per workbook)."""
        known = self._precedents.get(ref)
        if known is not None:
            return known
        parsed = self.parsed(ref)
        if parsed is None:
            return ()
        cells: list[CellRef] = []
        for target in parsed.targets.values():
            if isinstance(target, RangeRef) and _size(target) <= _range_limit(self.workbook):
                cells.extend(self._stored_cells(target))
        found = tuple(cells)
        if ref not in self._data_dependent:  # OFFSET/INDIRECT: ranges of this data only
            self._precedents[ref] = found
        return found

    def _evaluate_in_order(self, start: CellRef) -> None:
        # Iterative depth-first walk: a 1,000-row running total must not hit Python's
        # recursion limit.
        stack: list[tuple[CellRef, bool]] = [(start, False)]
        visiting: set[CellRef] = set()
        while stack:
            ref, expanded = stack.pop()
            if ref in self._values:
                continue
            cell = self.workbook.get(ref)
            if cell is None or cell.formula is None:
                constant = cell.value if cell else None
                self._values[ref] = self._overrides.get(ref, constant)
                continue
            if expanded:
                visiting.discard(ref)
                self._values[ref] = self._compute(ref)
                self._complete.update(self._ranges_read(ref))
                if self._unverified and not self._unverified.isdisjoint(self._safe_precedents(ref)):
                    self._unverified.add(ref)
                continue
            if ref in visiting:
                self._note(Code.CIRCULAR_REFERENCE, ref, "Référence circulaire : valeur #REF!.")
                self._values[ref] = ExcelError("#REF!")
                continue
            visiting.add(ref)
            stack.append((ref, True))
            stack.extend((p, False) for p in self._pending_precedents(ref))

    def _ranges_read(self, ref: CellRef) -> list[RangeRef]:
        try:
            parsed = self.parsed(ref)
        except _Circular:
            return []
        if parsed is None:
            return []
        limit = _range_limit(self.workbook)
        return [t for t in parsed.targets.values() if isinstance(t, RangeRef) and _size(t) <= limit]

    def _pending_precedents(self, ref: CellRef) -> list[CellRef]:
        """The precedents not valued yet, in order; a range whose every cell a formula
        already read is skipped whole (a lookup table read by a thousand formulas)."""
        pending: list[CellRef] = []
        values, stored, overrides = self._values, self.workbook.cells, self._overrides
        for area in self._ranges_read(ref):
            if area in self._complete:
                continue
            for cell_ref in self._stored_cells(area):
                if cell_ref in values:
                    continue
                cell = stored[cell_ref]
                if cell.formula is None:  # a constant is valued at once, never walked
                    values[cell_ref] = overrides.get(cell_ref, cell.value)
                else:
                    pending.append(cell_ref)
        return pending

    def _stored_cells(self, area: RangeRef) -> tuple[CellRef, ...]:
        """The stored cells of a range, found once per workbook (a lookup table is read by
        every formula that looks up in it)."""
        known = self._range_cells.get(area)
        if known is None:
            known = self._range_cells[area] = tuple(_stored_cells(area, self.workbook))
        return known

    def _safe_precedents(self, ref: CellRef) -> tuple[CellRef, ...]:
        try:
            return self.precedent_cells(ref)
        except _Circular:
            return ()

    def _compute(self, ref: CellRef) -> object:
        cell = self.workbook.get(ref)
        assert cell is not None
        if cell.array is not None:
            return self._array_element(ref, cell.array)
        try:
            parsed = self.parsed(ref)
        except _Circular:
            self._note(Code.CIRCULAR_REFERENCE, ref, "Référence circulaire : valeur #REF!.")
            return ExcelError("#REF!")
        assert parsed is not None
        result = self._run(ref, parsed)
        if isinstance(result, _Saved):
            self._unverified.add(ref)
            return _to_python(result)
        return self._capped(ref, _to_python(result))

    def _capped(self, ref: CellRef, value: object) -> object:
        """A text longer than Excel's cell limit is #VALUE!, as in Excel (a formula that doubles
        a text thirty times would otherwise ask for gigabytes)."""
        limit = self.workbook.limits.max_text_length
        if not isinstance(value, str) or len(value) <= limit:
            return value
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"Le texte calculé dépasse {french.integer(limit)} caractères (limite d'une cellule "
            "Excel) : il vaut #VALUE!, comme dans Excel.",
        )
        return ExcelError("#VALUE!")

    def _array_element(self, ref: CellRef, array: RangeRef) -> object:
        """A cell of an array formula: its element of the array the anchor computes (a
        single value fills the range; a row or a column is repeated, as Excel does)."""
        anchor = CellRef(array.sheet, array.min_row, array.min_col)
        if array not in self._arrays:
            try:
                parsed = self.parsed(anchor)
            except _Circular:
                parsed = None
            self._arrays[array] = (
                self._run(anchor, parsed) if parsed is not None else ExcelError("#REF!")
            )
        result = self._arrays[array]
        if isinstance(result, _Saved):  # the engine could not compute it
            self._unverified.add(ref)
            return result.value if ref == anchor else _from_cache(self.workbook.get(ref))
        if not isinstance(result, np.ndarray) or result.ndim == 0:
            return _to_python(result)
        grid = result if result.ndim == 2 else result.reshape(1, -1)
        row, col = ref.row - array.min_row, ref.col - array.min_col
        if grid.shape[0] == 1:
            row = 0
        if grid.shape[1] == 1:
            col = 0
        if row >= grid.shape[0] or col >= grid.shape[1]:
            return ExcelError("#N/A")
        return _to_python(grid[row, col])

    def _run(self, ref: CellRef, parsed: ParsedFormula) -> object:
        """The raw result of a parsed formula (an array for an array formula), or the saved
        value wrapped in `_Saved` when the engine cannot compute it."""
        for loop in parsed.looping_names:
            self._note(
                Code.LOOPING_NAME,
                ref,
                f"Le nom défini boucle sur lui-même ({loop}) : il ne désigne aucune valeur, "
                "la formule vaut #REF!.",
            )
        for problem in parsed.problems:
            self._note(Code.FORMULA_ERROR, ref, f"{problem[0].upper()}{problem[1:]} : #REF!.")
        if self._too_long(ref, parsed.text) or self._too_deep(ref, parsed):
            return ExcelError("#VALUE!")
        if self._too_wide(ref, parsed):
            return ExcelError("#VALUE!")
        shape = _compile(parsed.shape_key)
        if shape.func is None:
            self._note(Code.FORMULA_ERROR, ref, f"Formule illisible ({shape.error}).")
            return ExcelError("#NAME?")
        unknown = sorted(name for name in shape.inputs if name not in parsed.targets)
        if unknown:  # e.g. INDIRECT("B9"), A2:CHOOSE(…), a user-defined function
            self._note(
                Code.UNSUPPORTED_FUNCTION,
                ref,
                f"Formule non recalculable par le moteur (référence « {unknown[0]} » non "
                "reconnue) : la valeur enregistrée par le tableur est utilisée.",
            )
            return _Saved(_from_cache(self.workbook.get(ref)))
        args = [self._argument(ref, parsed.targets[name]) for name in shape.inputs]
        try:
            return _call(shape, parsed, [a for a, _ in args], [k for _, k in args])
        except Exception as exc:
            log.debug("evaluating %s: %s", ref, type(exc).__name__)
            names = ", ".join(sorted(set(parsed.functions))) or "?"
            self._note(
                Code.UNSUPPORTED_FUNCTION,
                ref,
                f"Formule non recalculable par le moteur (fonctions : {names}) : la valeur "
                "enregistrée par le tableur est utilisée.",
            )
            return _Saved(_from_cache(self.workbook.get(ref)))

    def _argument(self, ref: CellRef, target: RangeRef | str) -> tuple[object, object]:
        """The argument as the compiled formula takes it, and its stand-in in the memo key."""
        if isinstance(target, FarCellsRange) and (far := _far_cells_finding(target, self.workbook)):
            self.add_finding(far)
        if isinstance(target, str):
            self._note(
                Code.EXTERNAL_REFERENCE,
                ref,
                f"Référence « {target} » vers un autre classeur ou une feuille absente : "
                "elle n'est jamais ouverte, la valeur vaut #REF!.",
            )
            error = _XlErrors.errors["#REF!"]
            return error, _memo_part(error)
        if target.is_single_cell:
            value = _to_engine(self.value(CellRef(target.sheet, target.min_row, target.min_col)))
            return value, _memo_part(value)
        known = self._ranges.get(target)
        if known is None:  # each range built once per evaluator: many formulas read it
            grid = self._engine_grid(target)
            array = np.array(grid, dtype=object)
            known = self._ranges[target] = (array, _memo_part(array))
        return known[0].copy(), known[1]  # a function may write into its argument

    def _too_long(self, ref: CellRef, formula: str) -> bool:
        limit = self.workbook.limits.max_formula_length
        if len(formula) <= limit:
            return False
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"Formule de {french.integer(len(formula))} caractères, au-delà de la limite de "
            f"{french.integer(limit)} (celle d'Excel) : elle n'a pas été recalculée et vaut "
            "#VALUE! pour le moteur ; à vérifier à la main.",
        )
        return True

    def _too_deep(self, ref: CellRef, parsed: ParsedFormula) -> bool:
        limit = self.workbook.limits.max_formula_depth
        if parsed.depth <= limit:
            return False
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"Formule imbriquée sur {parsed.depth} niveaux (fonctions et parenthèses), "
            f"au-delà de la limite de {limit} : elle n'a pas été recalculée et vaut #VALUE! "
            "pour le moteur ; à vérifier à la main.",
        )
        return True

    def _too_wide(self, ref: CellRef, parsed: ParsedFormula) -> bool:
        limit = _range_limit(self.workbook)
        wide = [t for t in parsed.targets.values() if isinstance(t, RangeRef) and _size(t) > limit]
        if not wide:
            return False
        self._note(
            Code.FORMULA_ERROR,
            ref,
            f"La plage {wide[0]} couvre {french.integer(_size(wide[0]))} cellules, au-delà de "
            f"la limite de {french.integer(limit)} : la formule n'a pas été recalculée et vaut "
            "#VALUE! pour le moteur ; à vérifier à la main.",
        )
        return True

    def _note(self, code: Code, ref: CellRef, message: str) -> None:
        self._findings.setdefault((code, str(ref)), Finding(code, message, str(ref)))


def _stored_cells(area: RangeRef, workbook: Workbook) -> list[CellRef]:
    """The stored cells of a range, row by row: from the range's positions when it is small,
    from the sheet's stored cells when the range is larger than the sheet's content (a formula
    reading B1:B50000 must not build 50,000 references to find 40 cells)."""
    sheet_cells = workbook.by_sheet.get(area.sheet, ())
    if _size(area) <= len(sheet_cells):
        stored = workbook.cells
        return [c for row in area.cells() for c in row if c in stored]
    return [
        c.ref
        for c in sheet_cells
        if area.min_row <= c.ref.row <= area.max_row and area.min_col <= c.ref.col <= area.max_col
    ]


_UNKNOWN = object()


class _Circular(Exception):
    """A formula whose OFFSET/INDIRECT arguments depend on the formula itself."""


@dataclass(frozen=True)
class _Saved:
    """The value the application saved, used because the engine could not compute it."""

    value: object


_REFERENCE_FUNCTIONS = frozenset({"OFFSET", "INDIRECT", "ROW", "COLUMN"})


# --- results memoised across cells and copies ------------------------------------------------

# The same formula shape on the same values gives the same result: the copied-down formulas of
# one copy, the same formulas in every copy of a session, and the redrawn data sets of the
# fingerprints (identical for every copy) are computed once per process.
_MEMO: dict[tuple[object, ...], object] = {}
_MEMO_MAX = 200_000
# Results that depend on the clock, on chance, or on where the formula sits (not only on the
# values it reads) are never memoised.
_VOLATILE = frozenset(
    {"NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "OFFSET", "INDIRECT"}
    | {"ROW", "COLUMN", "CELL", "INFO", "SHEET", "SHEETS", "FORMULATEXT", "ISFORMULA"}
)
_UNHASHABLE = object()


def _call(shape: _Shape, parsed: ParsedFormula, args: list[object], parts: list[object]) -> object:
    """The compiled shape called on `args` (`parts`: their memo stand-ins), memoised."""
    assert shape.func is not None
    if _VOLATILE.intersection(parsed.functions):
        return shape.func(*args)
    key = (parsed.shape_key, *parts)
    if _UNHASHABLE in key:
        return shape.func(*args)
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = shape.func(*args)
    return _MEMO[key]


def _memo_part(value: object) -> object:
    """A hashable, type-exact stand-in for one argument (`#REF!` the error is not the text:
    errors and the empty cell are `str` subclasses of their own type), or `_UNHASHABLE` for a
    value that cannot stand in a key (an array holding one included)."""
    if isinstance(value, np.ndarray):
        items = list(value.flat)
        types = list(map(type, items))
        if _KEYABLE.issuperset(types):  # the common case, without a call per element
            return _ArrayKey(value.shape, tuple(zip(types, items, strict=True)))
        parts = tuple(_memo_part(v) for v in items)
        return _UNHASHABLE if _UNHASHABLE in parts else _ArrayKey(value.shape, parts)
    if isinstance(value, str | float | int | bool) or value is None:
        return (type(value).__name__, value)
    return _UNHASHABLE


# Element types a range argument's key holds as they are, paired with their exact type (the
# empty cell and the errors are `str` subclasses of their own type).
_KEYABLE = frozenset({str, float, int, bool, type(None), type(sh.EMPTY), XlError})


class _ArrayKey:
    """A range argument's stand-in in the memo key, hashed once: a lookup table of a thousand
    cells is read by every formula that looks up in it."""

    __slots__ = ("_hash", "parts", "shape")

    def __init__(self, shape: tuple[int, ...], parts: tuple[object, ...]) -> None:
        self.shape, self.parts = shape, parts
        self._hash = hash((shape, parts))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, _ArrayKey) or self._hash != other._hash:
            return False
        return self.shape == other.shape and self.parts == other.parts


def _from_cache(cell: CellData | None) -> object:
    if cell is None or cell.cached is None:
        return ExcelError("#NAME?")
    return cell.cached


def _to_engine(value: object) -> object:
    if value is None:
        return sh.EMPTY
    if isinstance(value, ExcelError):
        return _XlErrors.errors.get(value.code, _XlErrors.errors["#VALUE!"])
    return excel_serial(value)


def _to_python(result: object) -> object:
    if isinstance(result, _Saved):
        return result.value
    if isinstance(result, ExcelError):
        return result
    while isinstance(result, np.ndarray):
        if result.size == 0:
            return None
        result = result.reshape(-1)[0] if result.ndim else result.item()
    if result is sh.EMPTY:
        return 0.0
    if isinstance(result, XlError):
        return ExcelError(str(result))
    if isinstance(result, np.bool_ | bool):
        return bool(result)
    if isinstance(result, np.integer | np.floating | int | float):
        number = float(result)
        return number if math.isfinite(number) else ExcelError("#NUM!")
    if isinstance(result, np.str_ | str):
        return str(result)
    return result
