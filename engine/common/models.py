"""The base of every model read from a data file, the one model of what an item cites, and of a
recommendation as outputs show it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A model of a data file: unknown fields refused, read-only once read.

    Built when first used (``defer_build``), so that a command pays only for the models it reads.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Citations(BaseModel):
    """What a recommendation (its id) or an observation cites, one list per kind of source.

    The kinds are the rulebook's (``vocabulary.citations`` in rulebook.yaml), so the fields beside
    ``recommendation`` are whatever it declares: report_paras, convention ... for the Lanzarote
    Committee's rounds.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    recommendation: str | None = None

    def of(self, kind: str) -> list:
        return list(getattr(self, kind, None) or [])


class Recommended(BaseModel):
    """A recommendation as an output shows it: where it stands, the Committee's words and citations."""

    id: str
    level: str
    block: str
    chapter: str
    text: str
    citations: Citations


_UNSET: Any = object()


def constructor(cls: type[BaseModel]) -> Callable[..., Any]:
    """A function that builds ``cls`` from trusted, keyword-only values exactly as ``model_construct``
    does (fields in their declared order, defaults filled, the fields given recorded as set), without
    its generic work per call: for the models an assessment builds by the hundred."""
    if cls.__pydantic_post_init__ or cls.__private_attributes__ or cls.model_config.get("extra") == "allow":
        return cls.model_construct  # what the generated function does not do
    namespace: dict[str, Any] = {"UNSET": _UNSET, "new": cls.__new__, "cls": cls, "setattr": object.__setattr__}
    parameters, defaults, required = [], [], []
    for name, info in cls.model_fields.items():
        if info.is_required():
            parameters.append(name)
            required.append(name)
        else:
            parameters.append(f"{name}=UNSET")
            namespace[f"field_{name}"] = info
            defaults += [
                f"    if {name} is UNSET:",
                f"        {name} = field_{name}.get_default(call_default_factory=True)",
                "    else:",
                f"        given.add({name!r})",
            ]
    values = ", ".join(f"{name!r}: {name}" for name in cls.model_fields)
    lines = [
        f"def make(*, {', '.join(parameters)}):",
        f"    given = {set(required)!r}" if required else "    given = set()",
        *defaults,
        "    made = new(cls)",
        f"    setattr(made, '__dict__', {{{values}}})",
        "    setattr(made, '__pydantic_fields_set__', given)",
        "    setattr(made, '__pydantic_extra__', None)",
        "    setattr(made, '__pydantic_private__', None)",
        "    return made",
    ]
    exec("\n".join(lines), namespace)  # built from the model's own field names
    return namespace["make"]


def assembled(cls: type[BaseModel], values: dict[str, Any], _set: Callable[[Any, str, Any], None] = object.__setattr__) -> Any:
    """An instance of ``cls`` holding ``values``: every field, in declared order, trusted; as
    ``model_construct`` given them all builds it."""
    made = cls.__new__(cls)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", set(values))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
