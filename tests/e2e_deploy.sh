#!/usr/bin/env bash
# tests/e2e_deploy.sh: deploy/kubernetes/ holds manifests a cluster accepts and a ktop that
# runs. Every file parses as YAML (python3-yaml) with the fields its kind needs; the
# DaemonSet is hostPID, not privileged, not on the host network, read-only root, every
# capability dropped but those `ktop --check` lists, host paths read-only; the Service and
# the PodMonitor select the DaemonSet's pods and name its port. Then the real binary runs
# with the DaemonSet's arguments and environment, limited to its capability set (setpriv):
# `--check` must accept the arguments, report every capability held, and every collector
# running.
. "$(dirname "$0")/lib.sh"
dir=$(cd "$(dirname "$0")/../deploy/kubernetes" && pwd)
python3 -c 'import yaml' 2>/dev/null || { tap_skip "deploy" "python3-yaml is not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One Python pass over the manifests: a line "ok NAME" or "not ok NAME: why" per check,
# and the DaemonSet's args, env and capabilities for the shell
cat >"$tmp/check.py" <<'EOF'
import glob, json, os, sys, yaml

out = open(sys.argv[2], "w")
docs = {}
def check(name, cond, why=""):
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + why))

for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    try:
        with open(path) as f:
            loaded = [d for d in yaml.safe_load_all(f) if d]
    except yaml.YAMLError as e:
        check(os.path.basename(path) + " parses", False, str(e).replace("\n", " "))
        continue
    check(os.path.basename(path) + " parses", bool(loaded), "no document")
    for d in loaded:
        ok = all(k in d for k in ("apiVersion", "kind", "metadata")) and "name" in d["metadata"]
        check(os.path.basename(path) + ": apiVersion, kind, metadata.name", ok, repr(list(d)))
        if ok:
            docs[d["kind"]] = d

for kind in ("Namespace", "DaemonSet", "Service", "PodMonitor"):
    check("a " + kind + " is there", kind in docs, "kinds: " + ", ".join(docs))
ds = docs.get("DaemonSet")
if not ds:
    sys.exit(0)
pod = ds["spec"]["template"]["spec"]
labels = ds["spec"]["template"]["metadata"]["labels"]
c = pod["containers"][0]
sc = c.get("securityContext", {})
caps = sc.get("capabilities", {})
check("DaemonSet: the selector matches the pod template's labels",
      all(labels.get(k) == v for k, v in ds["spec"]["selector"]["matchLabels"].items()))
check("DaemonSet: hostPID", pod.get("hostPID") is True)
check("DaemonSet: not on the host network", not pod.get("hostNetwork", False))
check("DaemonSet: not privileged", sc.get("privileged") is False)
check("DaemonSet: read-only root filesystem", sc.get("readOnlyRootFilesystem") is True)
check("DaemonSet: every capability dropped first", caps.get("drop") == ["ALL"], repr(caps))
mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
vols = {v["name"]: v for v in pod.get("volumes", [])}
check("DaemonSet: every host path is mounted read-only",
      all(mounts[n].get("readOnly") is True for n in vols if "hostPath" in vols[n] and n in mounts),
      repr(mounts))
check("DaemonSet: every volume mounted is declared", all(n in vols for n in mounts))
hostpaths = {v["hostPath"]["path"] for v in vols.values() if "hostPath" in v}
check("DaemonSet: BTF, cgroups and containerd's state are mounted",
      {"/sys/kernel/btf", "/sys/fs/cgroup", "/run/containerd"} <= hostpaths, repr(hostpaths))
port = [p for p in c.get("ports", []) if p.get("name") == "metrics"]
check("DaemonSet: a port named metrics", len(port) == 1)
svc, pm = docs.get("Service"), docs.get("PodMonitor")
if svc:
    check("Service: selects the DaemonSet's pods",
          all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()))
    check("Service: targets the metrics port",
          any(p.get("targetPort") in ("metrics", port[0]["containerPort"] if port else None)
              for p in svc["spec"]["ports"]))
if pm:
    check("PodMonitor: selects the DaemonSet's pods",
          all(labels.get(k) == v for k, v in pm["spec"]["selector"]["matchLabels"].items()))
    check("PodMonitor: scrapes the metrics port",
          any(e.get("port") == "metrics" for e in pm["spec"]["podMetricsEndpoints"]))
    check("PodMonitor: in the DaemonSet's namespace",
          pm["metadata"].get("namespace") == ds["metadata"].get("namespace"))
json.dump({"args": c.get("args", []), "command": c.get("command", []),
           "env": {e["name"]: e.get("value", "") for e in c.get("env", [])},
           "caps": caps.get("add", []),
           "mounts": {m["mountPath"]: vols[m["name"]]["hostPath"]["path"]
                      for m in c.get("volumeMounts", [])
                      if "hostPath" in vols.get(m["name"], {})}}, out)
EOF
python3 "$tmp/check.py" "$dir" "$tmp/ds.json" >"$tmp/checks" 2>"$tmp/check.err"
tap_check "the manifest checker ran" [ $? -eq 0 ]
while IFS= read -r line; do
	case $line in
	'ok '*) tap_ok "${line#ok }" ;;
	*) tap_fail "${line#not ok }" ;;
	esac
done <"$tmp/checks"

if ! need_root "deploy: ktop --check with the DaemonSet's capabilities"; then exit 0; fi
command -v setpriv >/dev/null || { tap_skip "ktop --check as deployed" "setpriv is not installed"; exit 0; }
[ -s "$tmp/ds.json" ] || exit 0
mapfile -t args < <(jq -r '.args[]' "$tmp/ds.json")
caps=$(jq -r '[.caps[] | "+" + ascii_downcase] | join(",")' "$tmp/ds.json")
# the host paths as the pod sees them: under KTOP_HOST_ROOT, a directory of links here
root=$(jq -r '.env.KTOP_HOST_ROOT // ""' "$tmp/ds.json")
mkdir -p "$tmp/host"
while IFS=$'\t' read -r in_pod on_host; do
	case $in_pod in "$root"/*)
		mkdir -p "$(dirname "$tmp/host${in_pod#"$root"}")"
		ln -s "$on_host" "$tmp/host${in_pod#"$root"}" ;;
	esac
done < <(jq -r '.mounts | to_entries[] | [.key, .value] | @tsv' "$tmp/ds.json")
tap_diag "ktop ${args[*]} --check, capabilities $caps, KTOP_HOST_ROOT=$tmp/host"
KTOP_HOST_ROOT=$tmp/host setpriv --inh-caps=-all --ambient-caps=-all --bounding-set="-all,$caps" \
	"$KTOP_BIN" "${args[@]}" --check >"$tmp/check.out" 2>&1
status=$?
sed 's/^/# /' "$tmp/check.out"
tap_check "ktop accepts the DaemonSet's arguments and --check passes within its capabilities" [ $status -eq 0 ]
tap_check "--check: privileges ok" grep -q '^privileges: ok' "$tmp/check.out"
# every capability --check names is held, and each one the DaemonSet adds is used
while read -r cap held _; do
	tap_check "--check: $cap held within the DaemonSet's set" [ "$held" = yes ]
done < <(grep -E '^  CAP_[A-Z_]+ ' "$tmp/check.out")
for cap in $(jq -r '.caps[]' "$tmp/ds.json"); do
	[ "$cap" = SETPCAP ] && continue # for ktop's own drop, which --check does not list
	tap_check "the DaemonSet's CAP_$cap is one --check lists" grep -q "^  CAP_$cap " "$tmp/check.out"
done
# with the DaemonSet's capabilities, every collector that runs here as root runs too
# (functions may be unavailable on a kernel that allows no tracing: then both say so)
# (two empty lists are equal too: a --check that listed no collector, as root or as
# deployed, is no match)
"$KTOP_BIN" --check 2>&1 | grep -E '^[a-z]+ {2,}' >"$tmp/check.root"
grep -E '^[a-z]+ {2,}' "$tmp/check.out" >"$tmp/check.deployed"
same_collectors() { [ -s "$1" ] && diff "$1" "$2"; }
tap_check "--check: every collector runs as it does as root ($(wc -l <"$tmp/check.root") listed)" \
	same_collectors "$tmp/check.root" "$tmp/check.deployed"
