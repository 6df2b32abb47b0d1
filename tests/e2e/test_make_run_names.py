#!/usr/bin/env python3
"""`make run`, then `wowdash serve` on its shared.db: the dashboard names what the kiosk asks.

Usage: test_make_run_names.py WOWKIOSK WOWDASH

The kiosk runs as `make run` starts it: no config file at all (the development defaults), its
data in XDG_DATA_HOME, syncing to the default shared.db beside its store.  A script taps WOW and
the first reason.  Then `wowdash serve --db` that shared.db (an admin added with `user add`)
must show, at once and by name: the department ("Customer service", not "demo") in
/api/v1/departments.json and on the overview, and the reason ("Friendly staff", not
"friendly") on the department page.  That takes the kiosk seeding the file's catalog from its
development defaults (docs/CATALOG.md, "The SQLite default").
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
from e2e_checks import SLOW, expect, finish, temp_dir  # noqa: E402
from test_dash_http import Client, Server  # noqa: E402

PASSWORD = "pw-make-run-names"


def main():
    wowkiosk, wowdash = sys.argv[1], sys.argv[2]
    tmp = temp_dir("wow-make-run-")
    script = os.path.join(tmp, "run.script")
    with open(script, "w") as f:
        f.write("wait 3000\ntap face:4\nwait 800\ntap reason:1\nwait 3000\nquit\n")
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "xdg"), SDL_VIDEODRIVER="dummy",
               SDL_AUDIODRIVER="dummy", SDL_RENDER_DRIVER="software")
    env.pop("STATE_DIRECTORY", None)
    r = subprocess.run([wowkiosk, "--windowed", "800x480", "--script", script], env=env,
                       capture_output=True, text=True, timeout=120 * SLOW)
    expect(r.returncode == 0, f"wowkiosk exited {r.returncode}: {r.stderr[-2000:]}")
    expect("seeded version 1 from development defaults" in r.stderr,
           "the kiosk did not seed its shared file's catalog from the development defaults")
    shared = os.path.join(tmp, "xdg", "wowkiosk", "shared.db")
    if not expect(os.path.exists(shared), f"no {shared}"):
        finish("make_run_names", "")
    subprocess.run([wowdash, "user", "add", "admin", "--role", "admin", "--password-stdin",
                    "--db", shared], input=PASSWORD + "\n", capture_output=True, text=True,
                   timeout=60, check=True)
    server = Server(wowdash, shared, tmp)
    try:
        client = Client(server.port)
        client.login("admin", PASSWORD)
        items = client.get("/api/v1/departments.json").json()["items"]
        expect([(d["id"], d["name"]) for d in items] == [("demo", "Customer service")],
               f"departments.json: {items}, expected demo named Customer service")
        overview = client.get("/overview").text
        expect("Customer service" in overview, "the overview does not name the department")
        page = client.get("/department/demo?period=last_30_days")
        expect(page.status == 200 and "Friendly staff" in page.text,
               f"the department page does not name the reason chosen: {page.status}")
    finally:
        rc = server.stop()
        expect(rc == 0, f"wowdash serve exited {rc}: {server.text_log()[-2000:]}")
    finish("make_run_names", "make run's shared.db: the dashboard names its department and reason")


if __name__ == "__main__":
    main()
