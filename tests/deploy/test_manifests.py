"""The Kubernetes manifests (``deploy/k8s``): valid against Kubernetes' own schemas, and saying
what the README says: requests, limits and probes on every Deployment, every token from the
Secret, only the gateway facing the network, Rasa and the action server reachable only from
inside.

The schemas are those kubernetes-validate ships (offline), run from ``.venv-tools`` in strict
mode (an unknown field is an error, not ignored).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.config import ActionConfig
from banshi import paths
from banshi.apps import gateway_app
from banshi.settings import Settings, SettingsError, get_settings
from tests.deploy.manifests import (
    K8S_DIR,
    KUSTOMIZATION,
    TOOLS_BIN,
    Manifests,
    component,
    env_of,
    environment,
    manifest_files,
)
from tests.needs import need

VALIDATOR = TOOLS_BIN / "kubernetes-validate"
KUBERNETES_VERSION = "1.31.0"
"""The oldest Kubernetes the manifests are for (NetworkPolicy endPort, autoscaling/v2)."""

SECRET_SUFFIXES = ("token", "key", "secret", "password")
NOT_DEPLOYED_SECRETS = {"demo_password"}
"""Settings that look secret but are never set in a deployment (embedded-profile demo only)."""


@pytest.fixture(scope="module")
def k8s() -> Manifests:
    return Manifests.load()


def validate(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run the schema validator over ``files``."""
    need(VALIDATOR.exists(), str(VALIDATOR.relative_to(paths.ROOT)), "run `make tools-env`")
    return subprocess.run(
        [str(VALIDATOR), "--strict", "-k", KUBERNETES_VERSION, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def is_secret_name(name: str) -> bool:
    return name.lower().endswith(SECRET_SUFFIXES) or "PASSWORD" in name.upper()


# --------------------------------------------------------------------------- the validator
def test_every_manifest_validates_against_the_kubernetes_schemas(k8s: Manifests) -> None:
    result = validate(*manifest_files())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # A kind without a schema only warns: every resource must really have been checked.
    assert output.count("passed for resource") == len(k8s.resources), output
    assert "Couldn't find schema" not in output, output


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        ("containerPort: 8000", "containerPort: eight-thousand"),
        ("readinessProbe:", "readinesProbe:"),
        ("minReplicas: 2", "minReplicas: [2]"),
    ],
)
def test_a_broken_manifest_is_rejected(tmp_path: Path, broken: str, field: str) -> None:
    source = (K8S_DIR / "gateway.yaml").read_text()
    assert broken in source
    copy = tmp_path / "gateway.yaml"
    copy.write_text(source.replace(broken, field, 1))
    result = validate(copy)
    assert result.returncode != 0, result.stdout
    assert "did not validate" in result.stdout + result.stderr


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in manifest_files())
    assert kustomization["resources"][0] == "namespace.yaml"


# --------------------------------------------------------------------------- the workloads
def test_each_process_kind_but_the_sandbox_is_deployed(k8s: Manifests) -> None:
    kinds = {component(d) for d in k8s.of_kind("Deployment")}
    assert kinds == {"gateway", "rasa", "actions"}
    for _, container in k8s.containers():
        assert "sandbox" not in " ".join(container["command"])


def _quantity(value: str | int) -> float:
    """A Kubernetes CPU or memory quantity as a number (cores, bytes)."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def test_every_deployment_has_requests_limits_and_both_probes(k8s: Manifests) -> None:
    for name, container in k8s.containers():
        resources = container["resources"]
        ports = {p["name"] for p in container["ports"]}
        for what in ("cpu", "memory"):
            request, limit = resources["requests"][what], resources["limits"][what]
            assert _quantity(request) <= _quantity(limit), f"{name}: {what} request > limit"
        for probe in ("livenessProbe", "readinessProbe"):
            check = container[probe]["httpGet"]
            assert check["port"] in ports, f"{name}: {probe} on an unknown port"
            assert check["path"].startswith("/"), name


def test_the_probes_ask_each_process_what_it_serves(k8s: Manifests) -> None:
    paths_by_kind = {
        component(d): {
            probe: d["spec"]["template"]["spec"]["containers"][0][probe]["httpGet"]["path"]
            for probe in ("livenessProbe", "readinessProbe")
        }
        for d in k8s.of_kind("Deployment")
    }
    # Ready: /readyz of each process (the process itself: a model loaded, not stopping; what
    # it depends on is only reported); alive when it answers at all.
    assert {kind: paths["readinessProbe"] for kind, paths in paths_by_kind.items()} == {
        "gateway": "/readyz",
        "rasa": "/readyz",
        "actions": "/readyz",
    }
    assert paths_by_kind["gateway"]["livenessProbe"] == "/metrics"
    assert paths_by_kind["rasa"]["livenessProbe"] == "/"
    assert paths_by_kind["actions"]["livenessProbe"] == "/health"


def test_each_pod_waits_for_the_data_services_it_uses(k8s: Manifests) -> None:
    waits = {}
    for deployment in k8s.of_kind("Deployment"):
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        command = init["command"]
        assert command[:4] == ["python", "-m", "banshi", "wait-for"], command
        waits[component(deployment)] = {arg.split("=")[0] for arg in command[4:-2]}
        assert command[-2:] == ["--timeout", "300"]
        assert init["securityContext"]["allowPrivilegeEscalation"] is False
    assert waits == {
        "gateway": {"postgres", "redis"},
        "rasa": {"postgres", "redis", "rabbitmq"},
        "actions": {"postgres"},
    }


def test_pods_run_unprivileged(k8s: Manifests) -> None:
    for deployment in k8s.of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        name = deployment["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["automountServiceAccountToken"] is False, name
        assert not pod.get("hostNetwork"), name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert not any("hostPort" in port for port in container["ports"]), name
            # A read-only root: what the process writes goes to an emptyDir at /tmp.
            assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}, name


# --------------------------------------------------------------------------- settings and secrets
def test_every_token_comes_from_the_secret(k8s: Manifests) -> None:
    secret = k8s.named("Secret", "banshi-secrets")["stringData"]
    config = k8s.named("ConfigMap", "banshi-config")["data"]
    assert not [key for key in config if is_secret_name(key)], "a secret in the ConfigMap"
    assert not [v for v in config.values() if re.search(r"://[^/@\s]+:[^/@\s]*@", str(v))]
    for name, container in k8s.containers():
        for env_name, entry in env_of(container).items():
            if is_secret_name(env_name) or env_name in secret:
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                assert ref, f"{name}: {env_name} is not taken from a Secret"
                assert ref["name"] == "banshi-secrets" and ref["key"] in secret, env_name
        # Each Deployment takes the keys it needs, never the whole Secret.
        assert all("secretRef" not in source for source in container.get("envFrom", [])), name
    settings_secrets = {
        f"BANSHI_{field.upper()}"
        for field in Settings.__fields__
        if field.endswith(SECRET_SUFFIXES) and field not in NOT_DEPLOYED_SECRETS
    }
    assert settings_secrets <= set(secret), settings_secrets - set(secret)


def test_each_process_gets_only_the_secrets_it_uses(k8s: Manifests) -> None:
    def secrets_of(kind: str) -> set[str]:
        (container,) = [
            c
            for d in k8s.of_kind("Deployment")
            if component(d) == kind
            for c in d["spec"]["template"]["spec"]["containers"]
        ]
        return {n for n, e in env_of(container).items() if "valueFrom" in e}

    assert "BANSHI_ACTION_TOKEN" not in secrets_of("gateway")
    assert "BANSHI_PLATFORM_CLIENT_KEY" not in secrets_of("rasa")
    assert "BANSHI_RASA_TOKEN" not in secrets_of("actions")
    assert {"BANSHI_WECHAT_APP_SECRET", "BANSHI_SIP_REGISTER_PASSWORD"} <= secrets_of("gateway")


def test_every_variable_is_one_banshi_reads(k8s: Manifests) -> None:
    known = set(Settings(_env_file=None).child_env())  # type: ignore[call-arg]
    known |= {f"BANSHI_{field.upper()}" for field in Settings.__fields__}
    known |= set(re.findall(r"BANSHI_[A-Z_]+", Path(paths.ROOT / "actions/config.py").read_text()))
    names = set(k8s.named("ConfigMap", "banshi-config")["data"])
    names |= set(k8s.named("Secret", "banshi-secrets")["stringData"])
    for _, container in k8s.containers():
        names |= set(env_of(container))
    unknown = {n for n in names if n.startswith("BANSHI_")} - known
    assert not unknown, f"no part of banshi reads {sorted(unknown)}"


def test_rasa_gets_every_variable_of_its_endpoints_file(k8s: Manifests) -> None:
    (rasa,) = [c for name, c in k8s.containers() if name == "banshi-rasa"]
    command = rasa["command"]
    endpoints = paths.ROOT / command[command.index("--endpoints") + 1]
    assert (paths.ROOT / command[command.index("--credentials") + 1]).is_file()
    wanted = set(re.findall(r"\$\{(BANSHI_[A-Z_]+)\}", endpoints.read_text()))
    given = set(k8s.named("ConfigMap", "banshi-config")["data"]) | set(env_of(rasa))
    assert wanted, endpoints
    assert wanted <= given, f"Rasa would stop on {sorted(wanted - given)}"


def test_the_processes_read_their_settings_from_the_manifests(
    k8s: Manifests, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("BANSHI_")]:
        monkeypatch.delenv(name)
    for name, value in environment(k8s, "banshi-gateway").items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.profile == "scale"
    assert settings.rasa_url == "http://banshi-rasa:5005"
    assert settings.effective_gateway_database_url.startswith("postgresql+asyncpg://")
    assert settings.effective_platform_url.startswith("https://")
    # The Secret's placeholders are refused: they must be filled before anything runs.
    with pytest.raises(SettingsError, match="BANSHI_RASA_TOKEN"):
        settings.with_secrets()

    actions = ActionConfig.from_env(environment(k8s, "banshi-actions"))
    assert actions.host == "0.0.0.0"
    assert actions.gateway_url == "http://banshi-gateway:8000"
    assert actions.database_url.startswith("postgresql+asyncpg://")
    rasa = environment(k8s, "banshi-rasa")
    assert rasa["BANSHI_ACTION_URL"] == "http://banshi-actions:5055/webhook"


@pytest.fixture
def manifest_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, str]], None]]:
    """Set a container's environment for :func:`banshi.settings.get_settings` (read afresh)."""

    def apply(env: dict[str, str]) -> None:
        for name in [n for n in os.environ if n.startswith("BANSHI_")]:
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(paths.ROOT / "deploy")  # no developer's .env
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


def test_a_gateway_pod_refuses_the_secrets_placeholders(
    k8s: Manifests, manifest_env: Callable[[dict[str, str]], None]
) -> None:
    env = environment(k8s, "banshi-gateway")
    manifest_env(env)
    with pytest.raises(SettingsError, match="BANSHI_RASA_TOKEN"):
        gateway_app()
    filled = {"BANSHI_RASA_TOKEN": "r" * 32, "BANSHI_SERVICE_TOKEN": "s" * 32}
    manifest_env({**env, **filled})
    with pytest.raises(SettingsError, match="BANSHI_PLATFORM_CLIENT_KEY"):
        gateway_app()
    manifest_env({**env, **filled, "BANSHI_PLATFORM_CLIENT_KEY": "k" * 32})
    assert gateway_app().title


# --------------------------------------------------------------------------- the network
def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def _pod_labels(k8s: Manifests, kind: str) -> dict[str, str]:
    (deployment,) = [d for d in k8s.of_kind("Deployment") if component(d) == kind]
    return dict(deployment["spec"]["template"]["metadata"]["labels"])


def _ingress_sources(k8s: Manifests, kind: str) -> list[list[dict[str, Any]] | None]:
    """The ``from`` of every ingress rule that admits traffic to ``kind``'s pods (None: any)."""
    labels = _pod_labels(k8s, kind)
    return [
        rule.get("from")
        for policy in k8s.of_kind("NetworkPolicy")
        if _selects(policy["spec"]["podSelector"], labels)
        for rule in policy["spec"].get("ingress", [])
    ]


def test_everything_not_allowed_is_denied(k8s: Manifests) -> None:
    deny = k8s.named("NetworkPolicy", "default-deny")["spec"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny


def test_rasa_and_the_action_server_are_reachable_only_from_inside(k8s: Manifests) -> None:
    for kind, only_from in (("rasa", "gateway"), ("actions", "rasa")):
        sources = _ingress_sources(k8s, kind)
        assert sources, f"{kind}: no ingress rule"
        for peers in sources:
            assert peers, f"{kind} admits traffic from anywhere"
            for peer in peers:
                assert set(peer) == {"podSelector"}, f"{kind} admits {peer}"
                selected = peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                assert selected == only_from, f"{kind} admits {selected}"


def test_only_the_gateway_faces_the_network(k8s: Manifests) -> None:
    assert None in _ingress_sources(k8s, "gateway")
    open_to = {
        kind
        for kind in ("gateway", "rasa", "actions")
        if any(peers is None for peers in _ingress_sources(k8s, kind))
    }
    assert open_to == {"gateway"}
    gateway = _pod_labels(k8s, "gateway")
    for service in k8s.of_kind("Service"):
        spec = service["spec"]
        if spec.get("type") in {"LoadBalancer", "NodePort"}:
            assert _selects({"matchLabels": spec["selector"]}, gateway), service["metadata"]
    public = k8s.named("Service", "banshi-gateway-public")["spec"]
    assert {(p["port"], p["protocol"]) for p in public["ports"]} >= {(5060, "UDP")}
    assert public["externalTrafficPolicy"] == "Local"
    assert not k8s.of_kind("Ingress")


def test_services_reach_the_ports_their_pods_serve(k8s: Manifests) -> None:
    for service in k8s.of_kind("Service"):
        spec = service["spec"]
        if spec.get("type") == "ExternalName":
            continue
        (deployment,) = [
            d
            for d in k8s.of_kind("Deployment")
            if _selects(
                {"matchLabels": spec["selector"]}, d["spec"]["template"]["metadata"]["labels"]
            )
        ]
        ports = {
            p["name"]: p["protocol"]
            for c in deployment["spec"]["template"]["spec"]["containers"]
            for p in c["ports"]
        }
        for port in spec["ports"]:
            assert ports.get(port["targetPort"]) == port["protocol"], service["metadata"]["name"]


def test_the_data_services_are_external_and_named(k8s: Manifests) -> None:
    external = {
        s["metadata"]["name"] for s in k8s.of_kind("Service") if s["spec"]["type"] == "ExternalName"
    }
    assert external == {"postgres", "redis", "rabbitmq"}
    config = k8s.named("ConfigMap", "banshi-config")["data"]
    secret = k8s.named("Secret", "banshi-secrets")["stringData"]
    assert {
        config["BANSHI_PG_HOST"],
        config["BANSHI_REDIS_HOST"],
        config["BANSHI_RABBITMQ_HOST"],
    } == external
    assert "@postgres:" in secret["BANSHI_GATEWAY_DATABASE_URL"]
    assert "//redis:" in secret["BANSHI_REDIS_URL"]


# --------------------------------------------------------------------------- scaling
def test_gateway_and_rasa_scale_out_and_nothing_is_drained_at_once(k8s: Manifests) -> None:
    deployments = {d["metadata"]["name"]: d for d in k8s.of_kind("Deployment")}
    scaled = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]
        for h in k8s.of_kind("HorizontalPodAutoscaler")
    }
    assert set(scaled) == {"banshi-gateway", "banshi-rasa"}
    for name, spec in scaled.items():
        assert name in deployments
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"]
    budgets = k8s.of_kind("PodDisruptionBudget")
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        (budget,) = [b for b in budgets if _selects(b["spec"]["selector"], labels)]
        replicas = scaled[name]["minReplicas"] if name in scaled else deployment["spec"]["replicas"]
        assert 1 <= budget["spec"]["minAvailable"] < replicas, name


def test_the_validator_is_a_kept_tool() -> None:
    lock = (paths.ROOT / "requirements-tools.lock").read_text()
    assert re.search(r"^kubernetes-validate==\S+$", lock, re.M)
