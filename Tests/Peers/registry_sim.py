#!/usr/bin/env python3
"""Confluent Schema Registry REST simulator for kafscope tests.

Serves the documented REST API subset that readers use, plus registration for serializers:
  POST /subjects/{s}/versions   register (schema, schemaType, references) -> {"id"}
  POST /subjects/{s}            look a schema up -> {subject, id, version, schema}
  GET  /schemas/ids/{id}        {schema, schemaType (absent for AVRO), references}
  GET  /schemas/ids/{id}/versions  [{subject, version}] (every subject version registered with it)
  GET  /subjects, /subjects/{s}/versions, /subjects/{s}/versions/{v|latest}
  GET  /config, /config/{s} (?defaultToGlobal=true), PUT /config, PUT /config/{s}
Errors are {"error_code", "message"} with Confluent's codes (40401 subject, 40402 version,
40403 schema, 40408 subject compatibility not configured, 40101 unauthorized).

Protobuf schemas registered by confluent-kafka's Python serializer arrive as a base64
FileDescriptorProto; like the real registry, the simulator answers with .proto text (unless
?format=serialized). Test-only control endpoints live under /__sim/.

    registry_sim.py --port 0 [--basic-auth U:P] [--bearer TOKEN] [--tls [--client-auth] | --certfile F --keyfile K]
                    [--exit-on-stdin-eof]

prints one JSON line {"port", "scheme", "ca", "client_cert", "client_key"} once listening.
"""

import argparse
import base64
import json
import os
import signal
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


# --- FileDescriptorProto -> .proto text ------------------------------------------------------

def proto_text(fdp):
    """Renders a FileDescriptorProto as .proto source (what the registry returns by default)."""
    from google.protobuf import descriptor_pb2 as d
    F = d.FieldDescriptorProto
    scalar = {F.TYPE_DOUBLE: "double", F.TYPE_FLOAT: "float", F.TYPE_INT64: "int64", F.TYPE_UINT64: "uint64",
              F.TYPE_INT32: "int32", F.TYPE_FIXED64: "fixed64", F.TYPE_FIXED32: "fixed32", F.TYPE_BOOL: "bool",
              F.TYPE_STRING: "string", F.TYPE_BYTES: "bytes", F.TYPE_UINT32: "uint32", F.TYPE_SFIXED32: "sfixed32",
              F.TYPE_SFIXED64: "sfixed64", F.TYPE_SINT32: "sint32", F.TYPE_SINT64: "sint64"}
    syntax = fdp.syntax or "proto2"
    out = ['syntax = "%s";' % syntax]
    if fdp.package:
        out.append("package %s;" % fdp.package)
    for dep in fdp.dependency:
        out.append('import "%s";' % dep)

    def type_name(f):
        return scalar.get(f.type) or f.type_name

    def field_line(f, indent, label=True):
        opts = []
        if f.options.HasField("packed"):
            opts.append("packed = %s" % ("true" if f.options.packed else "false"))
        if f.HasField("default_value"):
            v = f.default_value
            opts.append("default = %s" % (json.dumps(v) if f.type in (F.TYPE_STRING, F.TYPE_BYTES) else v))
        lab = ""
        if label:
            if f.label == F.LABEL_REPEATED:
                lab = "repeated "
            elif f.label == F.LABEL_REQUIRED:
                lab = "required "
            elif syntax == "proto2" or f.proto3_optional:
                lab = "optional "
        return "%s%s%s %s = %d%s;" % (indent, lab, type_name(f), f.name, f.number,
                                      " [%s]" % ", ".join(opts) if opts else "")

    def enum(e, indent):
        out.append("%senum %s {" % (indent, e.name))
        if e.options.allow_alias:
            out.append("%s  option allow_alias = true;" % indent)
        for v in e.value:
            out.append("%s  %s = %d;" % (indent, v.name, v.number))
        out.append("%s}" % indent)

    def message(m, indent):
        out.append("%smessage %s {" % (indent, m.name))
        inner = indent + "  "
        maps = {n.name: n for n in m.nested_type if n.options.map_entry}
        for n in m.nested_type:
            if not n.options.map_entry:
                message(n, inner)
        for e in m.enum_type:
            enum(e, inner)
        real_oneofs = {}
        for f in m.field:
            if f.HasField("oneof_index") and not f.proto3_optional:
                real_oneofs.setdefault(f.oneof_index, []).append(f)
        done = set()
        for f in m.field:
            if f.HasField("oneof_index") and not f.proto3_optional:
                if f.oneof_index in done:
                    continue
                done.add(f.oneof_index)
                out.append("%soneof %s {" % (inner, m.oneof_decl[f.oneof_index].name))
                for g in real_oneofs[f.oneof_index]:
                    out.append(field_line(g, inner + "  ", label=False))
                out.append("%s}" % inner)
                continue
            entry = maps.get(f.type_name.rsplit(".", 1)[-1]) if f.type == F.TYPE_MESSAGE else None
            if entry is not None and f.label == F.LABEL_REPEATED:
                k, v = entry.field[0], entry.field[1]
                out.append("%smap<%s, %s> %s = %d;" % (inner, type_name(k), type_name(v), f.name, f.number))
            else:
                out.append(field_line(f, inner))
        for r in m.reserved_range:
            out.append("%sreserved %d to %d;" % (inner, r.start, r.end - 1))
        out.append("%s}" % indent)

    for m in fdp.message_type:
        message(m, "")
    for e in fdp.enum_type:
        enum(e, "")
    return "\n".join(out) + "\n"


# --- registry state --------------------------------------------------------------------------

class Registry:
    def __init__(self):
        self.lock = threading.RLock()
        self.schemas = []          # index id-1: {"schema", "schemaType", "references"}
        self.subjects = {}         # subject -> [id per version]
        self.global_compat = "BACKWARD"
        self.subject_compat = {}
        self.requests = []
        self.injections = []       # {"path", "status", "count", "sleep_ms", "hold"}
        self.gates = {}            # hold name -> threading.Event, set by /__sim/release

    def register(self, subject, body):
        schema_type = body.get("schemaType", "AVRO") or "AVRO"
        entry = {"schema": body["schema"], "schemaType": schema_type, "references": body.get("references") or []}
        with self.lock:
            sid = None
            for i, s in enumerate(self.schemas):
                if s == entry:
                    sid = i + 1
            if sid is None:
                self.schemas.append(entry)
                sid = len(self.schemas)
            versions = self.subjects.setdefault(subject, [])
            if sid not in versions:
                versions.append(sid)
            return sid

    def rendered(self, sid, fmt):
        s = self.schemas[sid - 1]
        text = s["schema"]
        if s["schemaType"] == "PROTOBUF" and fmt != "serialized":
            try:
                from google.protobuf import descriptor_pb2
                fdp = descriptor_pb2.FileDescriptorProto()
                fdp.ParseFromString(base64.b64decode(text, validate=True))
                text = proto_text(fdp)
            except Exception:
                pass  # registered as .proto text already
        out = {"schema": text}
        if s["schemaType"] != "AVRO":
            out["schemaType"] = s["schemaType"]
        if s["references"]:
            out["references"] = s["references"]
        return out


class Handler(BaseHTTPRequestHandler):
    registry = None
    args = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.send_json(status, {"error_code": code, "message": message})

    def authorized(self):
        a = self.args
        header = self.headers.get("Authorization", "")
        if a.basic_auth:
            return header == "Basic " + base64.b64encode(a.basic_auth.encode()).decode()
        if a.bearer:
            return header == "Bearer " + a.bearer
        return True

    def handle_any(self, method):
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        reg = self.registry
        if path.startswith("/__sim/"):
            return self.control(method, path, raw)
        with reg.lock:
            reg.requests.append({"method": method, "path": path, "raw_query": url.query})
            injection = None
            for inj in reg.injections:
                if inj["count"] != 0 and inj["path"] in path:
                    inj["count"] -= 1
                    injection = inj
                    break
        if injection:
            if injection.get("hold"):
                # Held until the test releases it (a test's ordering, not a clock); 100 s at most.
                with reg.lock:
                    gate = reg.gates.setdefault(injection["hold"], threading.Event())
                gate.wait(timeout=100)
            if injection.get("sleep_ms"):
                time.sleep(injection["sleep_ms"] / 1000.0)
            if injection.get("status"):
                return self.error(injection["status"], injection["status"] * 100, "injected failure")
        if not self.authorized():
            return self.error(401, 40101, "Unauthorized")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self.error(422, 42201, "Invalid JSON body")
        parts = [p for p in path.split("/") if p]
        fmt = (query.get("format") or [None])[0]
        with reg.lock:
            return self.route(method, parts, body, query, fmt)

    def route(self, method, parts, body, query, fmt):
        reg = self.registry
        if method == "GET" and parts == []:
            return self.send_json(200, {})
        if parts[:2] == ["schemas", "ids"] and len(parts) == 3 and method == "GET":
            try:
                sid = int(parts[2])
            except ValueError:
                return self.error(404, 40403, "Schema not found")
            if sid < 1 or sid > len(reg.schemas):
                return self.error(404, 40403, "Schema %s not found" % parts[2])
            return self.send_json(200, reg.rendered(sid, fmt))
        if parts[:2] == ["schemas", "ids"] and len(parts) == 4 and parts[3] == "versions" and method == "GET":
            try:
                sid = int(parts[2])
            except ValueError:
                return self.error(404, 40403, "Schema not found")
            if sid < 1 or sid > len(reg.schemas):
                return self.error(404, 40403, "Schema %s not found" % parts[2])
            uses = [{"subject": name, "version": i + 1}
                    for name, ids in sorted(reg.subjects.items()) for i, x in enumerate(ids) if x == sid]
            return self.send_json(200, uses)
        if parts == ["subjects"] and method == "GET":
            return self.send_json(200, sorted(reg.subjects))
        if parts == ["schemas", "types"] and method == "GET":
            return self.send_json(200, ["JSON", "PROTOBUF", "AVRO"])
        if parts and parts[0] == "config":
            if len(parts) == 1:
                if method == "PUT":
                    reg.global_compat = body.get("compatibility", reg.global_compat)
                    return self.send_json(200, {"compatibility": reg.global_compat})
                return self.send_json(200, {"compatibilityLevel": reg.global_compat})
            subject = parts[1]
            if method == "PUT":
                reg.subject_compat[subject] = body.get("compatibility")
                return self.send_json(200, {"compatibility": reg.subject_compat[subject]})
            if subject in reg.subject_compat:
                return self.send_json(200, {"compatibilityLevel": reg.subject_compat[subject]})
            if (query.get("defaultToGlobal") or ["false"])[0] == "true":
                return self.send_json(200, {"compatibilityLevel": reg.global_compat})
            return self.error(404, 40408, "Subject '%s' does not have subject-level compatibility configured" % subject)
        if parts and parts[0] == "subjects" and len(parts) >= 2:
            subject = parts[1]
            if len(parts) == 3 and parts[2] == "versions" and method == "POST":
                if "schema" not in body:
                    return self.error(422, 42201, "Empty schema")
                sid = reg.register(subject, body)
                return self.send_json(200, {"id": sid})
            if len(parts) == 2 and method == "POST":
                versions = reg.subjects.get(subject)
                if versions is None:
                    return self.error(404, 40401, "Subject '%s' not found." % subject)
                entry = {"schema": body.get("schema"), "schemaType": body.get("schemaType", "AVRO") or "AVRO",
                         "references": body.get("references") or []}
                for v, sid in enumerate(versions):
                    if reg.schemas[sid - 1] == entry:
                        out = {"subject": subject, "id": sid, "version": v + 1}
                        out.update(reg.rendered(sid, fmt))
                        return self.send_json(200, out)
                return self.error(404, 40403, "Schema not found")
            versions = reg.subjects.get(subject)
            if versions is None:
                return self.error(404, 40401, "Subject '%s' not found." % subject)
            if len(parts) == 3 and parts[2] == "versions" and method == "GET":
                return self.send_json(200, list(range(1, len(versions) + 1)))
            if len(parts) == 4 and parts[2] == "versions" and method == "GET":
                v = parts[3]
                if v in ("latest", "-1"):
                    n = len(versions)
                else:
                    try:
                        n = int(v)
                    except ValueError:
                        return self.error(422, 42202, "The specified version '%s' is not a valid version id." % v)
                if n < 1 or n > len(versions):
                    return self.error(404, 40402, "Version %s not found." % v)
                sid = versions[n - 1]
                out = {"subject": subject, "version": n, "id": sid}
                out.update(reg.rendered(sid, fmt))
                out.setdefault("schemaType", "AVRO")
                return self.send_json(200, out)
        return self.error(404, 404, "HTTP 404 Not Found")

    def control(self, method, path, raw):
        reg = self.registry
        with reg.lock:
            if path == "/__sim/requests":
                return self.send_json(200, reg.requests)
            if path == "/__sim/clear-requests":
                reg.requests = []
                return self.send_json(200, {})
            if path == "/__sim/inject":
                spec = json.loads(raw)
                reg.injections.append({"path": spec.get("path", ""), "status": spec.get("status", 0),
                                       "count": spec.get("count", 1), "sleep_ms": spec.get("sleep_ms", 0),
                                       "hold": spec.get("hold")})
                return self.send_json(200, {})
            if path == "/__sim/release":
                reg.gates.setdefault(json.loads(raw)["name"], threading.Event()).set()
                return self.send_json(200, {})
            if path == "/__sim/clear-injections":
                reg.injections = []
                return self.send_json(200, {})
        return self.error(404, 404, "no such control endpoint")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--basic-auth", default=None, help="USER:PASSWORD required on every request")
    ap.add_argument("--bearer", default=None, help="bearer token required on every request")
    ap.add_argument("--tls", action="store_true", help="serve HTTPS with a fresh test CA")
    ap.add_argument("--client-auth", action="store_true", help="with --tls: require a client certificate")
    ap.add_argument("--certfile", default=None, help="serve HTTPS with this PEM certificate (chain) instead of --tls's")
    ap.add_argument("--keyfile", default=None)
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    args = ap.parse_args()

    Handler.registry = Registry()
    Handler.args = args
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    hello = {"scheme": "http", "ca": None, "client_cert": None, "client_key": None}
    if args.tls:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from gateway import make_tls
        tls = make_tls(tempfile.mkdtemp(prefix="registry-sim-tls-"), client_auth=args.client_auth)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls["server_cert"], tls["server_key"])
        if args.client_auth:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(tls["ca"])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        hello.update(scheme="https", ca=tls["ca"], client_cert=tls["client_cert"], client_key=tls["client_key"])
    elif args.certfile:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.certfile, args.keyfile)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        hello.update(scheme="https")

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

    hello["port"] = server.server_address[1]
    print(json.dumps(hello), flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
