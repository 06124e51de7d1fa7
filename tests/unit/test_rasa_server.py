"""banshi.rasa_server: the token from the environment, never from a command line."""

from __future__ import annotations

import pytest

from banshi import rasa_server


def test_the_token_comes_from_the_environment_not_the_command_line() -> None:
    argv = ["run", "--enable-api", "--port", "5005"]
    assert rasa_server.rasa_arguments(argv, {"BANSHI_RASA_TOKEN": "-tok"}) == [
        "run",
        "--auth-token=-tok",
        "--enable-api",
        "--port",
        "5005",
    ]
    assert rasa_server.rasa_arguments(argv, {}) == argv
    assert rasa_server.rasa_arguments(["train"], {"BANSHI_RASA_TOKEN": "t"}) == ["train"]
    for given in (["run", "--auth-token", "x"], ["run", "--auth-token=x"]):
        with pytest.raises(rasa_server.TokenOnCommandLine, match="BANSHI_RASA_TOKEN"):
            rasa_server.rasa_arguments(given, {})


def test_the_runner_puts_no_secret_on_any_command_line() -> None:
    from pathlib import Path

    from banshi.runner import process_specs
    from banshi.settings import Settings

    settings = Settings(
        profile="scale",
        rasa_token="Zq1-rasa",
        action_token="Zq2-action",
        service_token="Zq3-service",
        platform_client_key="Zq4-client",
        postgres_url="postgresql://banshi:Zq5pg@127.0.0.1:5432/banshi",
        rabbitmq_url="amqp://guest:Zq6mq@127.0.0.1:5672/",
    )
    for spec in process_specs(settings, Path("model.tar.gz")):
        line = " ".join(spec.argv)
        assert "Zq" not in line, spec.name
