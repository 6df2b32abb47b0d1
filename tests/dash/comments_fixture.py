"""What the comment tests share: kiosk tokens made with python3's hmac exactly as
docs/COMMENTS.md says (the kiosk side's format, independent of the C code), the kiosks row with
its comment_key, and kiosk-typed comments inserted as the kiosk's sync would."""
import base64
import hashlib
import hmac
import sqlite3
import subprocess
import time

import seed as seedmod

KIOSK_COLUMNS = ["kiosk_id", "site", "label", "department", "timezone", "app_version",
                 "incarnation", "kiosk_clock_ms", "last_seen_ms", "last_success_ms", "backlog",
                 "last_error", "mode", "departments", "comment_key"]
COMMENT_COLUMNS = ["kiosk_id", "incarnation", "tap_id", "source", "department", "rating",
                   "tap_ms", "lang", "body", "written_ms"]


def now_ms():
    return int(time.time() * 1000)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(key_hex, kiosk, incarnation, tap_id, department, rating, tap_ms, lang):
    payload = f"1|{kiosk}|{incarnation}|{tap_id}|{department}|{rating}|{tap_ms}|{lang}".encode()
    mac = hmac.new(bytes.fromhex(key_hex), payload, hashlib.sha256).digest()[:16]
    return b64(payload) + "." + b64(mac)


def kiosk_row(kiosk, department, key_hex, offset_ms=0, departments="", mode="single"):
    """A heartbeat row: the kiosk's clock offset_ms ahead of the database's."""
    seen = now_ms()
    return (kiosk, "HQ", kiosk, department, "UTC", "1.0", "i1", seen + offset_ms, seen, seen, 0,
            "", mode, departments, key_hex)


def query(target, sql):
    """Rows of sql as lists of text."""
    if not seedmod.is_postgres(target):
        con = sqlite3.connect(target, timeout=30)
        try:
            return [[None if v is None else str(v) for v in row] for row in con.execute(sql)]
        finally:
            con.close()
    out = subprocess.run([seedmod.psql_binary(), "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1e", "-d",
                          target, "-c", sql], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    return [rec.split("\x1f") for rec in out.rstrip("\n").split("\x1e") if rec]
