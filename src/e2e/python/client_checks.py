"""The official Python client (Debian python3-kubernetes) against a Tutti server: list, watch, patch and
delete with propagation. Run by python-client.test.ts with the kubeconfig path and a namespace as
arguments; prints one JSON object of what it saw, and the test checks it against the server."""
import json
import sys
import threading
import time

from kubernetes import client, config, watch

kubeconfig, ns = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=kubeconfig)
v1 = client.CoreV1Api()
out = {}

# list
out["namespaces"] = sorted(n.metadata.name for n in v1.list_namespace().items)
v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
cm = lambda name, **kw: client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, **kw), data={"k": "v1"})
v1.create_namespaced_config_map(ns, cm("first"))
listed = v1.list_namespaced_config_map(ns)
# every namespace also holds the cluster's kube-root-ca.crt (made by the root CA publisher, as upstream)
ROOT_CA = "kube-root-ca.crt"
out["listed"] = [c.metadata.name for c in listed.items if c.metadata.name != ROOT_CA]

# watch: the client sends watch=True; events for objects made after the list must arrive.
def make_later():
    time.sleep(0.5)
    v1.create_namespaced_config_map(ns, cm("second"))
    v1.patch_namespaced_config_map("second", ns, {"data": {"k": "v2"}})

threading.Thread(target=make_later, daemon=True).start()
events = []
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, ns, resource_version=listed.metadata.resource_version,
                   timeout_seconds=20):
    if ev["object"].metadata.name != ROOT_CA:
        events.append([ev["type"], ev["object"].metadata.name, (ev["object"].data or {}).get("k")])
    if ev["type"] == "MODIFIED" and ev["object"].metadata.name == "second":
        w.stop()
out["events"] = events

# patch (a dict body goes as a strategic merge patch)
p = v1.patch_namespaced_config_map("first", ns, {"metadata": {"labels": {"from": "python"}}, "data": {"k": "patched"}})
out["patched"] = {"labels": p.metadata.labels, "k": p.data["k"]}

# delete with propagation: the owner of a dependent, in the foreground and orphaning
for policy in ["Foreground", "Orphan"]:
    owner = v1.create_namespaced_config_map(ns, cm(f"owner-{policy.lower()}"))
    ref = client.V1OwnerReference(api_version="v1", kind="ConfigMap", name=owner.metadata.name,
                                  uid=owner.metadata.uid, block_owner_deletion=True)
    v1.create_namespaced_config_map(ns, cm(f"dependent-{policy.lower()}", owner_references=[ref]))
    st = v1.delete_namespaced_config_map(owner.metadata.name, ns,
                                          body=client.V1DeleteOptions(propagation_policy=policy))
    out[f"delete-{policy}"] = st.kind

print(json.dumps(out))
