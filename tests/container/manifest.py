#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks docs/k8s/linecap-daemonset.yaml: valid YAML (python3-yaml), and the things the
API server would only reject at apply time, or silently get wrong:
  - the selector matches the pod template's labels;
  - hugepage resources: requests == limits, with cpu or memory beside them, and an
    emptyDir of the same page size mounted;
  - a device-plugin resource (the SR-IOV/VFIO device) requested with equal request/limit;
  - every $(VAR) in command/args is declared in env (Kubernetes leaves others literal),
    every configMapKeyRef names a key of a ConfigMap in the file;
  - linecap's arguments: capture, -i, -w into the mounted output directory;
  - capabilities: drop ALL, add only what docs/deploy.md explains; not privileged.
Usage: manifest.py FILE. Exit 0 all good, 1 with one line per problem."""
import re
import sys

import yaml

EXPLAINED_CAPS = {"IPC_LOCK", "NET_RAW", "NET_ADMIN", "BPF", "SYS_NICE", "SYS_RAWIO", "SYS_ADMIN"}
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def main(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    kinds = {d.get("kind"): d for d in docs}
    for want in ("Namespace", "ConfigMap", "DaemonSet"):
        check(want in kinds, f"no {want} in the file")
    ds = kinds.get("DaemonSet")
    if ds is None:
        return
    cms = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d.get("kind") == "ConfigMap"}
    check(ds.get("apiVersion") == "apps/v1", "DaemonSet apiVersion is not apps/v1")
    spec = ds["spec"]
    tmpl = spec["template"]
    sel = spec["selector"]["matchLabels"]
    labels = tmpl["metadata"]["labels"]
    check(all(labels.get(k) == v for k, v in sel.items()), f"selector {sel} does not match template labels {labels}")
    pod = tmpl["spec"]
    check(not pod.get("hostPID") and not pod.get("hostIPC"), "hostPID/hostIPC set")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    containers = pod["containers"]
    check(len(containers) >= 1, "no container")
    for c in containers:
        name = c["name"]
        res = c.get("resources", {})
        req, lim = res.get("requests", {}), res.get("limits", {})
        huge = [k for k in set(req) | set(lim) if k.startswith("hugepages-")]
        check(huge, f"{name}: no hugepages-* resource")
        for k in huge:
            check(req.get(k) == lim.get(k), f"{name}: {k} request {req.get(k)} != limit {lim.get(k)}")
        check("cpu" in req or "memory" in req, f"{name}: hugepages without a cpu or memory request")
        devs = [k for k in set(req) | set(lim) if "/" in k]
        check(devs, f"{name}: no device-plugin resource (SR-IOV/VFIO device)")
        for k in devs:
            check(str(req.get(k)) == str(lim.get(k)) and str(req.get(k)).isdigit(),
                  f"{name}: device resource {k}: request {req.get(k)} / limit {lim.get(k)}")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        for m in mounts.values():
            check(m in volumes, f"{name}: volumeMount of undefined volume {m}")
        for k in huge:
            size = k.split("-", 1)[1]
            hv = [v for v in volumes.values() if v.get("emptyDir", {}).get("medium") == f"HugePages-{size}"]
            check(hv and any(mounts.get(p) == hv[0]["name"] for p in mounts),
                  f"{name}: {k} requested but no mounted emptyDir with medium HugePages-{size}")
        check("/out" in mounts, f"{name}: nothing mounted at /out")

        env = {}
        for e in c.get("env", []):
            env[e["name"]] = e
            ref = e.get("valueFrom", {}).get("configMapKeyRef")
            if ref:
                check(ref["key"] in cms.get(ref["name"], {}),
                      f"{name}: env {e['name']}: ConfigMap {ref['name']} has no key {ref['key']}")
        args = [str(a) for a in c.get("command", []) + c.get("args", [])]
        for a in args:
            for v in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", a):
                check(v in env, f"{name}: $({v}) in the arguments is not declared in env (would stay literal)")
        check(args[:1] == ["capture"], f"{name}: arguments do not start with capture: {args[:3]}")
        check("-i" in args, f"{name}: no -i")
        if check("-w" in args and args.index("-w") + 1 < len(args), f"{name}: no -w FILE"):
            check(args[args.index("-w") + 1].startswith("/out/"), f"{name}: -w does not write into /out")
        if "--queues" in args and check(args.index("--queues") + 1 < len(args), f"{name}: --queues without a value"):
            q = args[args.index("--queues") + 1]
            qv = q
            m = re.fullmatch(r"\$\((\w+)\)", q)
            if m and m.group(1) in env:
                ref = env[m.group(1)].get("valueFrom", {}).get("configMapKeyRef")
                qv = cms.get(ref["name"], {}).get(ref["key"], "") if ref else env[m.group(1)].get("value", "")
            if check(str(qv).isdigit() and int(qv) >= 1, f"{name}: --queues {q} is not a count"):
                w = args[args.index("-w") + 1] if "-w" in args else ""
                check(int(qv) == 1 or "%q" in w, f"{name}: --queues {qv} needs %q in -w")

        sc = c.get("securityContext", {})
        check(not sc.get("privileged"), f"{name}: privileged")
        check(sc.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation is not false")
        caps = sc.get("capabilities", {})
        check(caps.get("drop") == ["ALL"], f"{name}: capabilities do not drop ALL")
        extra = set(caps.get("add", [])) - EXPLAINED_CAPS
        check(not extra, f"{name}: capabilities {sorted(extra)} are not explained in docs/deploy.md")
        check("IPC_LOCK" in caps.get("add", []), f"{name}: no IPC_LOCK (vfio-pci pins the DMA memory)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: manifest.py FILE")
    try:
        main(sys.argv[1])
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, OSError) as e:
        problems.append(f"cannot read the manifest: {type(e).__name__}: {e}")
    for p in problems:
        print(f"FAIL: manifest: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"ok: {sys.argv[1]}: valid YAML; DaemonSet with hugepages, a VFIO device resource, IPC_LOCK only")
