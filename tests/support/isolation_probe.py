"""Run as a script: fork a worker-like child, wall it in, and let pyoxigraph try to reach a canary.

``python isolation_probe.py PORT [LAYER ...]`` prints one JSON object: the layers applied, and for each attempt
(SERVICE, LOAD, a plain socket) the error that stopped it or "connected". LAYER is one of ``all`` (what
``isolate_worker`` applies), ``namespaces``, ``landlock``, ``seccomp``, or ``port:N`` (Landlock: TCP connections
to port N only, as the federation process is held). The child also checks that a listening
socket opened before the fork still accepts, and that it can read and write files.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile

import pyoxigraph as ox

from policykg.web.endpoint import isolation


def attempts(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}/"
    out = {}
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    service = f"SELECT * {{ ?a ?b ?c SERVICE <{url}> {{ ?s ?p ?o }} }}"
    for name, run in (("service", lambda: list(store.query(service))),
                      ("load", lambda: store.update(f"LOAD <{url}data.ttl>")),
                      ("socket", lambda: socket.create_connection(("127.0.0.1", port), timeout=2).close())):
        try:
            run()
            out[name] = "connected"
        except Exception as error:  # noqa: BLE001 - whatever stopped it is the answer
            out[name] = f"{type(error).__name__}: {error}"[:200]
    return out


def main() -> int:
    port, layers = int(sys.argv[1]), sys.argv[2:] or ["all"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        report: dict = {"uid": os.getuid()}
        try:
            applied = []
            for layer in layers:
                if layer == "all":
                    applied += isolation.isolate_worker()
                elif layer == "namespaces" and isolation.isolate_network():
                    applied.append(layer)
                elif layer == "landlock" and isolation.deny_tcp():
                    applied.append(layer)
                elif layer == "seccomp" and isolation.deny_inet_sockets():
                    applied.append(layer)
                elif layer.startswith("port:") and isolation.connect_only_to([int(layer[5:])]):
                    applied.append(layer)
            report["applied"] = applied
            report["attempts"] = attempts(port)
            for layer in layers:
                if layer.startswith("port:"):
                    try:
                        socket.create_connection(("127.0.0.1", int(layer[5:])), timeout=2).close()
                        report["allowed port"] = "connected"
                    except OSError as error:
                        report["allowed port"] = str(error)
            connection, _ = listener.accept()
            report["accepted"] = connection.recv(5).decode()
            connection.close()
            with tempfile.NamedTemporaryFile("w+", dir=os.environ.get("PROBE_DIR")) as handle:
                handle.write("written")
                handle.flush()
                report["file"] = open(handle.name).read()
            with open(__file__) as source:
                report["read"] = source.read().startswith('"""')
        except Exception as error:  # noqa: BLE001
            report["error"] = f"{type(error).__name__}: {error}"
        os.write(write, json.dumps(report).encode())
        os._exit(0)
    os.close(write)
    client = socket.create_connection(listener.getsockname())
    client.sendall(b"hello")
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read()
    os.waitpid(pid, 0)
    client.close()
    print(report.decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
