"""Registry of the KPI functions a rubric may name.

`@kpi` registers a function in `KPIS` under its own `__name__`. Rubrics call registered
functions with keyword arguments only, so a registered function may not declare
positional-only or `*args` parameters. Registering two functions under one name is an error.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

KPIS: dict[str, Callable[..., object]] = {}

F = TypeVar("F", bound=Callable[..., object])

_FORBIDDEN_KINDS = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.VAR_POSITIONAL)


def kpi(func: F) -> F:
    """Register `func` in `KPIS` under `func.__name__` and return it unchanged."""
    name = func.__name__
    if name in KPIS:
        msg = f"KPI {name!r} is already registered"
        raise ValueError(msg)
    for param in inspect.signature(func).parameters.values():
        if param.kind in _FORBIDDEN_KINDS:
            msg = f"KPI {name!r}: parameter {param.name!r} cannot be passed by keyword"
            raise TypeError(msg)
    KPIS[name] = func
    return func
