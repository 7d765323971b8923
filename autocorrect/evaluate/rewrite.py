"""Token-level rewrites that make a candidate's formula mean to `formulas` what it means to Excel.

- `--(A5:A54<>A4:A53)`: `formulas` folds a run of signs into one, so an even run became a
  unary plus that leaves booleans as they are (SUMPRODUCT then ignores them); written
  `-(-(…))` it converts them to numbers as Excel does.
- `x%%`: `formulas` reads one `%` at a time; `x%*1%` is the same number.
- `_xlfn.ANCHORARRAY(C5)` (Excel's stored form of `C5#`): the spill range of C5.
- A defined name whose definition is a constant or an expression (`TVA = 0,2`) is inlined;
  one that loops back to itself is reported as such.
- The variables of `LET(x, …)` are not references.
- Function names lose Excel's `_xlfn.` / `_xlws.` storage prefixes.

Every rewrite works on the tokens of openpyxl's tokenizer (via `reading.workbook.tokenize`),
never on the text, so quoted strings are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from autocorrect.reading.refs import RangeRef, parse_ref
from autocorrect.reading.workbook import FormulaToken, Workbook, tokenize

_MAX_NAME_DEPTH = 16


@dataclass
class RewriteNotes:
    """What the rewrites found that the grader must be told about."""

    looping_names: list[str] = field(default_factory=list)


def opens(token: FormulaToken) -> bool:
    return token.raw.endswith("(") or token.raw == "{"


def closes(token: FormulaToken) -> bool:
    return token.raw in (")", "}")


def matching_close(tokens: Sequence[FormulaToken], start: int) -> int:
    """Index of the token closing the call or parenthesis opened at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        if opens(tokens[index]):
            depth += 1
        elif closes(tokens[index]):
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def split_arguments(
    tokens: Sequence[FormulaToken], start: int, end: int
) -> list[list[FormulaToken]]:
    """The arguments of the call opened at `start` and closed at `end`."""
    args: list[list[FormulaToken]] = [[]]
    depth = 0
    for token in tokens[start + 1 : end]:
        if opens(token):
            depth += 1
        elif closes(token):
            depth -= 1
        if depth == 0 and token.raw == "," and token.kind == "other" and not token.operator:
            args.append([])
            continue
        args[-1].append(token)
    return [] if args == [[]] else args


def ref_token(area: RangeRef) -> FormulaToken:
    text = str(area)
    return FormulaToken("ref", text, text)


def literal(raw: str) -> FormulaToken:
    return FormulaToken("other", raw, raw)


def rewrite(
    tokens: list[FormulaToken], workbook: Workbook, notes: RewriteNotes
) -> list[FormulaToken]:
    """Every static rewrite, in an order where each sees the previous one's output."""
    tokens = _expand_names(tokens, workbook, notes, ())
    tokens = _anchor_arrays(tokens, workbook)
    tokens = _double_negations(tokens)
    tokens = _repeated_percents(tokens)
    return [_unprefixed(t) for t in tokens]


def let_variables(tokens: Sequence[FormulaToken]) -> set[str]:
    """Names declared by LET (its 1st, 3rd… arguments, the last one being the result)."""
    names: set[str] = set()
    for index, token in enumerate(tokens):
        if token.kind == "func" and token.text == "LET":
            args = split_arguments(tokens, index, matching_close(tokens, index))
            for arg in args[:-1:2]:
                if len(arg) == 1 and arg[0].kind == "ref":
                    names.add(arg[0].text.casefold())
    return names


def _unprefixed(token: FormulaToken) -> FormulaToken:
    if token.kind == "func" and token.raw.upper().startswith(("_XLFN.", "_XLWS.")):
        return FormulaToken("func", token.text, token.text + "(")
    return token


def _expand_names(
    tokens: list[FormulaToken], workbook: Workbook, notes: RewriteNotes, chain: tuple[str, ...]
) -> list[FormulaToken]:
    out: list[FormulaToken] = []
    for token in tokens:
        definition = _name_definition(token, workbook)
        if definition is None:
            out.append(token)
            continue
        key = token.text.upper()
        if key in chain or len(chain) >= _MAX_NAME_DEPTH:
            loop = " → ".join((*chain[chain.index(key) :], key) if key in chain else chain)
            notes.looping_names.append(loop)
            out.append(literal("#REF!"))
            continue
        inner = _tokens_of(definition)
        if inner is None:
            out.append(literal("#NAME?"))
            continue
        expanded = _expand_names(inner, workbook, notes, (*chain, key))
        out.extend([literal("("), *expanded, literal(")")])
    return out


def _name_definition(token: FormulaToken, workbook: Workbook) -> str | None:
    """The definition of a name that is not a plain reference (those are resolved later)."""
    if token.kind != "ref" or "!" in token.text or "[" in token.text:
        return None
    definition = workbook.defined_names.get(token.text.upper())
    if definition is None or workbook.resolve_name(token.text) is not None:
        return None
    if parse_ref(definition.replace("$", ""), "?") is not None and "!" in definition:
        return None  # a reference to a missing sheet: left to the external-reference rule
    return definition.removeprefix("=")


def _tokens_of(definition: str) -> list[FormulaToken] | None:
    try:
        return tokenize("=" + definition)
    except Exception:  # openpyxl's TokenizerError on a malformed definition
        return None


def _anchor_arrays(tokens: list[FormulaToken], workbook: Workbook) -> list[FormulaToken]:
    out: list[FormulaToken] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "func" and token.text == "ANCHORARRAY":
            end = matching_close(tokens, index)
            args = split_arguments(tokens, index, end)
            spill = _spill_range(args, workbook)
            out.append(ref_token(spill) if spill is not None else literal("#REF!"))
            index = end + 1
            continue
        out.append(token)
        index += 1
    return out


def _spill_range(args: list[list[FormulaToken]], workbook: Workbook) -> RangeRef | None:
    if len(args) != 1 or len(args[0]) != 1 or args[0][0].kind != "ref":
        return None
    text = args[0][0].text.replace("$", "")
    sheet_default = workbook.sheets[0] if workbook.sheets else "?"
    anchor = parse_ref(text, sheet_default)
    if anchor is None:
        return None
    sheet = workbook.sheet_named(anchor.sheet)
    if sheet is None:
        return None
    for cell in workbook.by_sheet.get(sheet, ()):
        if (cell.ref.row, cell.ref.col) == (anchor.min_row, anchor.min_col):
            return cell.array or RangeRef(
                sheet, cell.ref.row, cell.ref.col, cell.ref.row, cell.ref.col
            )
    return None


def _double_negations(tokens: list[FormulaToken]) -> list[FormulaToken]:
    out: list[FormulaToken] = []
    index = 0
    while index < len(tokens):
        run_end = index
        while run_end < len(tokens) and tokens[run_end].operator == "prefix":
            run_end += 1
        signs = [t.raw for t in tokens[index:run_end]]
        minus = signs.count("-")
        if minus >= 2 and minus % 2 == 0 and run_end < len(tokens):
            operand_end = _operand_end(tokens, run_end)
            operand = _double_negations(tokens[run_end : operand_end + 1])
            out.extend([literal("-"), literal("("), literal("-"), *operand, literal(")")])
            index = operand_end + 1
            continue
        out.append(tokens[index])
        index += 1
    return out


def _operand_end(tokens: Sequence[FormulaToken], start: int) -> int:
    return matching_close(tokens, start) if opens(tokens[start]) else start


def _repeated_percents(tokens: list[FormulaToken]) -> list[FormulaToken]:
    out: list[FormulaToken] = []
    for token in tokens:
        if token.operator == "postfix" and token.raw == "%" and out and out[-1].raw == "%":
            out.extend([literal("*"), literal("1"), literal("%")])
        else:
            out.append(token)
    return out


ReferenceFunction = Callable[[str, list[list[FormulaToken]]], list[FormulaToken] | None]


def expand_reference_functions(
    tokens: list[FormulaToken], names: frozenset[str], resolve: ReferenceFunction
) -> list[FormulaToken]:
    """Replace each call to a function of `names` (OFFSET, INDIRECT…), innermost first, by
    what `resolve` makes of its (already expanded) arguments; None keeps the call."""
    out: list[FormulaToken] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "func" and token.text in names:
            end = matching_close(tokens, index)
            args = [
                expand_reference_functions(a, names, resolve)
                for a in split_arguments(tokens, index, end)
            ]
            replacement = resolve(token.text, args)
            if replacement is None:
                out.append(token)
                for position, arg in enumerate(args):
                    if position:
                        out.append(literal(","))
                    out.extend(arg)
                out.append(tokens[end])
            else:
                out.extend(replacement)
            index = end + 1
            continue
        out.append(token)
        index += 1
    return out
