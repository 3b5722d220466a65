"""TLS and SASL in front of a plaintext Kafka broker (the librdkafka mock has neither).

A Gateway listens on its own loopback port and forwards each connection to one broker.
- TLS: the listener is a TLS server (CA and certificates made with the openssl CLI, see make_tls()).
- SASL: the gateway answers SaslHandshake v0-1 and SaslAuthenticate v0-2 itself, for PLAIN and
  SCRAM-SHA-256/512 (RFC 5802 as Kafka uses it: no channel binding), and adds both APIs to the
  broker's ApiVersions answer. Any other request before authentication closes the connection, as
  Kafka does. After a successful login the connection is a plain byte pipe to the broker.
Kafka behaviour copied: error 33 for an unknown mechanism (listing the enabled ones), error 58 with a
message on failed authentication, then the connection closes; SCRAM needs at least 4096 iterations.
"""

import base64
import hashlib
import hmac
import os
import select
import socket
import ssl
import struct
import subprocess
import threading

API_SASL_HANDSHAKE = 17
API_API_VERSIONS = 18
API_SASL_AUTHENTICATE = 36

ERR_NONE = 0
ERR_UNSUPPORTED_SASL_MECHANISM = 33
ERR_ILLEGAL_SASL_STATE = 34
ERR_SASL_AUTHENTICATION_FAILED = 58

SCRAM_HASHES = {"SCRAM-SHA-256": hashlib.sha256, "SCRAM-SHA-512": hashlib.sha512}
SCRAM_ITERATIONS = 4096
MAX_FRAME = 100 * 1024 * 1024


class GatewayError(Exception):
    pass


def make_tls(directory, hostnames=("localhost",), client_auth=False, loopback_ip=True):
    """A CA, a server certificate for `hostnames` (+ 127.0.0.1 unless loopback_ip is False: a test that
    must prove the name checked is the URL's, not a forwarder's loopback address), and (client_auth) a
    client certificate. Returns paths: ca, server_cert, server_key, client_cert, client_key (None when not made)."""
    os.makedirs(directory, exist_ok=True)

    def run(*args):
        out = subprocess.run(["openssl", *args], capture_output=True, text=True)
        if out.returncode != 0:
            raise GatewayError("openssl %s: %s" % (args[0], out.stderr.strip()[-500:]))

    p = {k: os.path.join(directory, k) for k in ("ca.pem", "ca.key", "server.pem", "server.key", "server.csr",
                                                  "client.pem", "client.key", "client.csr", "server.ext",
                                                  "client.ext")}
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p["ca.key"], "-out", p["ca.pem"], "-days", "7",
        "-subj", "/CN=kafscope test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    san = ",".join(["DNS:%s" % h for h in hostnames] + (["IP:127.0.0.1"] if loopback_ip else []))
    with open(p["server.ext"], "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n" % san)
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p["server.key"], "-out", p["server.csr"],
        "-subj", "/CN=%s" % hostnames[0])
    run("x509", "-req", "-in", p["server.csr"], "-CA", p["ca.pem"], "-CAkey", p["ca.key"], "-CAcreateserial",
        "-out", p["server.pem"], "-days", "7", "-extfile", p["server.ext"])
    result = {"ca": p["ca.pem"], "server_cert": p["server.pem"], "server_key": p["server.key"],
              "client_cert": None, "client_key": None}
    if client_auth:
        with open(p["client.ext"], "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n")
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p["client.key"], "-out", p["client.csr"],
            "-subj", "/CN=kafscope-test-client")
        run("x509", "-req", "-in", p["client.csr"], "-CA", p["ca.pem"], "-CAkey", p["ca.key"], "-CAcreateserial",
            "-out", p["client.pem"], "-days", "7", "-extfile", p["client.ext"])
        result.update(client_cert=p["client.pem"], client_key=p["client.key"])
    return result


# --- wire helpers ---------------------------------------------------------------------------

class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise GatewayError("truncated request")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        shift = result = 0
        while True:
            b = self.take(1)[0]
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 28:
                raise GatewayError("varint too long")

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode("utf-8", "replace")

    def bytes32(self):
        n = self.i32()
        return None if n < 0 else self.take(n)

    def compact_bytes(self):
        n = self.uvarint()
        return None if n == 0 else self.take(n - 1)

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def kstring(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def read_frame(sock):
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    if size < 0 or size > MAX_FRAME:
        raise GatewayError("bad frame size %d" % size)
    return recv_exact(sock, size)


def send_frame(sock, body):
    sock.sendall(struct.pack(">i", len(body)) + body)


def add_sasl_api_versions(body, version):
    """Rewrites an ApiVersions response body so that it lists SaslHandshake and SaslAuthenticate."""
    r = Reader(body)
    corr = r.take(4)  # response header v0, always, for ApiVersions
    error = r.i16()
    flexible = version >= 3
    count = (r.uvarint() - 1) if flexible else r.i32()
    entries = {}
    for _ in range(max(count, 0)):
        key, lo, hi = r.i16(), r.i16(), r.i16()
        if flexible:
            r.skip_tags()
        entries[key] = (lo, hi)
    rest = body[r.pos:]
    if error != ERR_NONE:
        return body  # an error answer lists only ApiVersions; leave it alone
    entries.setdefault(API_SASL_HANDSHAKE, (0, 1))
    entries.setdefault(API_SASL_AUTHENTICATE, (0, 2))
    out = bytearray(corr + struct.pack(">h", error))
    out += uvarint(len(entries) + 1) if flexible else struct.pack(">i", len(entries))
    for key in sorted(entries):
        lo, hi = entries[key]
        out += struct.pack(">hhh", key, lo, hi)
        if flexible:
            out += b"\x00"
    return bytes(out + rest)


# --- SASL ----------------------------------------------------------------------------------

class Scram:
    def __init__(self, mechanism, users):
        self.hash = SCRAM_HASHES[mechanism]
        self.users = users
        self.state = "first"
        self.user = None

    def _hmac(self, key, msg):
        return hmac.new(key, msg, self.hash).digest()

    def step(self, token):
        """Returns (ok, reply bytes, error message, done)."""
        text = token.decode("utf-8", "replace")
        if self.state == "first":
            # gs2 header: n,, or y,, (no channel binding) with optional a=authzid.
            parts = text.split(",", 2)
            if len(parts) < 3 or parts[0] not in ("n", "y"):
                return False, b"", "Invalid SCRAM client first message", True
            authzid = parts[1][2:] if parts[1].startswith("a=") else None
            bare = parts[2]
            attrs = dict(a.split("=", 1) for a in bare.split(",") if "=" in a)
            user = attrs.get("n", "").replace("=2C", ",").replace("=3D", "=")
            cnonce = attrs.get("r", "")
            if authzid and authzid != user:
                return False, b"", "Authentication failed: authorization id differs from user name", True
            password = self.users.get(user)
            if password is None or not cnonce:
                return False, b"", ("Authentication failed during authentication due to invalid credentials "
                                    "with SASL mechanism %s" % ("SCRAM-SHA-512" if self.hash is hashlib.sha512
                                                                 else "SCRAM-SHA-256")), True
            self.user = user
            self.salt = os.urandom(16)
            self.nonce = cnonce + base64.b64encode(os.urandom(18)).decode().replace(",", "_")
            self.client_first_bare = bare
            self.server_first = "r=%s,s=%s,i=%d" % (self.nonce, base64.b64encode(self.salt).decode(),
                                                   SCRAM_ITERATIONS)
            self.salted = hashlib.pbkdf2_hmac(self.hash().name, password.encode(), self.salt, SCRAM_ITERATIONS)
            self.state = "final"
            return True, self.server_first.encode(), None, False
        if self.state == "final":
            attrs = dict(a.split("=", 1) for a in text.split(",") if "=" in a)
            without_proof = text[:text.rfind(",p=")] if ",p=" in text else text
            if attrs.get("r") != self.nonce or "p" not in attrs:
                return False, b"", "Authentication failed: invalid SCRAM client final message", True
            auth_message = ("%s,%s,%s" % (self.client_first_bare, self.server_first, without_proof)).encode()
            client_key = self._hmac(self.salted, b"Client Key")
            stored_key = self.hash(client_key).digest()
            signature = self._hmac(stored_key, auth_message)
            try:
                proof = base64.b64decode(attrs["p"])
            except ValueError:
                proof = b""
            recovered = bytes(a ^ b for a, b in zip(proof, signature)) if len(proof) == len(signature) else b""
            self.state = "done"
            if not recovered or not hmac.compare_digest(self.hash(recovered).digest(), stored_key):
                return False, b"", ("Authentication failed during authentication due to invalid credentials "
                                    "with SASL mechanism %s" % ("SCRAM-SHA-512" if self.hash is hashlib.sha512
                                                                 else "SCRAM-SHA-256")), True
            server_key = self._hmac(self.salted, b"Server Key")
            verifier = base64.b64encode(self._hmac(server_key, auth_message)).decode()
            return True, ("v=%s" % verifier).encode(), None, True
        return False, b"", "Illegal SASL state", True


def plain_check(token, users):
    parts = token.split(b"\x00")
    if len(parts) != 3:
        return False, "Invalid SASL/PLAIN message"
    authzid, user, password = (p.decode("utf-8", "replace") for p in parts)
    if authzid and authzid != user:
        return False, "Authentication failed: Client requested an authorization id that is different from username"
    expected = users.get(user)
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return False, "Authentication failed: Invalid username or password"
    return True, None


# --- the gateway ---------------------------------------------------------------------------

class Gateway:
    def __init__(self, backend_port, tls=None, client_auth=False, mechanisms=(), users=None):
        self.backend = ("127.0.0.1", backend_port)
        self.mechanisms = list(mechanisms)
        self.users = dict(users or {})
        self.ssl_context = None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(tls["server_cert"], tls["server_key"])
            if client_auth:
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(tls["ca"])
            self.ssl_context = ctx
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        self.conns = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.closed:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, raw):
        client = backend = None
        try:
            raw.settimeout(30)
            client = self.ssl_context.wrap_socket(raw, server_side=True) if self.ssl_context else raw
            client.settimeout(None)
            backend = socket.create_connection(self.backend, timeout=10)
            backend.settimeout(None)
            with self.lock:
                self.conns.update((client, backend))
            if self.mechanisms and not self._authenticate(client, backend):
                return
            self._pump(client, backend)
        except (OSError, EOFError, GatewayError, ssl.SSLError):
            pass
        finally:
            for s in (client, backend, raw):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
            with self.lock:
                self.conns.discard(client)
                self.conns.discard(backend)

    def _authenticate(self, client, backend):
        mechanism = None
        scram = None
        while True:
            frame = read_frame(client)
            r = Reader(frame)
            api_key, version, corr = r.i16(), r.i16(), r.i32()
            r.string()  # client id
            if api_key == API_API_VERSIONS:
                send_frame(backend, frame)
                send_frame(client, add_sasl_api_versions(read_frame(backend), version))
                continue
            corr_bytes = struct.pack(">i", corr)
            if api_key == API_SASL_HANDSHAKE:
                requested = r.string()
                enabled = list(self.mechanisms)
                ok = requested in enabled
                send_frame(client, corr_bytes + struct.pack(">h", ERR_NONE if ok else ERR_UNSUPPORTED_SASL_MECHANISM)
                           + struct.pack(">i", len(enabled)) + b"".join(kstring(m) for m in enabled))
                if not ok:
                    return False
                mechanism = requested
                scram = Scram(mechanism, self.users) if mechanism in SCRAM_HASHES else None
                if version == 0:
                    # v0: the SASL tokens follow as bare size-prefixed frames, without Kafka headers.
                    return self._authenticate_raw(client, mechanism, scram)
                continue
            if api_key == API_SASL_AUTHENTICATE and mechanism is not None:
                flexible = version >= 2
                if flexible:
                    r.skip_tags()
                    token = r.compact_bytes() or b""
                else:
                    token = r.bytes32() or b""
                if mechanism == "PLAIN":
                    ok, message = plain_check(token, self.users)
                    reply, done = b"", True
                else:
                    ok, reply, message, done = scram.step(token)
                self._sasl_reply(client, corr, version, ERR_NONE if ok else ERR_SASL_AUTHENTICATION_FAILED,
                                 message, reply)
                if not ok:
                    return False
                if done:
                    return True
                continue
            # Anything else before authentication: Kafka closes the connection.
            return False

    def _authenticate_raw(self, client, mechanism, scram):
        while True:
            token = read_frame(client)
            if mechanism == "PLAIN":
                ok, _message = plain_check(token, self.users)
                reply, done = b"", True
            else:
                ok, reply, _message, done = scram.step(token)
            if not ok:
                return False  # v0 has no error frame: the broker just closes the connection
            if reply or mechanism == "PLAIN":
                send_frame(client, reply)
            if done:
                return True

    @staticmethod
    def _sasl_reply(client, corr, version, error, message, token):
        if version >= 2:
            body = struct.pack(">i", corr) + b"\x00" + struct.pack(">h", error)
            if message is None:
                body += b"\x00"
            else:
                m = message.encode()
                body += uvarint(len(m) + 1) + m
            body += uvarint(len(token) + 1) + token + struct.pack(">q", 0) + b"\x00"
        else:
            body = struct.pack(">i", corr) + struct.pack(">h", error) + kstring(message)
            body += struct.pack(">i", len(token)) + token
            if version >= 1:
                body += struct.pack(">q", 0)
        send_frame(client, body)

    @staticmethod
    def _pump(a, b):
        socks = [a, b]
        while True:
            # TLS sockets may hold decrypted bytes that select() cannot see.
            ready = [s for s in socks if isinstance(s, ssl.SSLSocket) and s.pending()]
            if not ready:
                ready, _, _ = select.select(socks, [], [], 60)
                if not ready:
                    continue
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)

    def close(self):
        self.closed = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        try:
            self.listener.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self.conns)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
