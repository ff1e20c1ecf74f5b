"""Where a request is executed: a small one on the event loop, any other in a worker thread.

The worker thread keeps the event loop, and with it /healthz, answering while a long request runs.
The hop has a price that a small request pays in full: on a 2-core host it cost about 400 us of CPU
per request, more than the one-service resolve it carried (the thread's wake-up, and every object
the request touches moving between the two cores' caches; bench/README.md, row 3c). So a request
whose cost its size bounds runs on the loop:

- its query text was executed before (parsed and validated once, in a worker thread, which then
  recorded here which of its operations are small);
- the operation's answer holds at most LIGHT_RESULTS objects by the shape estimate (shape.py, which
  also guards max_results), it reads no letter (parseLetter and auditLetter cost grows with the
  letter), and its literals hold at most LIGHT_VALUES values;
- its variables hold at most LIGHT_VALUES values and LIGHT_CHARS characters (a resolve costs about
  one reading per service);
- fewer than SLOW_RUNS of its runs so far took more than LIGHT_SECONDS of CPU. The shape estimate
  guesses LIST_GUESS objects for a list, and some lists are longer: an operation that keeps
  running long goes back to the worker thread for as long as its text is remembered. One slow run
  is not enough: a collector pass or a first use of some code path makes any request slow once.

The time budget holds on the loop too: the executor checks the deadline before each object
(limits.BudgetedExecutionContext). At these bounds one request keeps the loop for a few
milliseconds at worst.
"""

from __future__ import annotations

import threading
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    ValueNode,
    Visitor,
    visit,
)

from graphql_api.shape import Measure

LIGHT_RESULTS = 5_000  # objects in the answer, by the shape estimate (LIST_GUESS per open list)
LIGHT_VALUES = 32  # values in the variables, and literal values in the document
LIGHT_CHARS = 4_096  # characters of the variables' strings
LIGHT_SECONDS = 0.02  # CPU of one run; a one-service resolve takes well under 1 ms (bench row 9b)
SLOW_RUNS = 3
# root fields whose cost grows with an argument's size, not with the shape of the answer
HEAVY_FIELDS = frozenset({"parseLetter", "auditLetter"})
KNOWN_TEXTS = 128  # query texts remembered (the size of the parse cache, extensions.py)

_light: dict[tuple[int, str], frozenset[str | None]] = {}
_slow: dict[tuple[int, str, str | None], int] = {}  # runs over LIGHT_SECONDS, by operation
_lock = threading.Lock()


def record(schema: GraphQLSchema, query: str, document: DocumentNode) -> None:
    """Remember which operations of a query text that validated are small (called once per
    text, where it was validated)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    # one measure for the document (it keeps each fragment's shape) and one count of its literals
    measure, literals = Measure(schema, document), _literals(document)
    small = frozenset(
        name
        for operation in operations
        if literals <= LIGHT_VALUES and _small(measure, operation)
        for name in _names(operation, len(operations))
    )
    with _lock:
        if len(_light) >= KNOWN_TEXTS:
            _light.clear()
            _slow.clear()
        _light[(id(schema), query)] = small


def on_loop(
    schema: GraphQLSchema, query: str | None, operation: str | None, variables: Any
) -> bool:
    """Whether a request may run on the event loop (module docstring)."""
    if query is None:
        return False
    small = _light.get((id(schema), query))
    return small is not None and operation in small and _few(variables)


def observe(
    schema: GraphQLSchema, query: str | None, operation: str | None, seconds: float
) -> None:
    """A run of an operation took `seconds` of CPU: at the SLOW_RUNS-th run over LIGHT_SECONDS, it
    runs in a worker thread from now on."""
    if seconds <= LIGHT_SECONDS or query is None:
        return
    key = (id(schema), query)
    with _lock:
        small = _light.get(key)
        if small is None or operation not in small:
            return
        runs = _slow[(*key, operation)] = _slow.get((*key, operation), 0) + 1
        if runs >= SLOW_RUNS:
            _light[key] = small - {operation}


def _names(operation: OperationDefinitionNode, count: int) -> tuple[str | None, ...]:
    """The names a client may select this operation by: its own, and none when it is alone."""
    name = operation.name.value if operation.name else None
    return (name, None) if count == 1 else (name,)


def _small(measure: Measure, operation: OperationDefinitionNode) -> bool:
    # a root field inside a fragment counts as heavy too: only plain root fields are looked into
    roots = operation.selection_set.selections
    if any(not isinstance(s, FieldNode) or s.name.value in HEAVY_FIELDS for s in roots):
        return False
    return measure.operation(operation).results <= LIGHT_RESULTS


def _literals(document: DocumentNode) -> int:
    counter = _ValueCounter()
    visit(document, counter)
    return counter.count


class _ValueCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter(self, node: Any, *_: Any) -> None:
        if isinstance(node, ValueNode):
            self.count += 1


def _few(variables: Any) -> bool:
    """At most LIGHT_VALUES values and LIGHT_CHARS characters, looking no further than that."""
    values = chars = 0
    stack: list[Any] = [variables]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        else:
            values += 1
            chars += len(value) if isinstance(value, str) else 0
            if values > LIGHT_VALUES or chars > LIGHT_CHARS:
                return False
        if len(stack) > LIGHT_VALUES:  # a wide list or object: more values than allowed
            return False
    return True
