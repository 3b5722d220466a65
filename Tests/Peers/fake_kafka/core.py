"""The fake cluster: one asyncio listener per broker, a request dispatcher (one handler per API key),
the scripted state (a JSON "scenario"), a request log, and the JSON-line control channel on stdin."""

import asyncio
import base64
import importlib
import json
import pkgutil
import struct
import sys
import traceback
import uuid

from . import messages

HANDLERS = {}   # api_key -> handler(ctx, request) -> response (or an awaitable of one)
COMMANDS = {}   # control command name -> fn(cluster, cmd) -> dict merged into the {"ok": true} answer


def handles(request_class):
    """Registers a handler for one API: @handles(DescribeGroupsRequest)."""
    def register(fn):
        HANDLERS[request_class.API_KEY] = fn
        return fn
    return register


def command(name):
    """Registers a control command: @command("append")."""
    def register(fn):
        COMMANDS[name] = fn
        return fn
    return register


NO_ANSWER = object()  # a handler returns it for a request Kafka does not answer


class CloseConnection(Exception):
    """A handler raises this to drop the connection without answering (as brokers do on bad input)."""


class Context:
    """What a handler gets besides the decoded request."""

    def __init__(self, cluster, broker, api_key, version, header):
        self.cluster = cluster
        self.broker = broker          # this listener's node id
        self.api_key = api_key
        self.version = version        # the request's (and so the response's) version
        self.header = header
        self.note = None              # a JSON-able dict the handler wants in the request log
        self.Response = messages.response_class(api_key)

    @property
    def scenario(self):
        return self.cluster.scenario

    def respond(self, **fields):
        return self.Response(version=self.version, **fields)


class Cluster:
    def __init__(self, broker_ids):
        self.broker_ids = list(broker_ids)
        self.ports = {}
        self.scenario = {}
        self.log = []
        self.mismatches = []     # requests whose kafka-python re-encoding differs from kafscope's bytes
        self.throttles = {}      # api_key -> [ms, ...] for the next responses
        self.state = {}          # per-handler-module private state, keyed by module
        self.changed = asyncio.Event()

    # --- scenario helpers shared by handlers ---

    def brokers(self):
        specs = {int(b["id"]): b for b in self.scenario.get("brokers", [])}
        return [dict(specs.get(i, {}), id=i, host="127.0.0.1", port=self.ports[i]) for i in self.broker_ids]

    def topics(self):
        return self.scenario.get("topics", {})

    def topic_id(self, name):
        t = self.topics().get(name, {})
        return uuid.UUID(t["id"]) if "id" in t else uuid.uuid5(uuid.NAMESPACE_URL, "kafscope-fake/" + name)

    def topic_by_id(self, tid):
        for name in self.topics():
            if self.topic_id(name) == tid:
                return name
        return None

    def partition(self, topic, index):
        t = self.topics().get(topic)
        if t is None or not 0 <= index < len(t.get("partitions", [])):
            return None
        return t["partitions"][index]

    def touch(self):
        """Wakes handlers waiting for new data (long-polling fetches)."""
        self.changed.set()
        self.changed = asyncio.Event()

    def module_state(self, name, factory):
        if name not in self.state:
            self.state[name] = factory()
        return self.state[name]


def _json_safe(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, set):
        return sorted(_json_safe(v) for v in value)
    return value


async def serve_connection(cluster, broker, reader, writer):
    try:
        while True:
            size_bytes = await reader.readexactly(4)
            (size,) = struct.unpack(">i", size_bytes)
            frame = await reader.readexactly(size)
            api_key, version, correlation_id = struct.unpack(">hhi", frame[:8])
            answer = await dispatch(cluster, broker, api_key, version, correlation_id, frame)
            if answer is None:
                break
            writer.write(answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, CloseConnection):
        pass
    except Exception:  # a handler bug: say so on stderr (the test shows it) and drop the connection
        traceback.print_exc(file=sys.stderr)
        cluster.log.append({"broker": broker, "failure": traceback.format_exc()})
    finally:
        writer.close()


async def dispatch(cluster, broker, api_key, version, correlation_id, frame):
    req_cls = messages.REQUESTS.get(api_key)
    handler = HANDLERS.get(api_key)
    if req_cls is None or handler is None or version > req_cls.max_version:
        if api_key == 18:  # ApiVersions at a version we do not know: answer v0 with UNSUPPORTED_VERSION
            resp = messages.response_class(18)(version=0, error_code=35, api_keys=[])
            resp.with_header(correlation_id=correlation_id)
            cluster.log.append({"broker": broker, "api_key": api_key, "version": version, "unsupported": True})
            return bytes(resp.encode(header=True, framed=True))
        cluster.log.append({"broker": broker, "api_key": api_key, "version": version, "unhandled": True})
        print(f"fake broker {broker}: no handler for api {api_key} v{version}; closing", file=sys.stderr)
        return None
    request = req_cls.decode(frame, version=version, header=True)
    _check_reencoding(cluster, broker, api_key, version, request, frame)
    ctx = Context(cluster, broker, api_key, version, request.header)
    resp = handler(ctx, request)
    if asyncio.iscoroutine(resp):
        resp = await resp
    entry = {"broker": broker, "api_key": api_key, "version": version, "correlation_id": correlation_id,
             "client_id": request.header.client_id, "request": _json_safe(request.to_dict())}
    if ctx.note is not None:
        entry["note"] = _json_safe(ctx.note)
    if resp is NO_ANSWER:  # e.g. Produce with acks=0: Kafka sends nothing back
        cluster.log.append(entry)
        return b""
    throttle = _next_throttle(cluster, api_key)
    if throttle is not None and "throttle_time_ms" in resp.fields:
        resp.throttle_time_ms = throttle
    cluster.log.append(entry)
    # The version first: kafka-python's encode(version=) on a response with a header fails.
    resp.API_VERSION = version
    resp.with_header(correlation_id=correlation_id)
    return bytes(resp.encode(header=True, framed=True))


def _check_reencoding(cluster, broker, api_key, version, request, frame):
    """Byte-level check of kafscope's request: kafka-python encodes the request it decoded again, and
    the two byte strings must be identical (a field kafscope wrote differently, trailing bytes kafka-python
    skipped, a tagged field it dropped all show here). Mismatches are listed by the "mismatches" command."""
    again = bytes(request.encode(header=True))
    if again != bytes(frame):
        first = next((i for i, (a, b) in enumerate(zip(again, frame)) if a != b), min(len(again), len(frame)))
        cluster.mismatches.append({"broker": broker, "api_key": api_key, "version": version,
                                   "sent_length": len(frame), "reencoded_length": len(again), "first_difference": first,
                                   "sent": bytes(frame[max(0, first - 16):first + 32]).hex(),
                                   "reencoded": again[max(0, first - 16):first + 32].hex()})


def _next_throttle(cluster, api_key):
    queued = cluster.throttles.get(api_key)
    if queued:
        return queued.pop(0)
    fixed = cluster.scenario.get("throttle_ms", {}).get(str(api_key))
    return fixed


# --- built-in control commands -----------------------------------------------------------------

@command("scenario")
def _scenario(cluster, cmd):
    cluster.scenario = cmd["scenario"]
    cluster.state = {}
    cluster.touch()
    return {}


@command("set")
def _set(cluster, cmd):
    """Sets one value inside the scenario: {"cmd": "set", "path": ["topics", "t", "partitions", 0, "leader"], "value": 2}."""
    path = cmd["path"]
    target = cluster.scenario
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = cmd["value"]
    cluster.touch()
    return {}


@command("requests")
def _requests(cluster, cmd):
    """The request log, optionally only one API key; "clear": true empties it."""
    key = cmd.get("api_key")
    out = [e for e in cluster.log if key is None or e.get("api_key") == key]
    if cmd.get("clear"):
        cluster.log = []
    return {"requests": out}


@command("mismatches")
def _mismatches(cluster, cmd):
    return {"mismatches": cluster.mismatches}


@command("failures")
def _failures(cluster, cmd):
    return {"failures": [e for e in cluster.log if "failure" in e or "unhandled" in e]}


@command("throttle")
def _throttle(cluster, cmd):
    """The next responses to api_key carry these ThrottleTimeMs values, in order."""
    cluster.throttles.setdefault(int(cmd["api_key"]), []).extend(int(ms) for ms in cmd["ms"])
    return {}


def load_handlers():
    from . import handlers
    for info in pkgutil.iter_modules(handlers.__path__):
        importlib.import_module(f"{handlers.__name__}.{info.name}")


async def control_loop(cluster):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            fn = COMMANDS.get(cmd.get("cmd"))
            if fn is None:
                raise ValueError(f"unknown command {cmd.get('cmd')!r}; known: {sorted(COMMANDS)}")
            result = fn(cluster, cmd)
            if asyncio.iscoroutine(result):
                result = await result
            answer = dict(result or {}, ok=True)
        except Exception as e:  # answer the error; the Swift side throws it
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            if not isinstance(e, (KeyError, ValueError)):
                answer["trace"] = traceback.format_exc()
        if isinstance(cmd, dict) and "id" in cmd:
            answer["id"] = cmd["id"]
        sys.stdout.write(json.dumps(_json_safe(answer)) + "\n")
        sys.stdout.flush()


async def main(broker_count, scenario):
    load_handlers()
    cluster = Cluster(range(1, broker_count + 1))
    cluster.scenario = scenario
    servers = []
    for b in cluster.broker_ids:
        server = await asyncio.start_server(lambda r, w, b=b: serve_connection(cluster, b, r, w), "127.0.0.1", 0)
        cluster.ports[b] = server.sockets[0].getsockname()[1]
        servers.append(server)
    ready = {"event": "ready", "bootstrap": ",".join(f"127.0.0.1:{cluster.ports[b]}" for b in cluster.broker_ids),
             "brokers": [{"id": b, "host": "127.0.0.1", "port": cluster.ports[b]} for b in cluster.broker_ids],
             "apis": sorted(HANDLERS)}
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    await control_loop(cluster)
    for s in servers:
        s.close()
