"""Pickling a `Policy` (and so a `Verdict`): it holds read-only mappings, which do not pickle.

Policies travel to other processes and machines (Dask workers judge User-Agents under them).
Registered with `copyreg` for the classes whose fields are `MappingProxyType`: each pickles as its
fields with the mappings as dicts, and is rebuilt with them read-only again. A policy compares by
identity, so the one unpickled is a new policy that judges alike.
"""

from __future__ import annotations

import copyreg
import dataclasses
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from ._policy import Policy, Query, Site


def _thawed(value: Any) -> Any:
    if isinstance(value, MappingProxyType):
        return {"__mappingproxy__": {k: _thawed(v) for k, v in value.items()}}
    return value


def _frozen(value: Any) -> Any:
    if isinstance(value, dict) and value.keys() == {"__mappingproxy__"}:
        return MappingProxyType({k: _frozen(v) for k, v in value["__mappingproxy__"].items()})
    return value


def rebuild(cls: type[Any], fields: dict[str, Any]) -> Any:
    """The object of ``cls`` with ``fields``, its mappings read-only again (unpickling calls it)."""
    made = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(made, name, _frozen(value))
    return made


def _reduce(obj: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    fields = {f.name: _thawed(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    return rebuild, (type(obj), fields)


for _cls in (Policy, Site, Query):
    copyreg.pickle(_cls, _reduce)
