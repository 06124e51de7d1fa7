"""banshi.rasa_graph_runner: the results of dask's scheduler, without it."""

from __future__ import annotations

from operator import add, mul
from pathlib import Path
from typing import Any

import dask
import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from banshi import rasa_graph_runner


def _pair(*items: Any) -> tuple[Any, ...]:
    return items


class Unhashable(list):  # type: ignore[type-arg]
    """A value dask can not use as a key."""


GRAPHS: list[tuple[dict[Any, Any], list[Any]]] = [
    ({"a": 1, "b": (add, "a", 2), "c": (mul, "b", "b")}, ["c"]),
    ({"a": 1, "b": (add, "a", 1), "c": (add, "a", 2), "d": (add, "b", "c")}, ["d", "b"]),
    ({"a": 2, "b": "a", "c": (sum, ["a", "b", (add, "a", "b")])}, ["c"]),  # an alias, a list
    ({"x": ("x", {"k": 1}), "y": (_pair, "x", "missing")}, ["y"]),  # a literal tuple, a stray key
    ({"x": Unhashable([1, 2]), "y": (len, "x")}, ["y", "x"]),
    ({"n": (_pair, (add, 1, 2), [3, (mul, 2, 2)])}, ["n"]),  # nested tasks
]


@pytest.mark.parametrize(("graph", "targets"), GRAPHS)
def test_same_results_as_dask(graph: dict[Any, Any], targets: list[Any]) -> None:
    assert rasa_graph_runner.get(graph, targets) == dask.get(graph, targets)


def test_each_node_runs_once_and_errors_pass_through() -> None:
    calls: list[str] = []

    def node(name: str, *_inputs: Any) -> str:
        calls.append(name)
        return name

    graph = {"a": (node, "A"), "b": (node, "B", "a"), "c": (node, "C", "a", "b")}
    assert rasa_graph_runner.get(graph, ["c", "b"]) == ("C", "B")
    assert sorted(calls) == ["A", "B", "C"]

    def fail(*_inputs: Any) -> None:
        raise ValueError("broken node")

    with pytest.raises(ValueError, match="broken node"):
        rasa_graph_runner.get({"a": 1, "b": (fail, "a")}, ["b"])


class AddOne(GraphComponent):
    """A graph component: the number it is given, plus one (and the number of calls)."""

    runs = 0

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AddOne:
        return cls()

    def run(self, number: int) -> int:
        type(self).runs += 1
        if number < 0:
            raise RuntimeError("negative")
        return number + 1


def _runner(tmp_path: Path) -> DaskGraphRunner:
    def node(needs: dict[str, str], is_target: bool = False) -> SchemaNode:
        return SchemaNode(needs, AddOne, "create", "run", {}, is_target=is_target)

    schema = GraphSchema(
        {
            "first": node({"number": "__number__"}),
            "second": node({"number": "first"}, is_target=True),
            "other": node({"number": "first"}),
        }
    )
    storage = LocalModelStorage(tmp_path)
    return DaskGraphRunner.create(schema, storage, ExecutionContext(schema), hooks=[])


def test_rasas_runner_gives_the_same_outputs(tmp_path: Path) -> None:
    runner = _runner(tmp_path)
    for number in (1, 5, 40):
        for targets in (None, ["second"], ["other", "first"]):
            theirs = rasa_graph_runner.RASA_RUN(runner, {"__number__": number}, targets)
            AddOne.runs = 0
            ours = rasa_graph_runner.run(runner, {"__number__": number}, targets)
            assert ours == theirs
            assert AddOne.runs == 2  # each node the targets need, once
    # A failing node raises what it raises with dask (Rasa wraps it in its own error).
    for run in (rasa_graph_runner.RASA_RUN, rasa_graph_runner.run):
        with pytest.raises(GraphComponentException, match="node first") as raised:
            run(runner, {"__number__": -5}, ["second"])
        assert isinstance(raised.value.__cause__, RuntimeError)


def test_a_runtime_error_from_the_graph_is_rasas_graph_run_error(tmp_path: Path) -> None:
    """A RuntimeError that reaches the runner itself (not through a GraphNode, which wraps
    errors in its own) is Rasa's GraphRunError, as with dask."""
    runner = _runner(tmp_path)

    def fails(*_inputs: Any) -> Any:
        raise RuntimeError("scheduler")

    runner._instantiated_nodes["first"] = fails
    for run in (rasa_graph_runner.RASA_RUN, rasa_graph_runner.run):
        runner.__dict__.pop("_banshi_graphs", None)
        with pytest.raises(GraphRunError, match="Error running runner"):
            run(runner, {"__number__": 1}, ["second"])


def test_install_replaces_rasas_run() -> None:
    before = DaskGraphRunner.run
    try:
        rasa_graph_runner.install()
        assert DaskGraphRunner.run is rasa_graph_runner.run
    finally:
        DaskGraphRunner.run = before  # type: ignore[method-assign]
