"""A mail sink for the tests: a small SMTP server (RFC 5321's commands that a client sends to
deliver: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on a free loopback port, keeping every
message it accepts.  `refuse` makes it answer DATA's end with 451 (a temporary failure), as a
mail server that is full or greylisting would.

    with SmtpSink() as sink:
        ... send to smtp://127.0.0.1:{sink.port} ...
        sink.messages  -> [{"from": ..., "to": [...], "data": bytes, "subject": str,
                            "body": str, "headers": {...}}]
"""
import email
import email.header
import email.policy
import socket
import threading


class SmtpSink:
    def __init__(self, refuse=False):
        self.refuse = refuse
        self.messages = []
        self.conversations = 0
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stopping = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.thread.join(timeout=5)
        self.server.close()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            if self.stopping:
                conn.close()
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with self.lock:
            self.conversations += 1
        f = conn.makefile("rb")
        out = conn.makefile("wb")

        def say(line):
            out.write(line.encode() + b"\r\n")
            out.flush()
        try:
            say("220 sink.test ESMTP ready")
            sender, rcpts = None, []
            while True:
                line = f.readline(4096)
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    say("250-sink.test")
                    say("250-8BITMIME")
                    say("250 SIZE 10485760")
                elif verb == "HELO":
                    say("250 sink.test")
                elif verb == "MAIL":
                    sender, rcpts = cmd.split(":", 1)[1].strip(), []
                    say("250 2.1.0 ok")
                elif verb == "RCPT":
                    rcpts.append(cmd.split(":", 1)[1].strip())
                    say("250 2.1.5 ok")
                elif verb == "DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    data = b""
                    while True:
                        part = f.readline(65536)
                        if not part or part == b".\r\n":
                            break
                        data += part[1:] if part.startswith(b"..") else part
                    if self.refuse:
                        say("451 4.3.0 try again later")
                    else:
                        self._keep(sender, rcpts, data)
                        say("250 2.0.0 queued")
                elif verb in ("RSET", "NOOP"):
                    say("250 ok")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("502 5.5.2 not here")
        except OSError:
            pass
        finally:
            conn.close()

    def _keep(self, sender, rcpts, data):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
        body = msg.get_content() if not msg.is_multipart() else ""
        with self.lock:
            self.messages.append({"from": sender, "to": rcpts, "data": data, "subject": subject,
                                  "body": body, "headers": dict(msg.items())})
