#!/usr/bin/env python3
"""Kafka Connect REST simulator for kafscope tests (stdlib only).

Implements the worker REST API the way Apache Kafka's ConnectorsResource and
RootResource answer it: shapes, status codes, asynchronous state changes and
the {"error_code", "message"} error bodies. Test-only control endpoints live
under /__sim/, a prefix Connect never serves.

    connect_sim.py --port 0 --scenario demo --version 3.7.0 [--exit-on-stdin-eof]

prints one JSON line {"port": N, ...} once listening, exits on SIGTERM/SIGINT
(and on stdin EOF with --exit-on-stdin-eof).
"""

import argparse
import base64
import copy
import json
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

MSG_REBALANCE = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
MSG_STALE = ("Cannot complete request momentarily due to stale configuration "
             "(typically caused by a concurrent config change)")

JDBC_TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:632)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:350)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.iteration(WorkerSinkTask.java:250)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.execute(WorkerSinkTask.java:219)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:204)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:259)\n"
    "\tat org.apache.kafka.connect.runtime.isolation.Plugins.lambda$withClassLoader$1(Plugins.java:236)\n"
    "\tat java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539)\n"
    "\tat java.base/java.util.concurrent.FutureTask.run(FutureTask.java:264)\n"
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)\n"
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:635)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
    "Caused by: org.apache.kafka.connect.errors.ConnectException: java.sql.SQLException: "
    "Connection to db.internal:5432 refused. Check that the hostname and port are correct.\n"
    "\tat io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:122)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:601)\n"
    "\t... 11 more\n"
    "Caused by: java.sql.SQLException: Connection to db.internal:5432 refused.\n"
    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:346)\n"
    "\tat org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:273)\n"
    "\t... 14 more\n"
)

CONNECTOR_TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Failed to find any class that implements Connector "
    "and which name matches com.example.MissingConnector\n"
    "\tat org.apache.kafka.connect.runtime.isolation.Plugins.connectorClass(Plugins.java:206)\n"
    "\tat org.apache.kafka.connect.runtime.Worker.startConnector(Worker.java:311)\n"
    "\tat org.apache.kafka.connect.runtime.distributed.DistributedHerder.startConnector(DistributedHerder.java:1889)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
)

W1 = "10.0.0.5:8083"
W2 = "10.0.0.6:8083"


def parse_version(text):
    out = []
    for part in text.split("-")[0].split("."):
        try:
            out.append(int(part))
        except ValueError:
            out.append(0)
    while len(out) < 3:
        out.append(0)
    return tuple(out[:3])


def demo_connectors():
    """Several connectors: a source, sinks, one PAUSED, one with a FAILED task, one FAILED outright."""
    def conn(name, ctype, cls, config, state, tasks, worker=W1, trace=None, topics=()):
        cfg = {"connector.class": cls, "name": name, "tasks.max": str(len(tasks) or 1)}
        cfg.update(config)
        return {"name": name, "type": ctype, "config": cfg, "state": state, "worker_id": worker,
                "trace": trace, "target": "PAUSED" if state == "PAUSED" else
                ("STOPPED" if state == "STOPPED" else "STARTED"),
                "tasks": [dict(t) for t in tasks], "topics": list(topics)}

    return [
        conn("orders-source", "source", "io.confluent.connect.jdbc.JdbcSourceConnector", {
            "connection.url": "jdbc:postgresql://db.internal:5432/shop",
            "connection.user": "kafka",
            "connection.password": "s3cr3t-pw",
            "mode": "incrementing",
            "incrementing.column.name": "id",
            "topic.prefix": "shop.",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "io.confluent.connect.avro.AvroConverter",
            "value.converter.schema.registry.url": "http://schema-registry:8081",
        }, "RUNNING", [
            {"id": 0, "state": "RUNNING", "worker_id": W1},
            {"id": 1, "state": "RUNNING", "worker_id": W2},
        ], topics=["shop.orders"]),
        conn("orders-jdbc-sink", "sink", "io.confluent.connect.jdbc.JdbcSinkConnector", {
            "topics": "shop.orders",
            "connection.url": "jdbc:postgresql://db.internal:5432/warehouse",
            "connection.user": "kafka",
            "connection.password": "an0ther-pw",
            "auto.create": "true",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        }, "RUNNING", [
            {"id": 0, "state": "RUNNING", "worker_id": W1},
            {"id": 1, "state": "FAILED", "worker_id": W2, "trace": JDBC_TRACE},
            {"id": 2, "state": "RUNNING", "worker_id": W1},
        ], worker=W2, topics=["shop.orders"]),
        conn("payments-s3-sink", "sink", "io.confluent.connect.s3.S3SinkConnector", {
            "topics": "payments",
            "s3.bucket.name": "payments-archive",
            "aws.access.key.id": "AKIAEXAMPLE",
            "aws.secret.access.key": "wJalrXUtnFEMI/K7MDENG",
            "flush.size": "1000",
            "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
        }, "PAUSED", [
            {"id": 0, "state": "PAUSED", "worker_id": W1},
        ], topics=["payments"]),
        conn("audit-legacy-sink", "sink", "com.example.MissingConnector", {
            "topics": "audit",
        }, "FAILED", [], worker=W1, trace=CONNECTOR_TRACE),
    ]


class Sim:
    def __init__(self, args):
        self.args = args
        self.version = args.version
        self.vtuple = parse_version(args.version)
        self.delay = args.state_delay_ms / 1000.0
        self.held = None  # a list while /__sim/hold is on: state changes wait for /__sim/release
        self.lock = threading.Lock()
        self.sni_names = []  # every TLS server name asked for (kept across resets)
        self.reset()

    def reset(self):
        with self.lock:
            self.generation = getattr(self, "generation", 0) + 1
            self.connectors = {}
            if self.args.scenario == "demo":
                for c in demo_connectors():
                    self.connectors[c["name"]] = c
            self.requests = []
            self.injections = []

    # Asynchronous state changes, as a real worker applies them after a rebalance-free round trip.
    def later(self, fn):
        gen = self.generation

        def run():
            with self.lock:
                if gen == self.generation:
                    fn()
        if self.held is not None:  # a test decides when the worker applies it (no timing)
            self.held.append(run)
            return
        t = threading.Timer(self.delay, run)
        t.daemon = True
        t.start()

    # Shapes ---------------------------------------------------------------
    def status(self, c):
        conn = {"state": c["state"], "worker_id": c["worker_id"]}
        if c.get("trace"):
            conn["trace"] = c["trace"]
        tasks = []
        for t in c["tasks"]:
            ts = {"id": t["id"], "state": t["state"], "worker_id": t["worker_id"]}
            if t.get("trace"):
                ts["trace"] = t["trace"]
            tasks.append(ts)
        return {"name": c["name"], "connector": conn, "tasks": tasks, "type": c["type"]}

    def info(self, c):
        return {"name": c["name"], "config": dict(c["config"]),
                "tasks": [{"connector": c["name"], "task": t["id"]} for t in c["tasks"]],
                "type": c["type"]}

    def task_count(self, c):
        try:
            return max(1, int(c["config"].get("tasks.max", "1")))
        except ValueError:
            return 1

    def run_state(self, c):
        return {"STARTED": "RUNNING", "PAUSED": "PAUSED", "STOPPED": "STOPPED"}[c["target"]]

    def ensure_tasks(self, c, state):
        if not c["tasks"]:
            workers = [W1, W2]
            c["tasks"] = [{"id": i, "state": state, "worker_id": workers[i % 2]} for i in range(self.task_count(c))]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "connect-sim"
    sim: Sim = None  # set in main

    def log_message(self, fmt, *args):  # quiet: tests read /__sim/requests instead
        pass

    # Plumbing ---------------------------------------------------------------
    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_empty(self, code):
        self.send_response(code)
        if code != 204:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def error(self, code, message):
        self.send_json(code, {"error_code": code, "message": message})

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 10 * 1024 * 1024:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.dispatch("GET")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def dispatch(self, method):
        sim = self.sim
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        try:
            body = self.read_body()
        except ValueError:
            self.error(413, "Request entity too large")
            return
        if path.startswith("/__sim/"):
            self.control(method, path, body)
            return
        auth_user = None
        header = self.headers.get("Authorization")
        if header and header.startswith("Basic "):
            try:
                auth_user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
            except Exception:
                auth_user = "<malformed>"
        with sim.lock:
            sim.requests.append({"method": method, "path": path, "query": query, "raw_query": parts.query,
                                 "body": body.decode("utf-8", "replace"), "auth_user": auth_user})
            injected = None
            for inj in sim.injections:
                if inj["count"] > 0 and inj["match"] in path and (inj["method"] in ("", method)):
                    inj["count"] -= 1
                    injected = inj
                    break
        if sim.args.basic_auth:
            expected = "Basic " + base64.b64encode(sim.args.basic_auth.encode()).decode()
            if header != expected:
                # Connect's BasicAuthSecurityRestExtension answers 401 with this body.
                self.error(401, "Authentication failed")
                return
        if injected:
            if injected.get("sleep_ms"):
                time.sleep(injected["sleep_ms"] / 1000.0)
            if injected["status"]:
                self.error(injected["status"], injected["message"])
                return
        try:
            self.route(method, path, query, body)
        except BrokenPipeError:
            pass

    # Control API (tests only) -------------------------------------------
    def control(self, method, path, body):
        sim = self.sim
        if method == "GET" and path == "/__sim/requests":
            with sim.lock:
                self.send_json(200, list(sim.requests))
        elif method == "GET" and path == "/__sim/sni":
            self.send_json(200, list(sim.sni_names))
        elif method == "POST" and path == "/__sim/reset":
            sim.reset()
            self.send_json(200, {"ok": True})
        elif method == "POST" and path == "/__sim/clear-requests":
            with sim.lock:
                sim.requests = []
            self.send_json(200, {"ok": True})
        elif method == "POST" and path == "/__sim/inject":
            try:
                spec = json.loads(body or b"{}")
                status = int(spec.get("status", 409))
                inj = {"status": status, "count": int(spec.get("count", 1)),
                       "match": str(spec.get("path", "")), "method": str(spec.get("method", "")).upper(),
                       "sleep_ms": int(spec.get("sleep_ms", 0)),
                       "message": spec.get("message") or (MSG_REBALANCE if status == 409 else "Request failed")}
            except (ValueError, TypeError, AttributeError):
                self.send_json(400, {"error": "bad inject spec"})
                return
            with sim.lock:
                sim.injections.append(inj)
            self.send_json(200, {"ok": True})
        elif method == "POST" and path == "/__sim/hold":
            with sim.lock:
                sim.held = []
            self.send_json(200, {"ok": True})
        elif method == "POST" and path == "/__sim/release":
            with sim.lock:
                pending, sim.held = sim.held or [], None
            for run in pending:
                run()
            self.send_json(200, {"ok": True, "released": len(pending)})
        elif method == "POST" and path == "/__sim/delay":
            try:
                sim.delay = float(json.loads(body or b"{}").get("ms", 300)) / 1000.0
            except (ValueError, TypeError, AttributeError):
                self.send_json(400, {"error": "bad delay"})
                return
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"error": "unknown control endpoint"})

    # Connect API -----------------------------------------------------------
    def route(self, method, path, query, body):
        sim = self.sim
        segs = [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []
        if method == "GET" and segs == []:
            self.send_json(200, {"version": sim.version, "commit": "5e3c2b738d253ff5",
                                 "kafka_cluster_id": sim.args.kafka_cluster_id})
            return
        if not segs or segs[0] != "connectors":
            self.error(404, "HTTP 404 Not Found")
            return
        if len(segs) == 1:
            if method == "GET":
                self.list_connectors(query)
            elif method == "POST":
                self.create(body)
            else:
                self.error(405, "HTTP 405 Method Not Allowed")
            return
        name = segs[1]
        rest = segs[2:]
        with sim.lock:
            c = sim.connectors.get(name)
            if c is None and method == "PUT" and rest == ["config"]:
                # PUT config creates a missing connector: 201 with ConnectorInfo.
                try:
                    config = {str(k): str(v) for k, v in json.loads(body).items()}
                except (ValueError, TypeError, AttributeError):
                    self.error(400, "Request body must be a JSON object")
                    return
                c = self.new_connector(name, config)
                sim.connectors[name] = c
                self.send_json(201, sim.info(c))
                return
            if c is None:
                self.error(404, "Connector %s not found" % name)
                return
            self.connector_route(method, c, rest, query, body)

    def list_connectors(self, query):
        sim = self.sim
        expand = query.get("expand", [])
        with sim.lock:
            names = sorted(sim.connectors)
            # expand arrived in Kafka 2.3 (KIP-465); older workers ignore it and return names.
            if not expand or sim.vtuple < (2, 3, 0):
                self.send_json(200, names)
                return
            out = {}
            for n in names:
                c = sim.connectors[n]
                entry = {}
                if "status" in expand:
                    entry["status"] = sim.status(c)
                if "info" in expand:
                    entry["info"] = sim.info(c)
                out[n] = entry
            self.send_json(200, out)

    def create(self, body):
        sim = self.sim
        try:
            req = json.loads(body)
            name = req["name"]
            config = {str(k): str(v) for k, v in req.get("config", {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            self.error(400, "Request body must be a JSON object with name and config")
            return
        with sim.lock:
            if name in sim.connectors:
                self.error(409, "Connector %s already exists" % name)
                return
            c = self.new_connector(name, config)
            sim.connectors[name] = c
            self.send_json(201, sim.info(c))

    def new_connector(self, name, config):
        config = dict(config)
        config["name"] = name
        ctype = "sink" if ("topics" in config or "topics.regex" in config) else "source"
        c = {"name": name, "type": ctype, "config": config, "state": "UNASSIGNED", "worker_id": W1,
             "trace": None, "target": "STARTED", "tasks": [], "topics": []}

        def start():
            c["state"] = "RUNNING"
            self.sim.ensure_tasks(c, "RUNNING")
        self.sim.later(start)
        return c

    def connector_route(self, method, c, rest, query, body):
        sim = self.sim
        name = c["name"]
        if rest == [] and method == "GET":
            self.send_json(200, sim.info(c))
        elif rest == [] and method == "DELETE":
            del sim.connectors[name]
            self.send_empty(204)
        elif rest == ["config"] and method == "GET":
            self.send_json(200, dict(c["config"]))
        elif rest == ["config"] and method == "PUT":
            try:
                config = {str(k): str(v) for k, v in json.loads(body).items()}
            except (ValueError, TypeError, AttributeError):
                self.error(400, "Request body must be a JSON object")
                return
            config["name"] = name
            c["config"] = config
            self.send_json(200, sim.info(c))
        elif rest == ["status"] and method == "GET":
            self.send_json(200, sim.status(c))
        elif rest == ["tasks"] and method == "GET":
            self.send_json(200, [{"id": {"connector": name, "task": t["id"]},
                                  "config": {"task.class": c["config"].get("connector.class", "") + "Task",
                                             **c["config"]}} for t in c["tasks"]])
        elif rest == ["topics"] and method == "GET":
            self.send_json(200, {name: {"topics": list(c["topics"])}})
        elif len(rest) == 3 and rest[0] == "tasks" and rest[2] == "status" and method == "GET":
            t = self.task(c, rest[1])
            if t is not None:
                ts = {"id": t["id"], "state": t["state"], "worker_id": t["worker_id"]}
                if t.get("trace"):
                    ts["trace"] = t["trace"]
                self.send_json(200, ts)
        elif len(rest) == 3 and rest[0] == "tasks" and rest[2] == "restart" and method == "POST":
            t = self.task(c, rest[1])
            if t is not None:
                target = sim.run_state(c)

                def done():
                    t["state"] = target if target != "STOPPED" else "UNASSIGNED"
                    t.pop("trace", None)
                sim.later(done)
                self.send_empty(204)
        elif rest == ["pause"] and method == "PUT":
            c["target"] = "PAUSED"

            def done():
                c["state"] = "PAUSED"
                sim.ensure_tasks(c, "PAUSED")
                for t in c["tasks"]:
                    if t["state"] != "FAILED":
                        t["state"] = "PAUSED"
            sim.later(done)
            self.send_empty(202)
        elif rest == ["resume"] and method == "PUT":
            c["target"] = "STARTED"

            def done():
                if c["state"] != "FAILED":
                    c["state"] = "RUNNING"
                sim.ensure_tasks(c, "RUNNING")
                for t in c["tasks"]:
                    if t["state"] != "FAILED":
                        t["state"] = "RUNNING"
            sim.later(done)
            self.send_empty(202)
        elif rest == ["stop"] and method == "PUT" and sim.vtuple >= (3, 5, 0):
            c["target"] = "STOPPED"

            def done():
                c["state"] = "STOPPED"
                c["trace"] = None
                c["tasks"] = []
            sim.later(done)
            self.send_empty(204)
        elif rest == ["restart"] and method == "POST":
            self.restart(c, query)
        else:
            # Jersey's answers for a path the resource lacks (stop before 3.5) or a wrong method.
            known = [[], ["config"], ["status"], ["tasks"], ["topics"], ["pause"], ["resume"], ["restart"]]
            if sim.vtuple >= (3, 5, 0):
                known.append(["stop"])
            if rest in known or (len(rest) == 3 and rest[0] == "tasks" and rest[2] in ("status", "restart")):
                self.error(405, "HTTP 405 Method Not Allowed")
            else:
                self.error(404, "HTTP 404 Not Found")

    def task(self, c, raw):
        try:
            tid = int(raw)
        except ValueError:
            self.error(404, "HTTP 404 Not Found")
            return None
        for t in c["tasks"]:
            if t["id"] == tid:
                return t
        self.error(404, "Task %s-%d not found" % (c["name"], tid))
        return None

    def restart(self, c, query):
        sim = self.sim

        def flag(key):
            return query.get(key, ["false"])[-1].lower() == "true"
        include_tasks, only_failed = flag("includeTasks"), flag("onlyFailed")
        if sim.vtuple < (3, 0, 0):
            include_tasks = only_failed = False  # parameters arrived in 3.0 (KIP-745)
        target = sim.run_state(c)
        settled = target if target != "STOPPED" else "STOPPED"
        if not include_tasks and not only_failed:
            # Connector instance only; answered with no body.
            def done():
                if c["target"] != "STOPPED":
                    c["state"] = settled
                    c["trace"] = None
            sim.later(done)
            self.send_empty(204)
            return
        restart_conn = (not only_failed) or c["state"] == "FAILED"
        tasks = [t for t in c["tasks"] if include_tasks and ((not only_failed) or t["state"] == "FAILED")]
        if restart_conn:
            c["state"] = "RESTARTING"
            c["trace"] = None
        for t in tasks:
            t["state"] = "RESTARTING"
            t.pop("trace", None)
        body = sim.status(c)

        def done():
            if restart_conn:
                c["state"] = settled
                c["trace"] = None
            for t in tasks:
                t["state"] = settled if settled != "STOPPED" else "UNASSIGNED"
                t.pop("trace", None)
        sim.later(done)
        self.send_json(202, body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario", choices=["demo", "empty"], default="demo")
    ap.add_argument("--version", default="3.7.0", help="worker version reported by GET /")
    ap.add_argument("--kafka-cluster-id", default="MkU3OEVBNTcwNTJENDM2Qg")
    ap.add_argument("--state-delay-ms", type=float, default=300.0,
                    help="delay before an accepted action changes the reported state")
    ap.add_argument("--basic-auth", default=None, help="USER:PASSWORD required on every Connect request")
    ap.add_argument("--certfile", default=None, help="PEM certificate (chain) to serve HTTPS")
    ap.add_argument("--keyfile", default=None)
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    args = ap.parse_args()

    Handler.sim = Sim(args)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    if args.certfile:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.certfile, args.keyfile)
        # The server names clients asked for (SNI), for tests of clients behind forwarders.
        ctx.sni_callback = lambda _sock, name, _ctx: Handler.sim.sni_names.append(name) and None
        server.socket = ctx.wrap_socket(server.socket, server_side=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            stop()
        threading.Thread(target=watch, daemon=True).start()

    port = server.server_address[1]
    print(json.dumps({"port": port, "version": args.version, "scheme": "https" if args.certfile else "http"}),
          flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
