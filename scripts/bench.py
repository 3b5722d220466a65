#!/usr/bin/env python3
"""kafscope benchmarks against kcat on the same librdkafka mock cluster.

  records  decode speed of fetch responses (KafscopeBench, release build)
  render   Topics screen render time with 20,000 rows (KafscopeBench, release build)
  topics   `kafscope get topics -o json` vs `kcat -L`, 2,000 topics x 10 partitions, 3 brokers
  firstpaint  the Topics screen's first frame (rows) vs `kcat -L`, 4,000 topics x 10 partitions, 3 brokers
  groups   requests sent per broker when describing the lag of 500 groups
  lagstatus  500 groups on 20 topics x 10 partitions: one refresh with lag only, with time lag, and
           with status (second sample); wall and CPU time, requests per broker (KafscopeBench;
           KAFSCOPE_BENCH_BUILD=debug uses the debug build instead of building a release one)
  reset    `kafscope group reset-offsets` of one group over 1,000 partitions on 3 brokers (plan and
           --execute: requests per broker) vs the same plan's offsets read with `kcat -Q`
  tail     `kafscope tail --from beginning --exit-at-end` vs `kcat -C -e`, ~300,000 x 100-byte records
  schema   Avro and Protobuf decoding of a 12-field record to JSON, records/s on one core (KafscopeBench)
  schematail  `kafscope tail -o json` of 300,000 Avro records written by confluent-kafka's AvroSerializer,
           decoded through the registry simulator vs the same tail without a registry (and kcat)
  idle     CPU use and bytes written to the terminal while the TUI idles with auto-refresh
  produce  `kafscope produce T --file F` vs `kcat -P -l F`, 300,000 x 100-byte lines, and the
           tail -o json | produce --format jsonl round trip of a 300,000-record topic
  tunnel   through an SSH jump host (sshd in a network namespace of its own; needs root): tail of
           300,000 records through the tunnel vs on the jump host, and the Topics screen's first rows
           (tmux) direct, through the tunnel, and with 50 ms RTT added on the SSH link (tc netem)

Wall time is the median of several runs; memory is the peak RSS reported by /usr/bin/time.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Peers"))
from mock_cluster import MockCluster  # noqa: E402

RELEASE_BIN = os.path.join(ROOT, ".build", "release")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def log(msg):
    print(msg, flush=True)


def build_release(product):
    subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(RELEASE_BIN, product)


def timed(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MiB, peer CPU seconds)."""
    return timed_cpu(cmd, env=env, stdout=stdout)[:3]


def timed_cpu(cmd, env=None, stdout=subprocess.DEVNULL):
    """As `timed`, plus the command's own CPU time (user + system seconds) last.

    The librdkafka mock runs on threads of this Python process, which itself only waits meanwhile:
    this process's CPU time over the run is the time the peer spent serving the command."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start, cpu0 = time.perf_counter(), time.process_time()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", tf.name] + cmd, env=env, stdout=stdout,
                              stderr=subprocess.PIPE)
        elapsed, peer_cpu = time.perf_counter() - start, time.process_time() - cpu0
        if proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (cmd[0], proc.returncode, proc.stderr.decode()[-2000:]))
        rss_kib, user, system = tf.read().strip().splitlines()[-1].split()
    return elapsed, int(rss_kib) / 1024.0, peer_cpu, float(user) + float(system)


def compare(label_a, cmd_a, label_b, cmd_b, env=None, extra=(), cpu=False):
    """Median wall time, peak RSS and the peer's CPU of each command; with `cpu`, its own CPU time too
    (user + system: on a shared machine the steadier figure)."""
    results = {}
    for label, cmd in ((label_a, cmd_a), (label_b, cmd_b)) + tuple(extra):
        timed(cmd, env=env)  # warm-up: page cache, broker connections' first-use costs
        runs = [timed_cpu(cmd, env=env) for _ in range(RUNS)]
        results[label] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs),
                          statistics.median(r[2] for r in runs), statistics.median(r[3] for r in runs))
    log("| command | median wall time | peak RSS | peer CPU (mock serving it) |" + (" median CPU time (user+sys) |" if cpu else ""))
    log("|---|---|---|---|" + ("---|" if cpu else ""))
    for label, (secs, rss, peer, own) in results.items():
        log("| `%s` | %.3f s | %.1f MiB | %.3f s |" % (label, secs, rss, peer) + (" %.3f s |" % own if cpu else ""))
    a, b = results[label_a][0], results[label_b][0]
    log("ratio %s / %s: %.2f" % (label_a.split()[0], label_b.split()[0], a / b))
    return results


def bench_swift(which):
    exe = build_release("KafscopeBench")
    subprocess.run([exe, which], check=True)


def bench_topics():
    kafscope = build_release("kafscope")
    mc = MockCluster(brokers=3)
    try:
        for i in range(2000):
            mc.create_topic("bench-topic-%04d" % i, partitions=10, replication_factor=3)
        boot = mc.bootstraps
        log("mock cluster %s: 2,000 topics x 10 partitions, 3 brokers" % boot)
        # `get brokers` reads the same Metadata without offsets: the cost of ListOffsets on its own.
        compare("kafscope get topics -o json", [kafscope, "get", "topics", "-o", "json", "-b", boot],
                "kcat -L", ["kcat", "-L", "-b", boot],
                extra=[("kafscope get brokers -o json", [kafscope, "get", "brokers", "-o", "json", "-b", boot])])
    finally:
        mc.close()


def bench_firstpaint():
    """Issue 11 item 6: the Topics screen's first frame on 4,000 topics x 10 partitions, 3 brokers,
    against `kcat -L` (one Metadata request) on the same mock; the full frame adds the offsets and sizes."""
    exe = build_release("KafscopeBench")
    mc = MockCluster(brokers=3)
    try:
        for i in range(4000):
            mc.create_topic("paint-topic-%04d" % i, partitions=10, replication_factor=3)
        boot = mc.bootstraps
        log("mock cluster %s: 4,000 topics x 10 partitions, 3 brokers" % boot)
        first, full = [], []
        for run in range(RUNS + 1):
            out = subprocess.run([exe, "firstpaint", boot], check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            if "error" in r or r["rows"] != 4000 or not r["first_frame_had_pending_cells"]:
                raise RuntimeError("firstpaint run did not paint 4,000 rows first: %s" % out)
            if run > 0:  # the first run warms the page cache
                first.append(r["first_frame_s"])
                full.append(r["full_frame_s"])
        timed(["kcat", "-L", "-b", boot])
        kcat = statistics.median(timed(["kcat", "-L", "-b", boot])[0] for _ in range(RUNS))
        f, u = statistics.median(first), statistics.median(full)
        log("| what | median wall time |")
        log("|---|---|")
        log("| kafscope Topics screen, first frame (rows from Metadata) | %.3f s |" % f)
        log("| kafscope Topics screen, full frame (messages, sizes, min ISR) | %.3f s |" % u)
        log("| `kcat -L` | %.3f s |" % kcat)
        log("ratio first frame / kcat -L: %.2f" % (f / kcat))
    finally:
        mc.close()


def bench_groups():
    kafscope = build_release("kafscope")
    mc = MockCluster(brokers=3)
    cfg_dir = tempfile.mkdtemp(prefix="kafscope-bench-")
    try:
        topics = ["lag-%02d" % i for i in range(20)]
        for t in topics:
            mc.create_topic(t, partitions=10, replication_factor=3)
        groups = ["bench-group-%03d" % i for i in range(500)]
        for n, g in enumerate(groups):
            t = topics[n % len(topics)]
            mc.commit_offsets(g, t, {str(p): 0 for p in range(10)})
        cfg = os.path.join(cfg_dir, "config.toml")
        with open(cfg, "w") as f:
            f.write('default_context = "bench"\n[contexts.bench]\nbootstrap = ["%s"]\ngroups = %s\n'
                    % (mc.bootstraps.split(",")[0], json.dumps(groups)))
        env = dict(os.environ, KAFSCOPE_REQUEST_STATS="1")
        start = time.perf_counter()
        proc = subprocess.run([kafscope, "get", "groups", "-o", "json", "--config", cfg], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        elapsed = time.perf_counter() - start
        rows = json.loads(proc.stdout)
        log("500 groups, 20 topics x 10 partitions: %d groups described in %.2f s" % (len(rows), elapsed))
        log(proc.stderr.decode().strip())
    finally:
        mc.close()
        shutil.rmtree(cfg_dir, ignore_errors=True)


def bench_lagstatus():
    if os.environ.get("KAFSCOPE_BENCH_BUILD") == "debug":
        exe = os.path.join(ROOT, ".build", "debug", "KafscopeBench")
    else:
        exe = build_release("KafscopeBench")
    from confluent_kafka import Producer
    mc = MockCluster(brokers=3)
    work = tempfile.mkdtemp(prefix="kafscope-bench-")
    try:
        topics = ["lag-%02d" % i for i in range(20)]
        for t in topics:
            mc.create_topic(t, partitions=10, replication_factor=3)
        # 20 records per partition, stamped one second apart, so every group's next record has an age.
        p = Producer({"bootstrap.servers": mc.bootstraps, "linger.ms": 20, "log_level": 3})
        base = int(time.time() * 1000) - 3_600_000
        for t in topics:
            for part in range(10):
                for i in range(20):
                    p.produce(t, value=b"v%d" % i, partition=part, timestamp=base + i * 1000)
        p.flush(30)
        groups = ["bench-group-%03d" % i for i in range(500)]
        for n, g in enumerate(groups):
            # 25 groups per topic, at offsets 0-9 of 20: all lag, at different offsets.
            mc.commit_offsets(g, topics[n % len(topics)], {str(part): (n // 20 + part) % 10 for part in range(10)})
        groups_file = os.path.join(work, "groups.txt")
        with open(groups_file, "w") as f:
            f.write("\n".join(groups) + "\n")
        log("500 groups on 20 topics x 10 partitions, 3 brokers (librdkafka mock); %s build; the machine may be shared"
            % ("debug" if os.environ.get("KAFSCOPE_BENCH_BUILD") == "debug" else "release"))
        out = subprocess.run([exe, "lagstatus", mc.bootstraps, groups_file, "--runs", "5"],
                             stdout=subprocess.PIPE, check=True, text=True).stdout
        for line in out.splitlines():
            log(line)
    finally:
        mc.close()
        shutil.rmtree(work, ignore_errors=True)


def bench_reset():
    """Issue 15: a reset over 1,000 partitions is one ListOffsets per broker per offset kind and one
    OffsetCommit. kcat cannot read committed offsets nor commit from outside a group: its share is the
    log bounds a hand-made plan needs (`kcat -Q` for every partition's beginning and end)."""
    kafscope = os.environ.get("BENCH_KAFSCOPE") or build_release("kafscope")
    mc = MockCluster(brokers=3)
    try:
        topics = ["reset-%02d" % i for i in range(10)]
        for t in topics:
            mc.create_topic(t, partitions=100, replication_factor=1)
            for p in range(100):
                mc.set_leader(t, p, 1 + (p % 3))
            mc.produce(t, [{"value": "r%d" % i, "partition": p} for p in range(100) for i in range(3)])
            mc.commit_offsets("reset-bench", t, {str(p): 2 for p in range(100)})
        boot = mc.bootstraps.split(",")[0]
        env = dict(os.environ, KAFSCOPE_REQUEST_STATS="1")
        base = [kafscope, "group", "reset-offsets", "reset-bench", "--all-topics", "--to-earliest", "-b", boot]
        proc = subprocess.run(base + ["--execute", "--yes"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError("reset --execute failed: %s" % proc.stderr.decode()[-2000:])
        rows = [l for l in proc.stdout.decode().splitlines() if l.startswith("reset-bench")]
        log("1,000 partitions (10 topics x 100, leaders on 3 brokers): --execute reset %d partitions" % len(rows))
        log("requests of the --execute run (KAFSCOPE_REQUEST_STATS):")
        log(proc.stderr.decode().strip())
        queries = []
        for t in topics:
            for p in range(100):
                queries += ["-t", "%s:%d:-2" % (t, p), "-t", "%s:%d:-1" % (t, p)]
        compare("kafscope group reset-offsets (dry run: committed + earliest + latest)", base,
                "kcat -Q (earliest + latest of 1,000 partitions)", ["kcat", "-Q", "-b", boot] + queries)
    finally:
        mc.close()


def bench_tail():
    # BENCH_KAFSCOPE: an already built binary (skips the release build).
    kafscope = os.environ.get("BENCH_KAFSCOPE") or build_release("kafscope")
    mc = MockCluster(brokers=1)
    try:
        topic = "tail-bench"
        count = int(os.environ.get("BENCH_TAIL_RECORDS", "300000"))
        # The librdkafka mock keeps at most 5 MiB / 100,000 message sets per partition and trims the
        # oldest beyond that (rdkafka_mock.c); ~115 bytes a record on the log: 40,000 records a partition
        # stay well inside, so every produced record remains readable.
        partitions = max(1, -(-count // 25000))
        fill_tail_topic(mc, topic, count, partitions)
        boot = mc.bootstraps
        got = subprocess.run(["kcat", "-C", "-b", boot, "-t", topic, "-o", "beginning", "-e", "-q"],
                             stdout=subprocess.PIPE, check=True).stdout.count(b"\n")
        ours = subprocess.run([kafscope, "tail", topic, "--from", "beginning", "--exit-at-end", "-o", "text",
                               "-b", boot], stdout=subprocess.PIPE, check=True).stdout.count(b"\n")
        log("topic %s: %d partitions, %d records of 100 bytes produced; kcat read %d, kafscope printed %d"
            % (topic, partitions, count, got, ours))
        if got != count:
            raise RuntimeError("kcat read %d of %d produced records: the mock trimmed some" % (got, count))
        if ours != got:
            raise RuntimeError("kafscope printed %d records, kcat %d: the timings would not compare" % (ours, got))
        compare("kafscope tail -o text", [kafscope, "tail", topic, "--from", "beginning", "--exit-at-end",
                                          "-o", "text", "-b", boot],
                "kcat -C -e -q", ["kcat", "-C", "-b", boot, "-t", topic, "-o", "beginning", "-e", "-q"])
    finally:
        mc.close()


def bench_schematail():
    import io
    import random
    import struct
    import fastavro
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroSerializer
    from confluent_kafka.serialization import SerializationContext, MessageField
    from schema_records import avro_names, random_avro, read
    kafscope = os.environ.get("BENCH_KAFSCOPE") or build_release("kafscope")
    registry = subprocess.Popen([sys.executable, "-u", os.path.join(ROOT, "Tests", "Peers", "registry_sim.py"),
                                 "--port", "0", "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
    url = "http://127.0.0.1:%d" % json.loads(registry.stdout.readline())["port"]
    mc = MockCluster(brokers=1)
    try:
        topic = "avro-bench"
        count = int(os.environ.get("BENCH_TAIL_RECORDS", "300000"))
        partitions = max(1, -(-count // 25000))  # the mock trims partitions beyond 5 MiB (see bench_tail)
        text = read("bench.avsc")
        schema = json.loads(text)
        serializer = AvroSerializer(SchemaRegistryClient({"url": url}), text, conf={"auto.register.schemas": True})
        rnd = random.Random(7)
        names = avro_names(schema)
        # 1,000 distinct values written by confluent-kafka's serializer, cycled: the decoder's work per
        # record is the same and the producer stays fast enough for 300,000.
        values = [serializer(random_avro(names, schema, rnd), SerializationContext(topic, MessageField.VALUE))
                  for _ in range(1000)]
        parsed = fastavro.parse_schema(schema)
        assert fastavro.schemaless_reader(io.BytesIO(values[0][5:]), parsed, None) is not None
        fill_tail_topic(mc, topic, count, partitions, values)
        boot = mc.bootstraps
        base = [kafscope, "tail", topic, "--from", "beginning", "--exit-at-end", "-o", "json", "-b", boot]
        decoded = subprocess.run(base + ["--schema-registry", url], stdout=subprocess.PIPE, check=True).stdout.splitlines()
        first = json.loads(decoded[0])
        avg = sum(len(v) for v in values) / len(values)
        log("topic %s: %d partitions, %d Avro records (%.0f-byte payloads, schema id %d); kafscope printed %d, "
            "first value_format %s" % (topic, partitions, count, avg, struct.unpack(">I", values[0][1:5])[0],
                                        len(decoded), first.get("value_format")))
        if len(decoded) != count or first.get("value_format") != "avro":
            raise RuntimeError("the decoded tail is not complete or not decoded: the timings would not compare")
        compare("kafscope tail -o json (Avro decoded through the registry)", base + ["--schema-registry", url],
                "kafscope tail -o json (no registry: bytes as base64)", base,
                extra=(("kcat -C -e -q (raw bytes)", ["kcat", "-C", "-b", boot, "-t", topic, "-o", "beginning", "-e", "-q"]),))
    finally:
        mc.close()
        registry.stdin.close()
        registry.wait(timeout=10)


def bench_produce():
    kafscope = os.environ.get("BENCH_KAFSCOPE") or build_release("kafscope")
    count = int(os.environ.get("BENCH_PRODUCE_RECORDS", "300000"))
    mc = MockCluster(brokers=1)
    try:
        boot = mc.bootstraps
        # 12 partitions keep each under the mock's 5 MiB per-partition log cap for one run's records.
        for t in ("p-kafscope", "p-kcat"):
            mc.create_topic(t, partitions=12, replication_factor=1)
        with tempfile.TemporaryDirectory() as d:
            lines = os.path.join(d, "records.txt")
            with open(lines, "wb") as f:
                for i in range(count):
                    f.write(b"%08d" % i + b"x" * 92 + b"\n")
            compare("kafscope produce --file", [kafscope, "produce", "p-kafscope", "--file", lines, "--yes", "-b", boot],
                    "kcat -P -l", ["kcat", "-P", "-b", boot, "-t", "p-kcat", "-l", lines], cpu=True)
            # Round trip: a topic of `count` records (kcat wrote them above, once per run) -> JSON lines -> a copy.
            mc.create_topic("rt-src", partitions=12, replication_factor=1)
            # Not sticky: kcat's sticky partitioner filled some partitions past the mock's per-partition
            # cap, which dropped their oldest records (the topic held 250,000-290,000 of the 300,000).
            subprocess.run(["kcat", "-P", "-b", boot, "-t", "rt-src", "-X", "sticky.partitioning.linger.ms=0", "-l", lines],
                           check=True)
            dump = os.path.join(d, "dump.jsonl")
            # Medians of RUNS runs: one run on a shared machine moved by half between runs.
            tails, produces = [], []
            for run in range(RUNS):
                with open(dump, "wb") as out:
                    tails.append(timed_cpu([kafscope, "tail", "rt-src", "--from", "beginning", "--exit-at-end", "-o",
                                            "json", "-b", boot], stdout=out))
                copy = "rt-copy-%d" % run
                mc.create_topic(copy, partitions=12, replication_factor=1)
                produces.append(timed_cpu([kafscope, "produce", copy, "--format", "jsonl", "--keep-partitions",
                                           "--keep-timestamps", "--file", dump, "--yes", "-b", boot]))
            n = sum(1 for _ in open(dump, "rb"))
            copied = subprocess.run("kcat -C -b %s -t %s -o beginning -e -q | wc -l" % (boot, copy), shell=True,
                                    check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
            med = lambda runs, i: statistics.median(r[i] for r in runs)
            log("round trip, medians of %d runs (%d records dumped, %s read back from the copy by kcat):" % (RUNS, n, copied))
            log("| `kafscope tail rt-src --from beginning --exit-at-end -o json > dump` | %.3f s | %.1f MiB | CPU %.3f s |"
                % (med(tails, 0), max(r[1] for r in tails), med(tails, 3)))
            log("| `kafscope produce rt-copy --format jsonl --keep-partitions --keep-timestamps --file dump` | %.3f s | %.1f MiB | CPU %.3f s |"
                % (med(produces, 0), max(r[1] for r in produces), med(produces, 3)))
    finally:
        mc.close()


def bench_idle():
    """Runs the TUI in tmux on the demo cluster; samples CPU time and pane output bytes."""
    kafscope = build_release("kafscope")
    seconds = int(os.environ.get("BENCH_IDLE_SECONDS", "60"))
    demo = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests", "Peers", "demo.py"), "--kafscope",
                             kafscope, "--no-ui"], stdout=subprocess.PIPE, text=True)
    session = "kafscope-bench-idle"
    out = tempfile.NamedTemporaryFile(delete=False, suffix=".pane")
    try:
        cfg = demo.stdout.readline().strip()  # --no-ui prints the config path first
        if not cfg or not os.path.exists(cfg):
            raise RuntimeError("demo did not print its config path")
        subprocess.run(["tmux", "-L", session, "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
                        "env -u NO_COLOR TERM=xterm-256color %s --config %s --context demo" % (kafscope, cfg)],
                       check=True)
        time.sleep(8)  # first paint and first refreshes
        subprocess.run(["tmux", "-L", session, "pipe-pane", "-o", "-t", session, "cat >> %s" % out.name], check=True)
        pid = int(subprocess.run(["tmux", "-L", session, "display", "-p", "-t", session, "#{pane_pid}"], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout.strip())
        def cpu():
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        c0, t0 = cpu(), time.time()
        time.sleep(seconds)
        c1, t1 = cpu(), time.time()
        written = os.path.getsize(out.name)
        refreshes = seconds / 5.0
        log("idle %d s with auto-refresh every 5 s: CPU %.2f%% of a core; %d bytes written to the terminal "
            "(%.0f bytes per refresh)" % (seconds, 100 * (c1 - c0) / (t1 - t0), written, written / refreshes))
    finally:
        subprocess.run(["tmux", "-L", session, "kill-server"], stderr=subprocess.DEVNULL)
        demo.terminate()
        demo.wait(30)
        os.unlink(out.name)



# --- SSH jump host (issue 19) ---------------------------------------------------------------------

class JumpLab:
    """A network namespace of this run's own (veth pair, 10.252.X.Y/30), a throwaway sshd inside it
    and a client key; the peers run inside, reachable from here only through sshd. Removes itself."""

    def __init__(self):
        if os.geteuid() != 0 or not os.path.exists("/usr/sbin/sshd"):
            raise RuntimeError("the tunnel benchmark needs root (ip netns) and sshd (openssh-server)")
        tag = "%x" % os.getpid()
        self.ns, self.veth_out, self.veth_in = "kbn%s" % tag, "kbn%sa" % tag, "kbn%sb" % tag
        third = os.getpid() % 250
        self.host_addr, self.ssh_addr, self.port = "10.252.%d.1" % third, "10.252.%d.2" % third, 2222
        self.dir = tempfile.mkdtemp(prefix="kafscope-bench-ssh-")
        self.sshd = None
        sh = lambda *a: subprocess.run(a, check=True, stdout=subprocess.DEVNULL)
        self.sh = sh
        sh("ip", "netns", "add", self.ns)
        try:
            sh("ip", "link", "add", self.veth_out, "type", "veth", "peer", "name", self.veth_in)
            sh("ip", "link", "set", self.veth_in, "netns", self.ns)
            sh("ip", "addr", "add", self.host_addr + "/30", "dev", self.veth_out)
            sh("ip", "link", "set", self.veth_out, "up")
            self.inside("ip", "addr", "add", self.ssh_addr + "/30", "dev", self.veth_in)
            self.inside("ip", "link", "set", self.veth_in, "up")
            self.inside("ip", "link", "set", "lo", "up")
            for name in ("host", "client"):
                sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(self.dir, name))
            shutil.copy(os.path.join(self.dir, "client.pub"), os.path.join(self.dir, "authorized_keys"))
            with open(os.path.join(self.dir, "sshd_config"), "w") as f:
                f.write("Port %d\nListenAddress %s\nHostKey %s/host\nPidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\n"
                        "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
                        "PermitRootLogin prohibit-password\nAllowTcpForwarding yes\n"
                        % (self.port, self.ssh_addr, self.dir, self.dir, self.dir))
            os.makedirs("/run/sshd", exist_ok=True)
            self.sshd = subprocess.Popen(["ip", "netns", "exec", self.ns, "/usr/sbin/sshd", "-D", "-e", "-f",
                                          os.path.join(self.dir, "sshd_config")], stderr=subprocess.DEVNULL)
            import socket
            for _ in range(200):
                try:
                    socket.create_connection((self.ssh_addr, self.port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
        except Exception:
            self.close()
            raise

    def inside(self, *args):
        self.sh("ip", "netns", "exec", self.ns, *args)

    def config(self, bootstrap, ssh=None):
        """A config whose context `lab` reaches `bootstrap` (as the jump host sees it) through sshd
        (or through `ssh`, an (address, port) in front of it)."""
        addr, port = ssh or (self.ssh_addr, self.port)
        path = os.path.join(self.dir, "config-%d.toml" % len(os.listdir(self.dir)))
        with open(os.path.join(self.dir, "host.pub")) as f:
            key = " ".join(f.read().split()[:2])
        with open(os.path.join(self.dir, "known_hosts"), "a") as f:
            f.write("[%s]:%d %s\n" % (addr, port, key))
        with open(path, "w") as f:
            f.write('default_context = "lab"\n[contexts.lab]\nbootstrap = "%s"\n[contexts.lab.ssh]\nhost = "root@%s:%d"\n'
                    'identity_file = "%s/client"\nknown_hosts = "%s/known_hosts"\nagent = false\n'
                    % (bootstrap, addr, port, self.dir, self.dir))
        return path

    def serve(self, what, env=None):
        """Runs `bench.py _serve WHAT` inside the namespace (the mock and its data); returns (proc, ready)."""
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns, sys.executable, os.path.abspath(__file__), "_serve", what],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the peer inside the namespace did not start")
        return proc, json.loads(line)

    def close(self):
        if self.sshd:
            self.sshd.kill()
            self.sshd.wait()
        out = subprocess.run(["ip", "netns", "pids", self.ns], stdout=subprocess.PIPE, text=True, stderr=subprocess.DEVNULL).stdout
        for pid in out.split():
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
        subprocess.run(["ip", "link", "del", self.veth_out], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", self.ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class DelayProxy:
    """A TCP proxy on 127.0.0.1 that holds every chunk `one_way` seconds in each direction (order
    kept): `one_way` = 0.025 adds 50 ms to the round trip of the one connection it carries. Used
    when the kernel has no netem qdisc (`tc qdisc ... netem` fails in this container)."""

    def __init__(self, target, one_way):
        import asyncio
        import threading
        self.target, self.one_way = target, one_way
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def pump(reader, writer):
            queue = asyncio.Queue()

            async def release():
                while True:
                    due, data = await queue.get()
                    delay = due - self.loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if data is None:
                        writer.close()
                        return
                    writer.write(data)
                    await writer.drain()
            task = asyncio.ensure_future(release())
            while True:
                data = await reader.read(65536)
                await queue.put((self.loop.time() + self.one_way, data or None))
                if not data:
                    break
            await task

        async def handle(r1, w1):
            r2, w2 = await asyncio.open_connection(*self.target)
            await asyncio.gather(pump(r1, w2), pump(r2, w1), return_exceptions=True)

        async def start():
            self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.loop.run_forever()
        threading.Thread(target=run, daemon=True).start()
        started.wait(10)

    def close(self):
        import asyncio

        async def shutdown():
            self.loop.set_exception_handler(lambda loop, context: None)  # the cancelled pumps' noise
            self.server.close()
            for t in asyncio.all_tasks():
                if t is not asyncio.current_task():
                    t.cancel()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


def serve(what):
    """Inside the lab's namespace: builds the peer, prints {"bootstrap": ...}, waits for stdin EOF."""
    if what == "tail":
        mc = MockCluster(brokers=1)
        count = int(os.environ.get("BENCH_TAIL_RECORDS", "300000"))
        partitions = max(1, -(-count // 25000))
        fill_tail_topic(mc, "tail-bench", count, partitions)
        print(json.dumps({"bootstrap": mc.bootstraps, "topic": "tail-bench", "count": count}), flush=True)
    else:
        import threading
        from confluent_kafka import Producer
        mc = MockCluster(brokers=3)
        n = int(os.environ.get("BENCH_PAINT_TOPICS", "4000"))
        # The mock serves control calls from its I/O loop, which sleeps while no client talks to it
        # (a run here sat at 0 % CPU for 10 minutes): a client asks for one topic's metadata meanwhile.
        awake, done = Producer({"bootstrap.servers": mc.bootstraps, "log_level": 3}), threading.Event()

        def keep_awake():
            while not done.is_set():
                try:
                    awake.list_topics(topic="paint-topic-0000", timeout=5)
                except Exception:
                    pass
                done.wait(0.1)
        threading.Thread(target=keep_awake, daemon=True).start()
        for i in range(n):
            mc.create_topic("paint-topic-%04d" % i, partitions=10, replication_factor=3)
        done.set()
        print(json.dumps({"bootstrap": mc.bootstraps.split(",")[0], "topics": n}), flush=True)
    sys.stdin.read()
    mc.close()


def fill_tail_topic(mc, topic, count, partitions, values=(b"x" * 100,)):
    """count records over the partitions in turn, values cycled (100 bytes of x unless given)."""
    from confluent_kafka import Producer
    mc.create_topic(topic, partitions=partitions, replication_factor=1)
    p = Producer({"bootstrap.servers": mc.bootstraps, "linger.ms": 20, "batch.num.messages": 10000,
                  "queue.buffering.max.messages": 1000000, "log_level": 3})
    for i in range(count):
        while True:
            try:
                p.produce(topic, values[i % len(values)], key=b"k%d" % (i % 1000), partition=i % partitions)
                break
            except BufferError:
                p.poll(0.05)
    if p.flush(60) != 0:
        raise RuntimeError("producer did not deliver every record")


def tmux_first_paint(command, marker, session):
    """Seconds from starting `command` in a 120x36 tmux pane until `marker` is on the screen."""
    tmux_first_paint.runs = getattr(tmux_first_paint, "runs", 0) + 1
    session = "%s-%d-%d" % (session, os.getpid(), tmux_first_paint.runs)  # a server of its own per run
    start = time.perf_counter()
    subprocess.run(["tmux", "-L", session, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
                    command], check=True)
    try:
        while time.perf_counter() - start < 120:
            screen = subprocess.run(["tmux", "-L", session, "capture-pane", "-p", "-t", session],
                                    stdout=subprocess.PIPE, text=True).stdout
            if marker in screen:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise RuntimeError("no first paint within 120 s: %s" % screen)
    finally:
        subprocess.run(["tmux", "-L", session, "kill-server"], stderr=subprocess.DEVNULL)


def bench_tunnel():
    """Issue 19: `tail` of 300,000 records through the SSH jump host vs run on the jump host itself, and
    the Topics screen's first paint through the tunnel with 50 ms added to the SSH link's round trip."""
    kafscope = os.environ.get("BENCH_KAFSCOPE") or build_release("kafscope")
    lab = JumpLab()
    try:
        proc, ready = lab.serve("tail")
        try:
            boot, topic = ready["bootstrap"], ready["topic"]
            cfg = lab.config(boot)
            log("tail: mock broker %s inside namespace %s, %d records of 100 bytes; sshd %s:%d"
                % (boot, lab.ns, ready["count"], lab.ssh_addr, lab.port))
            args = ["tail", topic, "--from", "beginning", "--exit-at-end", "-o", "text"]
            through = subprocess.run([kafscope] + args + ["--config", cfg], stdout=subprocess.PIPE, check=True).stdout.count(b"\n")
            if through != ready["count"]:
                raise RuntimeError("through the tunnel kafscope printed %d of %d records" % (through, ready["count"]))
            compare("ssh: kafscope tail through the jump host", [kafscope] + args + ["--config", cfg],
                    "direct: kafscope tail run on the jump host", ["ip", "netns", "exec", lab.ns, kafscope] + args + ["-b", boot])
        finally:
            proc.stdin.close()
            proc.wait(60)
        proc, ready = lab.serve("paint")
        try:
            boot = ready["bootstrap"]
            cfg = lab.config(boot)
            log("first paint: 3 mock brokers inside the namespace, %d topics x 10 partitions" % ready["topics"])
            env = "env -u NO_COLOR TERM=xterm-256color HOME=%s " % lab.dir
            cases = [("direct, on the jump host", "ip netns exec %s %s%s -b %s" % (lab.ns, env, kafscope, boot)),
                     ("through the SSH jump host", "%s%s --config %s" % (env, kafscope, cfg))]
            results = {}
            for label, cmd in cases:
                tmux_first_paint(cmd, "paint-topic-0000", "kbench-paint")  # warm-up
                results[label] = statistics.median(tmux_first_paint(cmd, "paint-topic-0000", "kbench-paint") for _ in range(RUNS))
            label = "through the SSH jump host, +50 ms RTT on the SSH link"
            netem = subprocess.run(["ip", "netns", "exec", lab.ns, "tc", "qdisc", "add", "dev", lab.veth_in, "root",
                                    "netem", "delay", "50ms"], stderr=subprocess.PIPE, text=True)
            proxy = None
            if netem.returncode == 0:
                slow_cmd = cases[1][1]
                label += " (tc netem)"
            else:
                log("tc netem is not available here (%s); a user-space proxy in front of sshd delays each "
                    "direction by 25 ms instead" % netem.stderr.strip())
                proxy = DelayProxy((lab.ssh_addr, lab.port), 0.025)
                slow_cmd = "%s%s --config %s" % (env, kafscope, lab.config(boot, ("127.0.0.1", proxy.port)))
                label += " (delaying proxy)"
            try:
                tmux_first_paint(slow_cmd, "paint-topic-0000", "kbench-paint")
                results[label] = statistics.median(tmux_first_paint(slow_cmd, "paint-topic-0000", "kbench-paint")
                                                   for _ in range(RUNS))
            finally:
                if proxy:
                    proxy.close()
                else:
                    lab.inside("tc", "qdisc", "del", "dev", lab.veth_in, "root")
            log("| Topics screen, first rows on the terminal (tmux, 10 ms polls) | median |")
            log("|---|---|")
            for label, secs in results.items():
                log("| %s | %.3f s |" % (label, secs))
        finally:
            proc.stdin.close()
            proc.wait(60)
    finally:
        lab.close()


def main():
    if sys.argv[1:2] == ["_serve"]:
        serve(sys.argv[2])
        return
    which = sys.argv[1:] or ["all"]
    if which == ["all"]:
        which = ["records", "render", "schema", "topics", "firstpaint", "groups", "lagstatus", "reset", "tail", "schematail", "idle", "produce"]
    for w in which:
        log("\n## %s" % w)
        if w in ("records", "render", "schema"):
            bench_swift(w)
        else:
            {"topics": bench_topics, "firstpaint": bench_firstpaint, "groups": bench_groups, "lagstatus": bench_lagstatus,
             "reset": bench_reset,
             "tail": bench_tail, "idle": bench_idle, "produce": bench_produce, "schematail": bench_schematail,
             "tunnel": bench_tunnel}[w]()


if __name__ == "__main__":
    main()
