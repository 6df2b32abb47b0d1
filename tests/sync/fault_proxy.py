#!/usr/bin/env python3
"""A TCP fault proxy between a client and PostgreSQL, for the sync fault tests
(Python standard library only, asyncio in one thread).

Command line:
  fault_proxy.py --upstream HOST:PORT [--listen HOST:PORT] [--control-socket PATH]
      Listens (default 127.0.0.1:0, a free port) and prints "listening PORT" as the first
      line on stdout, then forwards every accepted connection to the upstream.
      It is controlled by lines, each answered with one line "ok ..." or "error ...":
        - on the Unix socket PATH given with --control-socket (or its alias --control),
          one or more controllers at a time; stdin is then not read;
        - otherwise on stdin, answers on stdout; end of stdin stops the proxy.
      SIGTERM or SIGINT stop it.

Commands (refuse, cut_after, stall, delay and stall_on_commit combine and stay on until
pass turns them all off):
  pass             forward normally (the default); releases everything held by stall
                   and stall_on_commit, ends delay and cut_after
  refuse           close new connections at once (RST) and cut the open ones
  cut              cut every open connection now (RST both sides); the mode is unchanged
  cut_after BYTES  cut each connection once it has forwarded BYTES more bytes, both
                   directions counted together (new connections: from their start); the
                   BYTES-th byte is forwarded, nothing after it
  stall            forward nothing either way, keep the sockets open (a black hole) until
                   pass; held bytes are then delivered in order, as TCP would after a
                   partition heals
  delay MS         each chunk is forwarded MS milliseconds after it arrived (latency,
                   not a throughput limit)
  stall_on_commit  forward normally, but once the client->server stream of a connection
                   holds "COMMIT" (any case; sslmode=disable so it is plaintext), that
                   chunk still goes to the server and from then on nothing goes back to
                   that client.  When the server's answer "CommandComplete COMMIT" arrives
                   (so the server has committed) the event line "event commit_stalled" is
                   sent to the controller (stdout, or the control-socket clients that asked
                   for stall_on_commit).  A COMMIT inside some other text (a string literal)
                   also triggers the stall, with no event.
  wait_commit MS   waits up to MS ms for a commit_stalled since the last stall_on_commit:
                   "ok" or "error timeout"
  stats            "ok connections=N bytes_up=N bytes_down=N cuts=N open=N"
                   connections: accepted so far (refused ones too); bytes: forwarded;
                   cuts: connections the proxy closed on purpose (refused ones too)

Module:
  from fault_proxy import FaultProxy
  with FaultProxy(upstream_port) as proxy:     # proxy.port: where clients connect
      proxy.delay(300); proxy.stall(); proxy.passthrough(); proxy.cut_after(4096)
      ev = proxy.stall_on_commit()               # threading.Event, set on commit_stalled
      proxy.refuse(); proxy.cut(); proxy.stats() # -> dict
      proxy.command("delay 50")                  # the line protocol, -> answer line
  The proxy runs its own asyncio loop in a daemon thread; its methods are called from
  other threads (not from inside on_event callbacks).
"""
import argparse
import asyncio
import os
import re
import signal
import socket
import struct
import sys
import threading

CHUNK = 65536
QUEUE_CHUNKS = 16  # read-ahead per direction before the reader blocks (back-pressure)
COMMIT_RE = re.compile(rb"commit", re.IGNORECASE)
# The server's CommandComplete message for a successful COMMIT: 'C', int32 length, "COMMIT\0".
COMMIT_DONE = b"C" + struct.pack("!I", 4 + len(b"COMMIT\0")) + b"COMMIT\0"


def _rst_close(writer):
    """Closes a stream's socket with an RST (SO_LINGER 0), not a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class _Conn:
    """One proxied connection: client <-> upstream, two directions, four tasks."""

    def __init__(self, cid, client_w):
        self.id = cid
        self.client_w = client_w
        self.upstream_w = None
        self.budget = None          # bytes left before cut_after cuts, or None
        self.down_held = False      # stall_on_commit: nothing more goes to the client
        self.commit_armed = False   # COMMIT forwarded, waiting for its CommandComplete
        self.commit_reported = False
        self.up_tail = b""          # last bytes client->server, to find COMMIT across chunks
        self.down_tail = b""        # last bytes server->client, to find CommandComplete
        self.tasks = []
        self.closed = False


class FaultProxy:
    """See the module docstring."""

    def __init__(self, upstream_port, upstream_host="127.0.0.1", listen_host="127.0.0.1",
                 listen_port=0, on_event=None, verbose=False):
        self.upstream = (upstream_host, int(upstream_port))
        self.listen = (listen_host, int(listen_port))
        self.port = None
        self.on_event = on_event    # called with "commit_stalled" from the proxy's thread
        self.verbose = verbose      # log commands, cuts and events to stderr
        self._loop = None
        self._thread = None
        self._server = None
        self._extra_servers = []    # the CLI's control socket
        self._conns = set()
        self._next_id = 0
        # mode
        self._refusing = False
        self._stalled = False
        self._delay_s = 0.0
        self._cut_after = None
        self._stall_on_commit = False
        self._commit_event = threading.Event()
        self._commit_async = None   # asyncio.Event mirror of _commit_event, for wait_commit
        self._changed = None        # asyncio.Event, replaced at each mode change
        # stats
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.cuts = 0
        self._event_writers = set()  # control-socket clients that get event lines

    # --- life cycle -----------------------------------------------------------------------
    def start(self):
        """Starts the loop thread and the listener; returns self once self.port is set."""
        ready = threading.Event()
        failure = []

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._open())
            except Exception as e:  # noqa: BLE001 - handed to start()
                failure.append(e)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    async def _open(self):
        self._changed = asyncio.Event()
        self._commit_async = asyncio.Event()
        self._server = await asyncio.start_server(self._accept, self.listen[0], self.listen[1],
                                                  reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self):
        """Cuts every connection, closes the listener and ends the thread."""
        if self._thread is None:
            return
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    async def _close(self):
        for srv in [self._server] + self._extra_servers:
            srv.close()
        for c in list(self._conns):
            self._drop(c, rst=True)
        # Whatever still runs (control-socket clients, tasks being cancelled) ends here,
        # before the loop closes.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in others:
            t.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        for w in list(self._event_writers):
            w.close()

    def __enter__(self):
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _log(self, msg):
        if self.verbose:
            print(f"fault_proxy[{self.port}]: {msg}", file=sys.stderr, flush=True)

    # --- commands, from other threads ------------------------------------------------------
    def command(self, line, timeout=None):
        """Runs one control line; returns the answer line (without newline)."""
        fut = asyncio.run_coroutine_threadsafe(self._command(line), self._loop)
        return fut.result(timeout)

    def _checked(self, line):
        answer = self.command(line)
        if not answer.startswith("ok"):
            raise RuntimeError(f"fault proxy: {line!r}: {answer}")
        return answer

    def passthrough(self):
        self._checked("pass")

    def refuse(self):
        self._checked("refuse")

    def cut(self):
        self._checked("cut")

    def cut_after(self, nbytes):
        self._checked(f"cut_after {int(nbytes)}")

    def stall(self):
        self._checked("stall")

    def delay(self, ms):
        self._checked(f"delay {int(ms)}")

    def stall_on_commit(self):
        """Arms stall_on_commit; returns a threading.Event set at the first commit_stalled."""
        self._checked("stall_on_commit")
        return self._commit_event

    def stats(self):
        """{"connections": N, "bytes_up": N, "bytes_down": N, "cuts": N, "open": N}"""
        answer = self._checked("stats")
        return {k: int(v) for k, v in (f.split("=") for f in answer.split()[1:])}

    # --- the line protocol, on the loop ----------------------------------------------------
    async def _command(self, line, events_to=None):
        words = line.split()
        if not words:
            return "error empty command"
        cmd, args = words[0], words[1:]
        if cmd != "stats":
            self._log(" ".join(words))
        want = {"pass": 0, "refuse": 0, "cut": 0, "cut_after": 1, "stall": 0, "delay": 1,
                "stall_on_commit": 0, "wait_commit": 1, "stats": 0}
        if cmd not in want:
            return f"error unknown command {cmd!r} (pass refuse cut cut_after stall delay " \
                   "stall_on_commit wait_commit stats)"
        if len(args) != want[cmd]:
            return f"error {cmd} takes {want[cmd]} argument(s)"
        n = None
        if args:
            try:
                n = int(args[0])
            except ValueError:
                n = -1
            if n < 0:
                return f"error {cmd}: {args[0]!r} is not a non-negative integer"

        if cmd == "pass":
            self._refusing = self._stalled = self._stall_on_commit = False
            self._delay_s, self._cut_after = 0.0, None
            for c in self._conns:
                c.budget, c.down_held, c.commit_armed = None, False, False
        elif cmd == "refuse":
            self._refusing = True
            self._cut_all()
        elif cmd == "cut":
            self._cut_all()
        elif cmd == "cut_after":
            self._cut_after = n
            for c in self._conns:
                c.budget = n
            if n == 0:
                self._cut_all()
        elif cmd == "stall":
            self._stalled = True
        elif cmd == "delay":
            self._delay_s = n / 1000.0
        elif cmd == "stall_on_commit":
            self._stall_on_commit = True
            self._commit_event.clear()
            self._commit_async.clear()
            if events_to is not None:
                self._event_writers.add(events_to)
        elif cmd == "wait_commit":
            try:
                await asyncio.wait_for(self._commit_async.wait(), n / 1000.0)
            except asyncio.TimeoutError:
                return "error timeout"
        elif cmd == "stats":
            return (f"ok connections={self.connections} bytes_up={self.bytes_up} "
                    f"bytes_down={self.bytes_down} cuts={self.cuts} open={len(self._conns)}")
        self._wake()
        return "ok"

    def _wake(self):
        """Wakes every task waiting for a mode change."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _cut_all(self):
        for c in list(self._conns):
            self._drop(c, rst=True)

    def _event(self, name):
        self._log(f"event {name}")
        if self.on_event is not None:
            self.on_event(name)
        for w in list(self._event_writers):
            if w.is_closing():
                self._event_writers.discard(w)
            else:
                w.write(f"event {name}\n".encode())

    # --- connections -------------------------------------------------------------------------
    async def _accept(self, client_r, client_w):
        self.connections += 1
        if self._refusing:
            self.cuts += 1
            _rst_close(client_w)
            return
        self._next_id += 1
        c = _Conn(self._next_id, client_w)
        c.budget = self._cut_after
        self._conns.add(c)
        try:
            up_r, c.upstream_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            self._drop(c, rst=True, counted=False)
            return
        if c.closed:  # cut (and counted) while connecting
            _rst_close(c.upstream_w)
            return
        c.upstream_w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP,
                                                         socket.TCP_NODELAY, 1)
        client_w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        up_q = asyncio.Queue(QUEUE_CHUNKS)
        down_q = asyncio.Queue(QUEUE_CHUNKS)
        c.tasks = [asyncio.create_task(self._read(c, client_r, up_q, "up")),
                   asyncio.create_task(self._write(c, up_q, c.upstream_w, "up")),
                   asyncio.create_task(self._read(c, up_r, down_q, "down")),
                   asyncio.create_task(self._write(c, down_q, client_w, "down"))]

    def _drop(self, c, rst, counted=True):
        """Closes both sides of c (RST when rst, else FIN after what was written)."""
        if c.closed:
            return
        c.closed = True
        self._conns.discard(c)
        if rst and counted:
            self.cuts += 1
            self._log(f"cut connection {c.id}")
        for w in (c.client_w, c.upstream_w):
            if w is None:
                continue
            if rst:
                _rst_close(w)
            else:
                w.close()
        me = asyncio.current_task()
        for t in c.tasks:
            if t is not me:
                t.cancel()

    async def _read(self, c, reader, q, direction):
        """Reads one direction into q as (arrival time, bytes); None at end of stream."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if direction == "down" and c.commit_armed:
                    self._look_for_commit_done(c, data)
                await q.put((loop.time(), data))
        except (ConnectionError, OSError):
            pass
        await q.put(None)

    def _look_for_commit_done(self, c, data):
        buf = c.down_tail + data
        c.down_tail = buf[-(len(COMMIT_DONE) - 1):]
        if COMMIT_DONE in buf and not c.commit_reported:
            c.commit_reported = True
            c.commit_armed = False
            self._commit_event.set()
            self._commit_async.set()
            self._event("commit_stalled")

    def _held(self, c, direction):
        return self._stalled or (direction == "down" and c.down_held)

    async def _write(self, c, q, writer, direction):
        """Forwards q to writer, applying the current mode to every chunk."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                item = await q.get()
                # A held stream holds its end (FIN) too: a black hole sends nothing.
                while self._held(c, direction):
                    await self._changed.wait()
                if item is None:
                    break
                arrived, data = item
                while True:  # the delay may change (pass) while waiting
                    wait = arrived + self._delay_s - loop.time()
                    if wait <= 0:
                        break
                    changed = self._changed
                    try:
                        await asyncio.wait_for(changed.wait(), wait)
                    except asyncio.TimeoutError:
                        pass
                while self._held(c, direction):
                    await self._changed.wait()
                if direction == "up" and self._stall_on_commit and not c.down_held:
                    buf = c.up_tail + data
                    if COMMIT_RE.search(buf):
                        c.down_held = True
                        c.commit_armed = True
                        c.down_tail = b""
                    c.up_tail = buf[-5:]
                cut = False
                if c.budget is not None:
                    if len(data) >= c.budget:
                        data, cut = data[:c.budget], True
                    c.budget -= len(data)
                if data:
                    writer.write(data)
                    if direction == "up":
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                    await writer.drain()
                if cut:
                    self._drop(c, rst=True)
                    return
        except (ConnectionError, OSError):
            pass
        # One side ended (or failed): close both after what was written (PostgreSQL
        # has no use for half-closed connections).
        self._drop(c, rst=False)


# --- command line ---------------------------------------------------------------------------
def _hostport(s):
    host, sep, port = s.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"want HOST:PORT, not {s!r}")
    return host, int(port)


async def _serve_control_socket(proxy, path):
    async def client(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                answer = await proxy._command(line.decode(errors="replace"), events_to=writer)
                writer.write((answer + "\n").encode())
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            proxy._event_writers.discard(writer)
            writer.close()

    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    proxy._extra_servers.append(await asyncio.start_unix_server(client, path))


def main(argv=None):
    p = argparse.ArgumentParser(description="TCP fault proxy for the PostgreSQL sync tests.")
    p.add_argument("--listen", type=_hostport, default=("127.0.0.1", 0), metavar="HOST:PORT")
    p.add_argument("--upstream", type=_hostport, required=True, metavar="HOST:PORT")
    p.add_argument("--control-socket", "--control", dest="control_socket", metavar="PATH",
                   help="Unix socket for the control lines (default: stdin/stdout)")
    args = p.parse_args(argv)

    out_lock = threading.Lock()

    def say(line):
        with out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def on_event(name):
        if not args.control_socket:  # the control-socket clients get theirs there
            say(f"event {name}")

    proxy = FaultProxy(args.upstream[1], args.upstream[0], args.listen[0], args.listen[1],
                       on_event=on_event, verbose=True)
    proxy.start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    if args.control_socket:
        asyncio.run_coroutine_threadsafe(
            _serve_control_socket(proxy, args.control_socket), proxy._loop).result(10)
    say(f"listening {proxy.port}")
    print(f"fault_proxy: 127.0.0.1:{proxy.port} -> {args.upstream[0]}:{args.upstream[1]}"
          + (f", control {args.control_socket}" if args.control_socket else ", control stdin"),
          file=sys.stderr, flush=True)

    if not args.control_socket:
        def read_stdin():
            for line in sys.stdin:
                if line.strip():
                    say(proxy.command(line))
            done.set()
        threading.Thread(target=read_stdin, daemon=True).start()
    while not done.wait(0.5):
        pass
    proxy.stop()
    if args.control_socket:
        try:
            os.unlink(args.control_socket)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
