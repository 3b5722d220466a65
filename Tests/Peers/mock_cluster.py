#!/usr/bin/env python3
"""librdkafka mock cluster, driven over a JSON line protocol (test peer for kafscope).

Uses the librdkafka shared object bundled in the confluent_kafka wheel through
ctypes. The mock brokers are real Kafka protocol listeners on 127.0.0.1.

    mock_cluster.py [--brokers 3] [--tls [--tls-client-auth]] [--sasl PLAIN,SCRAM-SHA-256,SCRAM-SHA-512 --user NAME:PW]

With --tls/--sasl every broker gets a gateway (gateway.py) on its own port that speaks TLS and/or
SASL and forwards to the broker; brokers then advertise the gateways (localhost:PORT with TLS,
127.0.0.1:PORT without) and "bootstraps" lists them. The plaintext listeners stay reachable
("plaintext_bootstraps"). "security" in the ready line gives the protocol and the CA/client files.

On start it prints one JSON line:
    {"event": "ready", "bootstraps": "127.0.0.1:P1,...", "brokers": [{"id": 1, "host": "127.0.0.1", "port": P1}, ...]}
then reads one JSON command per stdin line and answers one JSON line each:
    {"ok": true, ...} or {"ok": false, "error": "..."}; an "id" in the command is echoed back.
Commands ("cmd" field): create_topic, set_broker_down, set_broker_up, advertise, set_leader,
set_follower, set_rtt, set_rack, push_request_errors, push_broker_request_error_rtts,
clear_request_errors, set_coordinator, produce, commit_offsets, info, stop.
It destroys the cluster and exits on "stop" or stdin EOF, so a killed test never leaves it running.

Internal clients (produce, commit_offsets) resolve advertised broker names through a
resolve callback that maps every advertised name to 127.0.0.1, because the point of
advertising is that those names do not resolve on this machine.
"""

import argparse
import base64
import ctypes
import ctypes.util
import glob
import json
import os
import signal
import sys
import threading

RD_KAFKA_PRODUCER = 0
RD_KAFKA_CONSUMER = 1
RD_KAFKA_PARTITION_UA = -1
RD_KAFKA_MSG_F_COPY = 0x2

VT_END, VT_TOPIC, VT_RKT, VT_PARTITION, VT_VALUE, VT_KEY, VT_OPAQUE, VT_MSGFLAGS, VT_TIMESTAMP, VT_HEADER = range(10)

CODECS = ("none", "gzip", "snappy", "lz4", "zstd")


class PeerError(Exception):
    pass


def find_librdkafka():
    """Locate the librdkafka bundled with confluent_kafka (wheel layout: confluent_kafka.libs/)."""
    explicit = os.environ.get("KAFSCOPE_LIBRDKAFKA")
    if explicit:
        return explicit
    import confluent_kafka  # noqa: F401  (only to find site-packages)
    pkg = os.path.dirname(confluent_kafka.__file__)
    site = os.path.dirname(pkg)
    for pattern in (os.path.join(site, "confluent_kafka.libs", "librdkafka*.so*"),
                    os.path.join(pkg, "librdkafka*.so*"),
                    os.path.join(pkg, ".libs", "librdkafka*.so*")):
        hits = sorted(glob.glob(pattern))
        if hits:
            return hits[0]
    raise PeerError("librdkafka shared object not found next to confluent_kafka in " + site)


# --- ctypes declarations -----------------------------------------------------------------

class _Mem(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p), ("size", ctypes.c_size_t)]


class _Hdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("val", ctypes.c_void_p), ("size", ctypes.c_ssize_t)]


class _VU(ctypes.Union):
    _fields_ = [("cstr", ctypes.c_char_p), ("ptr", ctypes.c_void_p), ("i", ctypes.c_int),
                ("i32", ctypes.c_int32), ("i64", ctypes.c_int64), ("mem", _Mem),
                ("header", _Hdr), ("_pad", ctypes.c_char * 64)]


class VU(ctypes.Structure):
    _fields_ = [("vtype", ctypes.c_int), ("u", _VU)]


class Message(ctypes.Structure):
    _fields_ = [("err", ctypes.c_int), ("rkt", ctypes.c_void_p), ("partition", ctypes.c_int32),
                ("payload", ctypes.c_void_p), ("len", ctypes.c_size_t), ("key", ctypes.c_void_p),
                ("key_len", ctypes.c_size_t), ("offset", ctypes.c_int64), ("_private", ctypes.c_void_p)]


class TopicPartition(ctypes.Structure):
    _fields_ = [("topic", ctypes.c_char_p), ("partition", ctypes.c_int32), ("offset", ctypes.c_int64),
                ("metadata", ctypes.c_void_p), ("metadata_size", ctypes.c_size_t),
                ("opaque", ctypes.c_void_p), ("err", ctypes.c_int), ("_private", ctypes.c_void_p)]


class TopicPartitionList(ctypes.Structure):
    _fields_ = [("cnt", ctypes.c_int), ("size", ctypes.c_int), ("elems", ctypes.POINTER(TopicPartition))]


DR_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Message), ctypes.c_void_p)
RESOLVE_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p,
                              ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class Lib:
    def __init__(self, path):
        self.path = path
        lib = ctypes.CDLL(path)
        self.lib = lib

        def fn(name, restype, *argtypes):
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        P, I, I16, I32, I64, S, SZ = (ctypes.c_void_p, ctypes.c_int, ctypes.c_int16, ctypes.c_int32,
                                      ctypes.c_int64, ctypes.c_char_p, ctypes.c_size_t)
        self.version_str = fn("rd_kafka_version_str", S)
        self.err2str = fn("rd_kafka_err2str", S, I)
        self.conf_new = fn("rd_kafka_conf_new", P)
        self.conf_set = fn("rd_kafka_conf_set", I, P, S, S, ctypes.c_char_p, SZ)
        self.conf_destroy = fn("rd_kafka_conf_destroy", None, P)
        self.conf_set_dr_msg_cb = fn("rd_kafka_conf_set_dr_msg_cb", None, P, DR_CB)
        self.conf_set_resolve_cb = fn("rd_kafka_conf_set_resolve_cb", None, P, RESOLVE_CB)
        self.new = fn("rd_kafka_new", P, I, P, ctypes.c_char_p, SZ)
        self.destroy = fn("rd_kafka_destroy", None, P)
        self.poll = fn("rd_kafka_poll", I, P, I)
        self.flush = fn("rd_kafka_flush", I, P, I)
        self.produceva = fn("rd_kafka_produceva", P, P, ctypes.POINTER(VU), SZ)
        self.error_string = fn("rd_kafka_error_string", S, P)
        self.error_destroy = fn("rd_kafka_error_destroy", None, P)
        self.init_transactions = fn("rd_kafka_init_transactions", P, P, I)
        self.begin_transaction = fn("rd_kafka_begin_transaction", P, P)
        self.commit_transaction = fn("rd_kafka_commit_transaction", P, P, I)
        self.abort_transaction = fn("rd_kafka_abort_transaction", P, P, I)
        self.tpl_new = fn("rd_kafka_topic_partition_list_new", ctypes.POINTER(TopicPartitionList), I)
        self.tpl_add = fn("rd_kafka_topic_partition_list_add", ctypes.POINTER(TopicPartition),
                          ctypes.POINTER(TopicPartitionList), S, I32)
        self.tpl_destroy = fn("rd_kafka_topic_partition_list_destroy", None, ctypes.POINTER(TopicPartitionList))
        self.commit = fn("rd_kafka_commit", I, P, ctypes.POINTER(TopicPartitionList), I)
        self.consumer_close = fn("rd_kafka_consumer_close", I, P)

        self.mock_cluster_new = fn("rd_kafka_mock_cluster_new", P, P, I)
        self.mock_cluster_destroy = fn("rd_kafka_mock_cluster_destroy", None, P)
        self.mock_cluster_bootstraps = fn("rd_kafka_mock_cluster_bootstraps", S, P)
        self.mock_topic_create = fn("rd_kafka_mock_topic_create", I, P, S, I, I)
        self.mock_broker_set_down = fn("rd_kafka_mock_broker_set_down", I, P, I32)
        self.mock_broker_set_up = fn("rd_kafka_mock_broker_set_up", I, P, I32)
        self.mock_broker_set_host_port = fn("rd_kafka_mock_broker_set_host_port", None, P, I32, S, I)
        self.mock_broker_set_rtt = fn("rd_kafka_mock_broker_set_rtt", I, P, I32, I)
        self.mock_broker_set_rack = fn("rd_kafka_mock_broker_set_rack", I, P, I32, S)
        self.mock_partition_set_leader = fn("rd_kafka_mock_partition_set_leader", I, P, S, I32, I32)
        self.mock_partition_set_follower = fn("rd_kafka_mock_partition_set_follower", I, P, S, I32, I32)
        self.mock_push_request_errors_array = fn("rd_kafka_mock_push_request_errors_array", None,
                                                 P, I16, SZ, ctypes.POINTER(ctypes.c_int))
        # Variadic (err, rtt_ms) pairs: argtypes stay unset and every value is passed as c_int.
        self.mock_broker_push_request_error_rtts = lib.rd_kafka_mock_broker_push_request_error_rtts
        self.mock_broker_push_request_error_rtts.restype = I
        self.mock_clear_request_errors = fn("rd_kafka_mock_clear_request_errors", None, P, I16)
        self.mock_coordinator_set = fn("rd_kafka_mock_coordinator_set", I, P, S, S, I32)

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        self.getaddrinfo = libc.getaddrinfo
        self.getaddrinfo.restype = ctypes.c_int
        self.getaddrinfo.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p,
                                     ctypes.POINTER(ctypes.c_void_p)]
        self.freeaddrinfo = libc.freeaddrinfo
        self.freeaddrinfo.restype = None
        self.freeaddrinfo.argtypes = [ctypes.c_void_p]

    def check(self, err, what):
        if err != 0:
            raise PeerError("%s: %s (%d)" % (what, self.err2str(err).decode(), err))

    def check_error(self, error_ptr, what):
        if error_ptr:
            text = self.error_string(error_ptr).decode()
            self.error_destroy(error_ptr)
            raise PeerError("%s: %s" % (what, text))


# --- internal clients --------------------------------------------------------------------

class Client:
    """A librdkafka producer or consumer whose DNS lookups go through `host_map`."""

    def __init__(self, lib, kind, conf, host_map):
        self.lib = lib
        self.host_map = host_map
        self.lock = threading.Lock()
        self.reports = {}
        self._resolve_cb = RESOLVE_CB(self._resolve)
        self._dr_cb = DR_CB(self._on_delivery)
        c = lib.conf_new()
        errstr = ctypes.create_string_buffer(512)
        base = {"log_level": "3", "socket.timeout.ms": "10000"}
        base.update(conf)
        for k, v in base.items():
            if lib.conf_set(c, k.encode(), str(v).encode(), errstr, 512) != 0:
                lib.conf_destroy(c)
                raise PeerError("config %s=%s: %s" % (k, v, errstr.value.decode()))
        lib.conf_set_resolve_cb(c, self._resolve_cb)
        if kind == RD_KAFKA_PRODUCER:
            lib.conf_set_dr_msg_cb(c, self._dr_cb)
        self.rk = lib.new(kind, c, errstr, 512)
        if not self.rk:
            raise PeerError("rd_kafka_new: " + errstr.value.decode())

    def _resolve(self, node, service, hints, res, _opaque):
        if node is None and service is None and not hints:
            # librdkafka asks us to free a result we returned earlier.
            if res and res[0]:
                self.lib.freeaddrinfo(res[0])
            return 0
        name = node.decode() if node else None
        port = service.decode() if service else None
        target = self.host_map.get((name, port)) or self.host_map.get(name)
        if target is None:
            return self.lib.getaddrinfo(node, service, hints, res)
        host, real_port = target
        return self.lib.getaddrinfo(host.encode(), (real_port or port or "").encode() or None, hints, res)

    def _on_delivery(self, _rk, msg, _opaque):
        m = msg.contents
        with self.lock:
            self.reports[m._private or 0] = (m.err, m.partition, m.offset)

    def produce(self, topic, records, transactional=False, abort=False, timeout_ms=15000):
        lib = self.lib
        if transactional:
            lib.check_error(lib.begin_transaction(self.rk), "begin_transaction")
        keep = []  # keeps ctypes buffers alive until produceva copies them (MSG_F_COPY)
        with self.lock:
            self.reports = {}
        for index, rec in enumerate(records, start=1):
            vus = [(VT_TOPIC, topic), (VT_MSGFLAGS, RD_KAFKA_MSG_F_COPY), (VT_OPAQUE, index)]
            part = rec.get("partition", RD_KAFKA_PARTITION_UA)
            vus.append((VT_PARTITION, RD_KAFKA_PARTITION_UA if part is None else int(part)))
            if rec.get("value") is not None:
                vus.append((VT_VALUE, rec["value"]))
            if rec.get("key") is not None:
                vus.append((VT_KEY, rec["key"]))
            if rec.get("timestamp") is not None:
                vus.append((VT_TIMESTAMP, int(rec["timestamp"])))
            for name, val in rec.get("headers", []):
                vus.append((VT_HEADER, (name, val)))
            arr = (VU * len(vus))()
            for i, (vt, val) in enumerate(vus):
                arr[i].vtype = vt
                if vt == VT_TOPIC:
                    buf = ctypes.c_char_p(val.encode())
                    keep.append(buf)
                    arr[i].u.cstr = buf
                elif vt in (VT_MSGFLAGS,):
                    arr[i].u.i = val
                elif vt == VT_PARTITION:
                    arr[i].u.i32 = val
                elif vt == VT_OPAQUE:
                    arr[i].u.ptr = val
                elif vt == VT_TIMESTAMP:
                    arr[i].u.i64 = val
                elif vt in (VT_VALUE, VT_KEY):
                    buf = ctypes.create_string_buffer(val, len(val))
                    keep.append(buf)
                    arr[i].u.mem.ptr = ctypes.cast(buf, ctypes.c_void_p)
                    arr[i].u.mem.size = len(val)
                elif vt == VT_HEADER:
                    name, hval = val
                    nbuf = ctypes.c_char_p(name.encode())
                    keep.append(nbuf)
                    arr[i].u.header.name = nbuf
                    if hval is None:
                        arr[i].u.header.val = None
                        arr[i].u.header.size = 0
                    else:
                        vbuf = ctypes.create_string_buffer(hval, len(hval))
                        keep.append(vbuf)
                        arr[i].u.header.val = ctypes.cast(vbuf, ctypes.c_void_p)
                        arr[i].u.header.size = len(hval)
            lib.check_error(lib.produceva(self.rk, arr, len(vus)), "produce")
        remaining = lib.flush(self.rk, timeout_ms)
        if remaining != 0:
            raise PeerError("produce: flush timed out with %d records undelivered" % remaining)
        with self.lock:
            reports = dict(self.reports)
        out = []
        for index in range(1, len(records) + 1):
            err, part, off = reports.get(index, (-1, -1, -1))
            if err != 0:
                if transactional:
                    lib.abort_transaction(self.rk, timeout_ms)
                raise PeerError("delivery of record %d failed: %s" % (index, lib.err2str(err).decode()))
            out.append({"partition": part, "offset": off})
        if transactional:
            if abort:
                lib.check_error(lib.abort_transaction(self.rk, timeout_ms), "abort_transaction")
            else:
                lib.check_error(lib.commit_transaction(self.rk, timeout_ms), "commit_transaction")
        return out

    def commit(self, topic, offsets):
        lib = self.lib
        tpl = lib.tpl_new(len(offsets))
        try:
            for part, off in offsets.items():
                tp = lib.tpl_add(tpl, topic.encode(), int(part))
                tp.contents.offset = int(off)
            lib.check(lib.commit(self.rk, tpl, 0), "commit")
            for i in range(tpl.contents.cnt):
                e = tpl.contents.elems[i]
                if e.err != 0:
                    raise PeerError("commit %s[%d]: %s" % (topic, e.partition, lib.err2str(e.err).decode()))
        finally:
            lib.tpl_destroy(tpl)

    def close(self, consumer=False):
        if self.rk:
            if consumer:
                self.lib.consumer_close(self.rk)
            self.lib.destroy(self.rk)
            self.rk = None


# --- the cluster -------------------------------------------------------------------------

def _decode_bytes(value, encoding):
    if value is None:
        return None
    if encoding == "base64":
        return base64.b64decode(value)
    return value.encode("utf-8")


class MockCluster:
    def __init__(self, brokers=3, lib_path=None, tls=False, tls_client_auth=False, sasl=(), users=None):
        self.lib = Lib(lib_path or find_librdkafka())
        self.lock = threading.RLock()
        self.host_map = {}  # name or (name, port) -> ("127.0.0.1", real port or None)
        self.clients = {}
        self.client_locks = {}
        errstr = ctypes.create_string_buffer(512)
        conf = self.lib.conf_new()
        for k, v in (("log_level", "3"), ("client.id", "kafscope-mock-host")):
            self.lib.conf_set(conf, k.encode(), v.encode(), errstr, 512)
        # The mock cluster needs a handle for bookkeeping only; it never connects anywhere.
        self.host_rk = self.lib.new(RD_KAFKA_PRODUCER, conf, errstr, 512)
        if not self.host_rk:
            raise PeerError("rd_kafka_new: " + errstr.value.decode())
        self.mc = self.lib.mock_cluster_new(self.host_rk, int(brokers))
        if not self.mc:
            self.lib.destroy(self.host_rk)
            raise PeerError("rd_kafka_mock_cluster_new failed")
        self.bootstraps = self.lib.mock_cluster_bootstraps(self.mc).decode()
        self.brokers = self._discover_brokers(int(brokers))
        self.advertised = {b["id"]: (b["host"], b["port"]) for b in self.brokers}
        self.plaintext_bootstraps = self.bootstraps
        self.gateways = {}
        self.security = None
        self.tls_dir = None
        if tls or sasl:
            self._secure(tls, tls_client_auth, list(sasl), dict(users or {}))

    def _secure(self, tls, client_auth, mechanisms, users):
        """Puts a TLS and/or SASL gateway in front of every broker and advertises the gateways."""
        import gateway
        import tempfile
        unknown = [m for m in mechanisms if m not in ("PLAIN",) + tuple(gateway.SCRAM_HASHES)]
        if unknown:
            raise PeerError("unsupported SASL mechanisms: %s" % ", ".join(unknown))
        material = None
        if tls:
            self.tls_dir = tempfile.mkdtemp(prefix="kafscope-mock-tls-")
            material = gateway.make_tls(self.tls_dir, ("localhost",), client_auth)
        host = "localhost" if tls else "127.0.0.1"
        for b in self.brokers:
            gw = gateway.Gateway(b["port"], tls=material, client_auth=client_auth, mechanisms=mechanisms,
                                 users=users)
            self.gateways[b["id"]] = gw
            b["secure_port"] = gw.port
            self.advertise(b["id"], host, gw.port)
        self.bootstraps = ",".join("%s:%d" % (host, self.gateways[b["id"]].port) for b in self.brokers)
        protocol = ("SASL_SSL" if tls else "SASL_PLAINTEXT") if mechanisms else "SSL"
        self.security = {"protocol": protocol, "mechanisms": mechanisms}
        if material:
            self.security.update(ca=material["ca"], client_cert=material["client_cert"],
                                 client_key=material["client_key"])

    def _discover_brokers(self, count):
        # Ask the cluster itself which id owns which port: bootstraps order is not documented.
        from confluent_kafka.admin import AdminClient
        admin = AdminClient({"bootstrap.servers": self.bootstraps, "log_level": 3})
        md = admin.list_topics(timeout=10)
        found = sorted(({"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()),
                       key=lambda b: b["id"])
        if len(found) != count:
            raise PeerError("mock cluster reported %d brokers, expected %d" % (len(found), count))
        return found

    def real_port(self, broker_id):
        for b in self.brokers:
            if b["id"] == broker_id:
                return b["port"]
        raise PeerError("unknown broker id %d" % broker_id)

    # Commands -------------------------------------------------------------------------

    def create_topic(self, name, partitions=1, replication_factor=1):
        self.lib.check(self.lib.mock_topic_create(self.mc, name.encode(), int(partitions),
                                                  int(replication_factor)), "create_topic " + name)
        return {}

    def set_broker_down(self, broker):
        self.lib.check(self.lib.mock_broker_set_down(self.mc, int(broker)), "set_broker_down")
        return {}

    def set_broker_up(self, broker):
        self.lib.check(self.lib.mock_broker_set_up(self.mc, int(broker)), "set_broker_up")
        return {}

    def advertise(self, broker, host, port=None):
        """Change the host:port a broker advertises in Metadata; it keeps listening where it was."""
        broker = int(broker)
        real = self.real_port(broker)
        port = real if port is None else int(port)
        self.lib.mock_broker_set_host_port(self.mc, broker, host.encode(), port)
        with self.lock:
            self.advertised[broker] = (host, port)
            # Internal clients reach the broker where it really listens.
            self.host_map[(host, str(port))] = ("127.0.0.1", str(real))
            if port == real:
                self.host_map.setdefault(host, ("127.0.0.1", None))
        return {"listening_port": real, "advertised": "%s:%d" % (host, port)}

    def set_leader(self, topic, partition, broker):
        self.lib.check(self.lib.mock_partition_set_leader(self.mc, topic.encode(), int(partition),
                                                          int(broker)), "set_leader")
        return {}

    def set_follower(self, topic, partition, broker):
        self.lib.check(self.lib.mock_partition_set_follower(self.mc, topic.encode(), int(partition),
                                                            int(broker)), "set_follower")
        return {}

    def set_rtt(self, broker, ms):
        self.lib.check(self.lib.mock_broker_set_rtt(self.mc, int(broker), int(ms)), "set_rtt")
        return {}

    def set_rack(self, broker, rack):
        self.lib.check(self.lib.mock_broker_set_rack(self.mc, int(broker), rack.encode()), "set_rack")
        return {}

    def push_request_errors(self, api_key, codes):
        arr = (ctypes.c_int * len(codes))(*[int(c) for c in codes])
        self.lib.mock_push_request_errors_array(self.mc, int(api_key), len(codes), arr)
        return {}

    def push_broker_request_error_rtts(self, broker, api_key, errors):
        """errors: [[code, rtt_ms], ...] for the next requests with api_key on that broker."""
        args = []
        for code, rtt in errors:
            args += [ctypes.c_int(int(code)), ctypes.c_int(int(rtt))]
        self.lib.check(self.lib.mock_broker_push_request_error_rtts(
            ctypes.c_void_p(self.mc), ctypes.c_int32(int(broker)), ctypes.c_int16(int(api_key)),
            ctypes.c_size_t(len(errors)), *args), "push_broker_request_error_rtts")
        return {}

    def clear_request_errors(self, api_key):
        self.lib.mock_clear_request_errors(self.mc, int(api_key))
        return {}

    def set_coordinator(self, key_type, key, broker):
        self.lib.check(self.lib.mock_coordinator_set(self.mc, key_type.encode(), key.encode(),
                                                     int(broker)), "set_coordinator")
        return {}

    def _client(self, key, kind, conf):
        with self.lock:
            client = self.clients.get(key)
            if client is None:
                base = {"bootstrap.servers": self.plaintext_bootstraps}
                base.update(conf)
                client = Client(self.lib, kind, base, self.host_map)
                self.clients[key] = client
            return client

    def _client_lock(self, key):
        with self.lock:
            return self.client_locks.setdefault(key, threading.Lock())

    def produce(self, topic, records, partition=None, compression="none", transactional=False,
                abort=False, encoding="text"):
        """records: [{key, value, headers: {name: value} | [[name, value]], partition?, timestamp?}]."""
        if compression not in CODECS:
            raise PeerError("unknown compression %r (expected one of %s)" % (compression, ", ".join(CODECS)))
        prepared = []
        for rec in records:
            enc = rec.get("encoding", encoding)
            headers = rec.get("headers") or []
            if isinstance(headers, dict):
                headers = list(headers.items())
            prepared.append({
                "key": _decode_bytes(rec.get("key"), enc),
                "value": _decode_bytes(rec.get("value"), enc),
                "headers": [(str(n), _decode_bytes(v, enc)) for n, v in headers],
                "partition": rec.get("partition", partition),
                "timestamp": rec.get("timestamp"),
            })
        conf = {"compression.codec": compression, "linger.ms": "5", "enable.idempotence": "false",
                "acks": "all"}
        key = ("producer", compression, bool(transactional))
        if transactional:
            conf["transactional.id"] = "kafscope-mock-txn-" + compression
            conf["enable.idempotence"] = "true"
        client = self._client(key, RD_KAFKA_PRODUCER, conf)
        with self._client_lock(key):  # one produce at a time per client keeps delivery reports unambiguous
            if transactional and not getattr(client, "txn_ready", False):
                self.lib.check_error(self.lib.init_transactions(client.rk, 15000), "init_transactions")
                client.txn_ready = True
            return {"records": client.produce(topic, prepared, transactional=transactional, abort=abort)}

    def commit_offsets(self, group, topic, offsets):
        client = self._client(("consumer", group), RD_KAFKA_CONSUMER,
                              {"group.id": group, "enable.auto.commit": "false"})
        with self._client_lock(("consumer", group)):
            client.commit(topic, {int(p): int(o) for p, o in offsets.items()})
        return {}

    def info(self):
        return {"bootstraps": self.bootstraps, "plaintext_bootstraps": self.plaintext_bootstraps,
                "security": self.security, "brokers": self.brokers,
                "advertised": {str(k): "%s:%d" % v for k, v in self.advertised.items()},
                "librdkafka": self.lib.version_str().decode()}

    def close(self):
        with self.lock:
            clients = list(self.clients.items())
            self.clients = {}
        for key, client in clients:
            client.close(consumer=(key[0] == "consumer"))
        for gw in self.gateways.values():
            gw.close()
        self.gateways = {}
        if self.tls_dir:
            import shutil
            shutil.rmtree(self.tls_dir, ignore_errors=True)
            self.tls_dir = None
        if self.mc:
            self.lib.mock_cluster_destroy(self.mc)
            self.mc = None
        if self.host_rk:
            self.lib.destroy(self.host_rk)
            self.host_rk = None


COMMANDS = {
    "create_topic": ("create_topic", ["name"], ["partitions", "replication_factor"]),
    "set_broker_down": ("set_broker_down", ["broker"], []),
    "set_broker_up": ("set_broker_up", ["broker"], []),
    "advertise": ("advertise", ["broker", "host"], ["port"]),
    "set_leader": ("set_leader", ["topic", "partition", "broker"], []),
    "set_follower": ("set_follower", ["topic", "partition", "broker"], []),
    "set_rtt": ("set_rtt", ["broker", "ms"], []),
    "set_rack": ("set_rack", ["broker", "rack"], []),
    "push_request_errors": ("push_request_errors", ["api_key", "codes"], []),
    "push_broker_request_error_rtts": ("push_broker_request_error_rtts", ["broker", "api_key", "errors"], []),
    "clear_request_errors": ("clear_request_errors", ["api_key"], []),
    "set_coordinator": ("set_coordinator", ["key_type", "key", "broker"], []),
    "produce": ("produce", ["topic", "records"],
                ["partition", "compression", "transactional", "abort", "encoding"]),
    "commit_offsets": ("commit_offsets", ["group", "topic", "offsets"], []),
    "info": ("info", [], []),
}


def handle(cluster, line):
    try:
        req = json.loads(line)
    except ValueError as e:
        return {"ok": False, "error": "invalid JSON: %s" % e}
    if not isinstance(req, dict):
        return {"ok": False, "error": "command must be a JSON object"}
    cmd = req.get("cmd")
    reply = {"ok": False}
    if "id" in req:
        reply["id"] = req["id"]
    if cmd == "stop":
        reply.update(ok=True, stopped=True)
        return reply
    spec = COMMANDS.get(cmd)
    if spec is None:
        reply["error"] = "unknown command %r" % (cmd,)
        return reply
    method, required, optional = spec
    missing = [k for k in required if k not in req]
    if missing:
        reply["error"] = "%s: missing %s" % (cmd, ", ".join(missing))
        return reply
    kwargs = {k: req[k] for k in required + optional if k in req and req[k] is not None}
    try:
        result = getattr(cluster, method)(**kwargs)
        reply.update(result)
        reply["ok"] = True
    except PeerError as e:
        reply["error"] = str(e)
    except (TypeError, ValueError, KeyError) as e:
        reply["error"] = "%s: bad arguments: %s" % (cmd, e)
    return reply


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
    ap.add_argument("--brokers", type=int, default=3)
    ap.add_argument("--tls", action="store_true", help="TLS gateway in front of every broker")
    ap.add_argument("--tls-client-auth", action="store_true", help="the TLS gateway requires a client certificate")
    ap.add_argument("--sasl", default="", help="comma-separated mechanisms: PLAIN,SCRAM-SHA-256,SCRAM-SHA-512")
    ap.add_argument("--user", action="append", default=[],
                    help="NAME:PASSWORD for SASL (repeatable; or a JSON object in $KAFSCOPE_MOCK_USERS)")
    args = ap.parse_args()
    out = sys.stdout
    try:
        users = dict(u.split(":", 1) for u in args.user if ":" in u)
        # Test credentials may also come through the environment, which keeps them out of `ps`.
        users.update(json.loads(os.environ.get("KAFSCOPE_MOCK_USERS") or "{}"))
        cluster = MockCluster(args.brokers, tls=args.tls, tls_client_auth=args.tls_client_auth,
                              sasl=[m for m in args.sasl.split(",") if m], users=users)
    except Exception as e:  # report start failures on the protocol channel, then exit non-zero
        out.write(json.dumps({"event": "error", "error": str(e)}) + "\n")
        out.flush()
        return 1
    try:
        out.write(json.dumps({"event": "ready", "pid": os.getpid(), **cluster.info()}) + "\n")
        out.flush()
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            reply = handle(cluster, line)
            out.write(json.dumps(reply) + "\n")
            out.flush()
            if reply.get("stopped"):
                break
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
