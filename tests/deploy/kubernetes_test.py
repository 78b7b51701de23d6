#!/usr/bin/env python3
"""Offline check of deploy/kubernetes, standing in for `kubectl apply --dry-run=client` (which
needs a reachable API server to fetch its OpenAPI schema): every object is well formed, every
reference inside the set resolves, probes hit /healthz and /readyz, the shipped config passes
`cdcwatch check-config`, and the PrometheusRule holds exactly the exported alert rules."""
import os
import re
import subprocess
import sys
import tempfile

import yaml

KNOWN_KINDS = {
    ("v1", "ConfigMap"), ("v1", "Service"), ("v1", "Secret"), ("apps/v1", "Deployment"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"), ("monitoring.coreos.com/v1", "PrometheusRule"),
}
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def load(directory):
    objects = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".yaml"):
            with open(os.path.join(directory, name)) as f:
                for doc in yaml.safe_load_all(f):
                    if doc:
                        objects.append((name, doc))
    return objects


def check_pod_template(where, deployment, config_maps):
    spec = deployment.get("spec", {})
    template = spec.get("template", {})
    labels = template.get("metadata", {}).get("labels", {})
    for key, value in spec.get("selector", {}).get("matchLabels", {}).items():
        if labels.get(key) != value:
            fail(where, f"selector {key}={value} does not match the pod template labels")
    pod = template.get("spec", {})
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for volume in volumes.values():
        if "configMap" in volume and volume["configMap"]["name"] not in config_maps:
            fail(where, f"volume {volume['name']} names unknown ConfigMap {volume['configMap']['name']}")
    found_agent = False
    for container in pod.get("containers", []):
        cwhere = f"{where} container {container.get('name')}"
        if not container.get("name") or not container.get("image"):
            fail(cwhere, "needs a name and an image")
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volumes:
                fail(cwhere, f"mounts undeclared volume {mount['name']}")
        if "cdcwatch" not in container.get("image", ""):
            continue
        found_agent = True
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = container.get(probe, {}).get("httpGet", {})
            if get.get("path") != path:
                fail(cwhere, f"{probe} must GET {path}")
            if get.get("port") not in ports:
                fail(cwhere, f"{probe} port {get.get('port')} is not a declared port")
        if 9720 not in ports.values():
            fail(cwhere, "must expose the agent's listen port 9720")
        if container.get("securityContext", {}).get("allowPrivilegeEscalation") is not False:
            fail(cwhere, "must set allowPrivilegeEscalation: false")
    if not found_agent:
        fail(where, "has no cdcwatch container")


def check_config(where, text, binary):
    with tempfile.TemporaryDirectory() as tmp:
        secrets = os.path.join(tmp, "secrets")
        os.mkdir(secrets)
        for ref in re.findall(r"\$\{file:/etc/cdcwatch/secrets/([^:}]+)", text):
            with open(os.path.join(secrets, ref), "w") as f:
                f.write("password=placeholder\nrouting_key=placeholder\n")
        path = os.path.join(tmp, "cdcwatch.yml")
        with open(path, "w") as f:
            f.write(text.replace("/etc/cdcwatch/secrets", secrets))
        result = subprocess.run([binary, "check-config", path], capture_output=True, text=True)
        if result.returncode != 0:
            fail(where, "cdcwatch.yml fails check-config: " + result.stderr.strip())


def main(source_dir, binary):
    objects = load(os.path.join(source_dir, "deploy", "kubernetes"))
    config_maps = {doc["metadata"]["name"]: doc for _, doc in objects if doc.get("kind") == "ConfigMap"}
    services = [doc for _, doc in objects if doc.get("kind") == "Service"]
    for file_name, doc in objects:
        where = f"{file_name} {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        if (doc.get("apiVersion"), doc.get("kind")) not in KNOWN_KINDS:
            fail(where, f"unknown apiVersion/kind {doc.get('apiVersion')}/{doc.get('kind')}")
            continue
        if not DNS1123.match(doc.get("metadata", {}).get("name", "")):
            fail(where, "metadata.name must be a DNS-1123 label")
        kind = doc["kind"]
        if kind == "Deployment":
            check_pod_template(where, doc, config_maps)
        elif kind == "ConfigMap" and "cdcwatch.yml" in doc.get("data", {}):
            check_config(where, doc["data"]["cdcwatch.yml"], binary)
        elif kind == "ServiceMonitor":
            wanted = doc["spec"]["selector"]["matchLabels"]
            matches = [s for s in services if all(s["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
            if not matches:
                fail(where, "selects no Service")
            for endpoint in doc["spec"]["endpoints"]:
                if not any(endpoint["port"] == p["name"] for s in matches for p in s["spec"]["ports"]):
                    fail(where, f"endpoint port {endpoint['port']} is not a port of the selected Service")
        elif kind == "PrometheusRule":
            exported = os.path.join(source_dir, "alerts", "prometheus", "cdcwatch-rules.yml")
            with open(exported) as f:
                if doc["spec"]["groups"] != yaml.safe_load(f)["groups"]:
                    fail(where, "spec.groups differ from alerts/prometheus/cdcwatch-rules.yml; regenerate it")
    kinds = {doc.get("kind") for _, doc in objects}
    for needed in ("ConfigMap", "Deployment", "Service", "ServiceMonitor", "PrometheusRule"):
        if needed not in kinds:
            fail("deploy/kubernetes", f"has no {needed}")
    for line in failures:
        print("FAIL:", line)
    print(f"kubernetes manifests: {len(objects) - len(failures) if not failures else 0} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
