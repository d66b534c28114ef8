"""Plain value classes for the core's models, without dataclasses' start-up cost.

``dataclasses`` generates each class's methods with ``compile`` at import
time (about 1.5 ms a class, plus 7 ms to import it and ``inspect``); the
``bundle`` command runs from Makefiles on every link, so the core's ~20 model
classes use this instead: fields come from the class annotations, in order,
with class-level defaults (``Factory(list)`` for a fresh mutable default).

Type checkers see :class:`Record` as what it is, a dataclass-like base
(``typing.dataclass_transform``, PEP 681): they check the generated
``__init__``. At run time the decorator is a no-op, so ``typing`` (slow to
import) stays off the start-up path.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import dataclass_transform
else:
    def dataclass_transform(**_kwargs):
        return lambda cls: cls


class Factory:
    """A default made fresh for each instance: ``symbols: list = Factory(list)``."""

    __slots__ = ("make",)

    def __init__(self, factory):        # named as PEP 681 field specifiers name it
        self.make = factory


@dataclass_transform(eq_default=True, field_specifiers=(Factory,))
class Record:
    """Fields from annotations; ``__init__``, ``__eq__``, ``__repr__`` by field order."""

    _fields: tuple = ()
    _defaults: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            for name in klass.__dict__.get("__annotations__", {}):
                if not name.startswith("_") and name not in names:
                    names.append(name)
        cls._fields = tuple(names)
        cls._defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
        for klass in cls.__mro__[1:]:
            for n, v in getattr(klass, "_defaults", {}).items():
                cls._defaults.setdefault(n, v)

    def __init__(self, *args, **kwargs):
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, got {len(args)}")
        values = dict(zip(fields, args))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__} got {name!r} twice")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__} is missing {name!r}")
                default = self._defaults[name]
                values[name] = default.make() if isinstance(default, Factory) else default
        self.__dict__.update(values)

    def astuple(self) -> tuple:
        return tuple(self.__dict__[n] for n in self._fields)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.astuple() == other.astuple()

    __hash__ = None

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={self.__dict__[n]!r}" for n in self._fields)
        return f"{type(self).__name__}({inner})"


class FrozenRecord(Record):
    """An immutable, hashable Record."""

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __hash__(self):
        return hash(self.astuple())


def replace(record: Record, **changes) -> Record:
    """A copy of ``record`` with some fields changed (like dataclasses.replace)."""
    values = {n: record.__dict__[n] for n in record._fields}
    values.update(changes)
    return type(record)(**values)
