"""The Kubernetes manifests of ``deploy/k8s``, loaded for the deployment tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from banshi import paths

K8S_DIR = paths.ROOT / "deploy" / "k8s"
KUSTOMIZATION = K8S_DIR / "kustomization.yaml"
TOOLS_BIN = paths.ROOT / ".venv-tools" / "bin"


def manifest_files() -> list[Path]:
    """Every manifest file (the kustomization is kustomize's, not a Kubernetes resource)."""
    return sorted(p for p in K8S_DIR.glob("*.yaml") if p != KUSTOMIZATION)


@dataclass(frozen=True)
class Manifests:
    """All resources of ``deploy/k8s``, with look-ups by kind and name."""

    resources: list[dict[str, Any]]

    @classmethod
    def load(cls) -> Manifests:
        """Read every document of every manifest file."""
        docs: list[dict[str, Any]] = []
        for path in manifest_files():
            docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
        return cls(docs)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The resources of one kind."""
        return [r for r in self.resources if r["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        """The one resource of ``kind`` called ``name``."""
        found = [r for r in self.of_kind(kind) if r["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
        return found[0]

    def containers(self) -> list[tuple[str, dict[str, Any]]]:
        """(deployment name, container) for every container of every Deployment."""
        return [
            (d["metadata"]["name"], c)
            for d in self.of_kind("Deployment")
            for c in d["spec"]["template"]["spec"]["containers"]
        ]


def component(resource: dict[str, Any]) -> str:
    """The ``app.kubernetes.io/component`` label of a workload's pods."""
    labels = resource["spec"]["template"]["metadata"]["labels"]
    return str(labels["app.kubernetes.io/component"])


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A container's ``env`` entries by name."""
    return {entry["name"]: entry for entry in container.get("env", [])}


def container_of(k8s: Manifests, deployment: str) -> dict[str, Any]:
    """The one container of a Deployment."""
    (container,) = [c for name, c in k8s.containers() if name == deployment]
    return container


def environment(k8s: Manifests, deployment: str) -> dict[str, str]:
    """The environment a Deployment's container gets: the ConfigMap (envFrom), then its own
    ``env`` (values, and the Secret's keys it names)."""
    secret = k8s.named("Secret", "banshi-secrets")["stringData"]
    env = dict(k8s.named("ConfigMap", "banshi-config")["data"])
    for name, entry in env_of(container_of(k8s, deployment)).items():
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        env[name] = secret[ref["key"]] if ref else entry["value"]
    return env
