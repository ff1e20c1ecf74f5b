"""Calling a strawberry resolver directly, with its arguments converted by code built once.

strawberry converts a field's arguments into its input classes on every call by walking the
argument types afresh (resolving annotations, checking for generics, naming each field); for
`resolve(input:)`, with its 25 clinical facts, that walk cost more than the rest of the request.
Here the walk happens once per field: each argument type becomes a small converter, and the
resolver is called the way strawberry calls it (self, parent or root as the source, `info` as a
strawberry Info). Only plain cases are covered; a field with extensions or permissions, an async
resolver, exception handlers, `Maybe`, `GlobalID`, lazy types or an input with its own
`from_input` is left to strawberry (`direct_resolver` returns None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING
from typing import Any

from graphql import GraphQLField, GraphQLResolveInfo
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

try:  # the test strawberry itself applies to decide that a value needs no converting
    from strawberry.types.arguments import _is_leaf_type
except ImportError:  # pragma: no cover - a strawberry without it: every resolver goes through strawberry
    _is_leaf_type = None

Convert = Callable[[Any], Any]
Direct = Callable[[Any, GraphQLResolveInfo, dict[str, Any]], Any]
_BACKREF = "strawberry-definition"


class _Unsupported(Exception):
    pass


def direct_resolver(field: GraphQLField, strawberry_schema: Any) -> Direct | None:
    """`call(source, info, coerced_args)` doing what strawberry's wrapper does, or None when it cannot."""
    definition = (field.extensions or {}).get(_BACKREF)
    if _is_leaf_type is None or not isinstance(definition, StrawberryField) or strawberry_schema is None:
        return None
    resolver = definition.base_resolver
    converter = strawberry_schema.schema_converter
    if (resolver is None or definition.extensions or definition.is_async
            or getattr(converter, "_exception_handler_specs", True)):
        return None
    config = strawberry_schema.config
    try:
        arguments = [(config.name_converter.from_argument(a), a.python_name,
                      _converter(a.type, config, converter.scalar_registry, {})) for a in definition.arguments]
    except (_Unsupported, RecursionError):
        return None
    func = resolver.wrapped_func
    if not callable(func):
        return None
    takes_self = resolver.self_parameter is not None
    source_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    info_class = config.info_class

    def call(source: Any, info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
        kwargs = {python: convert(args[name]) for name, python, convert in arguments if name in args}
        for name in source_names:
            kwargs[name] = source
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return func(source, **kwargs) if takes_self else func(**kwargs)

    return call


def _same(value: Any) -> Any:
    return value


def _converter(kind: Any, config: Any, registry: Any, building: dict[int, Convert]) -> Convert:
    """What strawberry's convert_argument does for `kind`, decided once."""
    from strawberry.relay.types import GlobalID

    if isinstance(kind, StrawberryMaybe) or isinstance(kind, LazyType) or kind is GlobalID:
        raise _Unsupported(kind)
    if isinstance(kind, StrawberryOptional):
        return _converter(kind.of_type, config, registry, building)
    if isinstance(kind, StrawberryList):
        item_kind = kind.of_type.of_type if isinstance(kind.of_type, StrawberryOptional) else kind.of_type
        if item_kind is not GlobalID and _is_leaf_type(item_kind, registry):
            return _copied_list  # graphql-core shares defaults between requests: never hand them out
        item = _converter(kind.of_type, config, registry, building)
        return lambda value: value if value is None or value is UNSET else [item(v) for v in value]
    if _is_leaf_type(kind, registry) or has_enum_definition(kind):
        return _same  # scalars and enums come from graphql-core as they are
    if has_object_definition(kind):
        return _input_converter(kind, config, registry, building)
    raise _Unsupported(kind)


def _copied_list(value: Any) -> Any:
    return value if value is None or value is UNSET else list(value)


def _input_converter(kind: Any, config: Any, registry: Any, building: dict[int, Convert]) -> Convert:
    if id(kind) in building:
        raise _Unsupported("recursive input")
    definition = kind.__strawberry_definition__
    if definition.from_input is not None:
        raise _Unsupported("from_input")
    building[id(kind)] = _same
    defaults = {f.python_name: None for f in definition.fields
                if f.default_value is MISSING and f.default_factory is MISSING} if definition.is_input else {}
    fields = [(config.name_converter.from_field(f), f.python_name,
               _converter(f.resolve_type(type_definition=definition), config, registry, building))
              for f in definition.fields]
    del building[id(kind)]

    def convert(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        kwargs = dict(defaults)
        for name, python, field_convert in fields:
            if name in value:
                kwargs[python] = field_convert(value[name])
        return kind(**kwargs)

    return convert
