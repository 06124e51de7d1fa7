"""Rasa 3.6's graph runs without dask's scheduler; installed by ``banshi.rasa_speedups``.

Every message Rasa parses and every next action it predicts is a run of the model's graph
(``DaskGraphRunner.run``): Rasa cuts the graph down to what the targets need, builds a dask
graph from it and hands it to ``dask.get``, whose synchronous scheduler orders the tasks and
keeps its own bookkeeping, again on every run. With py-spy on the Rasa process under
``bench.turn_latency`` (docs/turn-cost.md), that scheduling took about a tenth of Rasa's time
on top of the components themselves.

Here the cut-down graph is built once per set of targets, and a run evaluates the targets depth
first, each node once, with dask's rules for a task (a tuple whose first item is callable, with
its arguments looked up as keys of the graph, lists and nested tasks evaluated in turn). The
nodes, their inputs and Rasa's error for a failed run are unchanged; only the order in which
independent nodes run can differ from dask's (they do not change each other's inputs).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def _rasas_run() -> Any:
    from rasa.engine.runner.dask import DaskGraphRunner

    run = DaskGraphRunner.run
    return getattr(run, "__wrapped__", run)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def get(graph: dict[Any, Any], targets: list[Any]) -> tuple[Any, ...]:
    """``dask.get(graph, targets)`` for a list of targets, evaluated depth first."""
    results: dict[Any, Any] = {}

    def value_of(key: Any) -> Any:
        if key not in results:
            results[key] = evaluate(graph[key])
        return results[key]

    def evaluate(item: Any) -> Any:
        if isinstance(item, list):
            return [evaluate(element) for element in item]
        if type(item) is tuple and item and callable(item[0]):
            return item[0](*(evaluate(argument) for argument in item[1:]))
        if _hashable(item) and item in graph:
            return value_of(item)
        return item

    return tuple(value_of(target) for target in targets)


def run(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> Any:
    """``DaskGraphRunner.run``: the same graph and results, without dask's scheduler."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    built: dict[tuple[str, ...], dict[str, Any]] = self.__dict__.setdefault("_banshi_graphs", {})
    key = tuple(run_targets)
    graph = built.get(key)
    if graph is None:
        graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
        built[key] = graph
    graph = dict(graph)
    if inputs:
        self._add_inputs_to_graph(inputs, graph)
    logger.debug(
        "Running graph with inputs: %s, targets: %s and %s.",
        inputs,
        targets,
        self._execution_context,
    )
    try:
        return dict(get(graph, list(run_targets)))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


RASA_RUN = _rasas_run()
run.__wrapped__ = RASA_RUN  # type: ignore[attr-defined]


def install() -> None:
    """Install the runner into Rasa."""
    from rasa.engine.runner.dask import DaskGraphRunner

    DaskGraphRunner.run = run
