#!/usr/bin/env python3
"""deploy_deb: the two Debian packages are built, hold what they should, and
(as root) install, run, remove and purge cleanly.

Usage: test_deb.py BUILD_DIR SOURCE_DIR VERSION

1. cpack in BUILD_DIR, into a temporary directory.
2. dpkg-deb -f/-I/-c: name, version, architecture, Depends (the explicit ones
   and those dpkg-shlibdeps computed), conffiles, maintainer scripts, files.
3. Only as root (otherwise exit 77, which CTest reports as skipped), and only
   on a machine without the packages or a wowkiosk user (the test would
   purge them): dpkg -i both; the system user and its state directory are
   there, no unit is enabled; the installed kiosk checks the shipped config,
   then runs as the wowkiosk user under the dummy video driver with a
   script tapping face:4, and its store holds that tap; the installed
   wowdash migrates a SQLite file.  dpkg --remove keeps the state and the
   user; dpkg --purge (always, also after a failure) removes everything.
"""
import glob
import grp
import os
import pwd
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

SKIP = 77
PACKAGES = ["wowkiosk", "wowdash"]
STATE_DIR = "/var/lib/wowkiosk"

# Depends every package must carry: the explicit ones, and ones that only
# dpkg-shlibdeps can have added (so a build without it fails here).
DEPENDS = {
    "wowkiosk": ["adduser", "libegl1", "libgles2", "libgl1-mesa-dri", "libc6", "libsdl2-2.0-0",
                 "libsdl2-ttf-2.0-0", "libsqlite3-0", "libinih1", "libpq5", "libdrm2",
                 "libespeak-ng1"],
    "wowdash": ["adduser", "libc6", "libsqlite3-0", "libpq5"],
}
CONFFILES = {"wowkiosk": ["/etc/wowkiosk/kiosk.conf"], "wowdash": ["/etc/default/wowdash"]}
FILES = {
    "wowkiosk": ["/usr/bin/wowkiosk", "/usr/share/wowkiosk/fonts/DejaVuSans.ttf",
                 "/usr/share/wowkiosk/fonts/DejaVuSans-Bold.ttf",
                 "/usr/share/wowkiosk/fonts/LICENSE-DejaVu.txt", "/usr/share/wowkiosk/po/fi.po",
                 "/usr/share/wowkiosk/po/de.po", "/etc/wowkiosk/kiosk.conf",
                 "/lib/systemd/system/wowkiosk.service",
                 "/lib/systemd/system/wowkiosk-headless.service", "/usr/share/doc/wowkiosk/README.md",
                 "/usr/share/doc/wowkiosk/CONFIG.md", "/usr/share/doc/wowkiosk/DEPLOY.md",
                 "/usr/share/doc/wowkiosk/copyright", "/usr/lib/wowkiosk/autoboot-backend",
                 "/usr/lib/wowkiosk/slot-check", "/lib/systemd/system/wowkiosk-slot.service",
                 "/usr/lib/wowkiosk/wowkiosk-updater",
                 "/lib/systemd/system/wowkiosk-updater.service",
                 "/lib/systemd/system/wowkiosk-updater.timer",
                 "/usr/share/doc/wowkiosk/rauc-system.conf"],
    "wowdash": ["/usr/bin/wowdash", "/usr/share/wowkiosk/dash/dash.css",
                "/lib/systemd/system/wowdash.service", "/etc/default/wowdash",
                "/usr/share/doc/wowdash/DEPLOY.md", "/usr/share/doc/wowdash/copyright"],
}
# Where a package may put files at all.
ROOTS = ("/usr/bin/", "/usr/lib/wowkiosk/", "/usr/share/wowkiosk/", "/usr/share/doc/wowkiosk/", "/usr/share/doc/wowdash/",
         "/etc/wowkiosk/", "/etc/default/", "/lib/systemd/system/")
# The shipped copies of files from the source tree, byte for byte.
SOURCES = {
    "/lib/systemd/system/wowkiosk.service": "platform/rpi/systemd/wowkiosk.service",
    "/lib/systemd/system/wowkiosk-headless.service":
        "platform/rpi/systemd/wowkiosk-headless.service",
    "/lib/systemd/system/wowdash.service": "platform/rpi/systemd/wowdash.service",
    "/etc/wowkiosk/kiosk.conf": "platform/rpi/kiosk.conf",
    "/etc/default/wowdash": "platform/rpi/wowdash.default",
    "/usr/lib/wowkiosk/autoboot-backend": "platform/rpi/update/autoboot-backend",
    "/usr/lib/wowkiosk/slot-check": "platform/rpi/update/slot-check",
    "/lib/systemd/system/wowkiosk-slot.service": "platform/rpi/update/wowkiosk-slot.service",
    "/usr/lib/wowkiosk/wowkiosk-updater": "platform/rpi/update/wowkiosk-updater",
    "/lib/systemd/system/wowkiosk-updater.timer": "platform/rpi/update/wowkiosk-updater.timer",
}

SCRIPT = """\
wait 500
tap face:4
wait 1000
quit
"""


def run(cmd, **kw):
    """Runs cmd, returns the CompletedProcess; output is text."""
    kw.setdefault("timeout", 300)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def must(cmd, what, **kw):
    """Runs cmd and fails the test, with its output, unless it exits 0."""
    done = run(cmd, **kw)
    assert done.returncode == 0, "%s: %s exited %d\n%s%s" % (what, " ".join(cmd), done.returncode,
                                                              done.stdout, done.stderr)
    return done


def build(build_dir, out_dir):
    """cpack in the build directory, packages into out_dir; returns {name: path}."""
    must(["cpack", "-G", "DEB", "-B", out_dir], "building the packages", cwd=build_dir, timeout=900)
    debs = {}
    for name in PACKAGES:
        found = glob.glob(os.path.join(out_dir, name + "_*.deb"))
        assert len(found) == 1, "expected one %s_*.deb in %s, found %s" % (name, out_dir, found)
        debs[name] = found[0]
    return debs


def depends_names(field):
    """Package names in a Depends field ("a (>= 1), b | c" -> {a, b, c})."""
    names = set()
    for part in field.replace("|", ",").split(","):
        if part.strip():
            names.add(part.split()[0])
    return names


def check_control(name, deb, version, arch):
    field = lambda f: must(["dpkg-deb", "-f", deb, f], "reading " + deb).stdout.strip()
    assert field("Package") == name, "%s: Package is %r" % (deb, field("Package"))
    assert field("Version") == version, "%s: Version %r, expected %r" % (deb, field("Version"),
                                                                       version)
    assert field("Architecture") == arch, "%s: Architecture %r, expected %r" % (
        deb, field("Architecture"), arch)
    for key in ("Maintainer", "Description", "Section"):
        assert field(key), "%s: no %s field" % (deb, key)
    depends = field("Depends")
    missing = [d for d in DEPENDS[name] if d not in depends_names(depends)]
    assert not missing, "%s: Depends %r lacks %s" % (deb, depends, missing)
    print("deploy_deb: %s %s %s Depends: %s" % (name, version, arch, depends))


def check_control_files(name, deb, tmp):
    ctrl = os.path.join(tmp, "control-" + name)
    must(["dpkg-deb", "--control", deb, ctrl], "extracting the control files of " + deb)
    with open(os.path.join(ctrl, "conffiles")) as f:
        conffiles = f.read().split()
    assert conffiles == CONFFILES[name], "%s: conffiles %s, expected %s" % (deb, conffiles,
                                                                          CONFFILES[name])
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(ctrl, script)
        assert os.path.isfile(path), "%s: no %s" % (deb, script)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o755, "%s: %s has mode %o, expected 755" % (deb, script, mode)
        must(["sh", "-n", path], "%s %s: shell syntax" % (name, script))
        with open(path) as f:
            text = f.read()
        assert "@WOW_" not in text, "%s: %s has an unconfigured @WOW_...@" % (deb, script)
        code = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        for word in ("systemctl enable", "systemctl start", "systemctl restart",
                     "deb-systemd-invoke start"):
            assert word not in code, "%s: %s runs %s" % (deb, script, word)


def check_files(name, deb, tmp, source_dir):
    listing = must(["dpkg-deb", "-c", deb], "listing " + deb).stdout.splitlines()
    files = {}
    for line in listing:
        fields = line.split(None, 5)
        path = fields[5].split(" -> ")[0]
        if path.startswith("./") and not path.endswith("/"):
            files[path[1:]] = fields[0]
    missing = [f for f in FILES[name] if f not in files]
    assert not missing, "%s: missing %s; it has %s" % (deb, missing, sorted(files))
    stray = [f for f in files if not f.startswith(ROOTS)]
    assert not stray, "%s: files outside %s: %s" % (deb, ROOTS, stray)
    binary = "/usr/bin/" + name
    assert files[binary] == "-rwxr-xr-x", "%s: %s is %s" % (deb, binary, files[binary])
    assert not [f for f in files if f.endswith(".pot")], "%s: ships a .pot template" % deb
    root = os.path.join(tmp, "root-" + name)
    must(["dpkg-deb", "-x", deb, root], "unpacking " + deb)
    for path, source in SOURCES.items():
        if path in files:
            with open(root + path, "rb") as a, open(os.path.join(source_dir, source), "rb") as b:
                assert a.read() == b.read(), "%s: %s differs from %s" % (deb, path, source)
    print("deploy_deb: %s holds %d files, conffiles %s" % (name, len(files), CONFFILES[name]))


def dpkg(args, what):
    """dpkg with args, waiting up to a minute for another dpkg or apt to finish."""
    deadline = time.monotonic() + 60
    while True:
        done = run(["dpkg"] + args)
        locked = "lock" in done.stderr and done.returncode != 0
        if not locked or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert done.returncode == 0, "%s: dpkg %s exited %d\n%s%s" % (what, " ".join(args),
                                                                   done.returncode, done.stdout,
                                                                   done.stderr)


def installed(name):
    status = run(["dpkg-query", "-W", "-f=${db:Status-Status}", name]).stdout.strip()
    return status not in ("", "not-installed")


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def check_installed():
    user = pwd.getpwnam("wowkiosk")
    assert user.pw_uid < 1000, "wowkiosk has uid %d, not a system user's" % user.pw_uid
    assert user.pw_dir == STATE_DIR, "wowkiosk's home is %s" % user.pw_dir
    assert user.pw_shell in ("/usr/sbin/nologin", "/bin/false"), "shell %s" % user.pw_shell
    assert grp.getgrgid(user.pw_gid).gr_name == "wowkiosk", "primary group is not wowkiosk"
    st = os.stat(STATE_DIR)
    assert st.st_uid == user.pw_uid and stat.S_IMODE(st.st_mode) == 0o700, \
        "%s: owner %d mode %o, expected wowkiosk 700" % (STATE_DIR, st.st_uid,
                                                         stat.S_IMODE(st.st_mode))
    for group in ("video", "input", "render"):
        if group_exists(group):
            assert "wowkiosk" in grp.getgrnam(group).gr_mem, "wowkiosk is not in %s" % group
    enabled = glob.glob("/etc/systemd/system/*.wants/wow*.service")
    assert not enabled, "the packages enabled units: %s" % enabled


def run_kiosk(tmp):
    """The installed kiosk as the service's user: one tap on face:4."""
    done = must(["/usr/bin/wowkiosk", "--check-config", "/etc/wowkiosk/kiosk.conf"],
                "checking the shipped config")
    assert done.stdout.strip() == "/etc/wowkiosk/kiosk.conf: ok", \
        "--check-config printed %r" % done.stdout
    user = pwd.getpwnam("wowkiosk")
    work = os.path.join(tmp, "run")
    state = os.path.join(work, "state")
    os.makedirs(state)
    script = os.path.join(work, "tap.script")
    with open(script, "w") as f:
        f.write(SCRIPT)
    for path in (work, state, script):
        os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(tmp, 0o755)
    env = {"PATH": "/usr/bin:/bin", "HOME": work, "STATE_DIRECTORY": state,
           "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "SDL_RENDER_DRIVER": "software"}
    # No --assets: the installed binary must find /usr/share/wowkiosk beside
    # itself, even on this machine where the source tree it was built from
    # (its compiled-in default) exists too.
    cmd = ["/usr/bin/wowkiosk", "--config", "/etc/wowkiosk/kiosk.conf", "--windowed", "800x480",
           "--sync", "off", "--override", "none", "--script", script]
    done = run(cmd, env=env, cwd=work, user=user.pw_uid, group=user.pw_gid, extra_groups=[],
               timeout=60)
    sys.stderr.write(done.stderr)
    assert done.returncode == 0, "%s exited %d" % (" ".join(cmd), done.returncode)
    assert "assets: /usr/share/wowkiosk\n" in done.stderr, \
        "the installed kiosk did not log 'assets: /usr/share/wowkiosk'"
    db = os.path.join(state, "kiosk.db")
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    taps = con.execute("SELECT rating, misuse FROM taps ORDER BY id").fetchall()
    con.close()
    assert taps == [(4, 0)], "%s: taps %s, expected one rating 4 (not misuse)" % (db, taps)
    print("deploy_deb: the installed kiosk stored the scripted tap (rating 4) in %s" % db)

    shared = os.path.join(work, "shared.db")
    must(["/usr/bin/wowdash", "migrate", "--db", shared], "the installed wowdash", env=env,
         cwd=work, user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    assert os.path.isfile(shared), "wowdash migrate made no %s" % shared


def check_removed():
    """After dpkg --remove: programs gone, conffiles, state and user kept."""
    for path in ("/usr/bin/wowkiosk", "/usr/bin/wowdash", "/lib/systemd/system/wowkiosk.service"):
        assert not os.path.exists(path), "%s is still there after dpkg --remove" % path
    for path in ("/etc/wowkiosk/kiosk.conf", "/etc/default/wowdash", STATE_DIR + "/marker"):
        assert os.path.exists(path), "%s went with dpkg --remove; only a purge may take it" % path
    assert user_exists("wowkiosk"), "dpkg --remove deleted the wowkiosk user"


def check_purged():
    """After dpkg --purge: nothing of the packages left."""
    left = [n for n in PACKAGES if installed(n)]
    assert not left, "still known to dpkg after --purge: %s" % left
    for path in ("/etc/wowkiosk", "/etc/default/wowdash", STATE_DIR, "/usr/share/wowkiosk"):
        assert not os.path.exists(path), "%s is still there after dpkg --purge" % path
    assert not user_exists("wowkiosk"), "the wowkiosk user is still there after dpkg --purge"
    assert not group_exists("wowkiosk"), "the wowkiosk group is still there after dpkg --purge"
    print("deploy_deb: remove kept the state and the user; purge left nothing behind")


def install_run_purge(debs, tmp):
    if os.geteuid() != 0:
        print("deploy_deb: SKIP install/run/purge: not root (dpkg -i needs root); "
              "the package contents were checked")
        return SKIP
    already = [n for n in PACKAGES if installed(n)]
    if already or user_exists("wowkiosk"):
        print("deploy_deb: SKIP install/run/purge: this machine already has %s; the test "
              "would purge them" % (already or "a wowkiosk user"))
        return SKIP
    try:
        dpkg(["-i", debs["wowkiosk"], debs["wowdash"]], "installing the packages")
        check_installed()
        run_kiosk(tmp)
        with open(STATE_DIR + "/marker", "w") as f:
            f.write("state kept across dpkg --remove\n")
        dpkg(["--remove"] + PACKAGES, "removing the packages")
        check_removed()
    finally:
        dpkg(["--purge"] + PACKAGES, "purging the packages")
    check_purged()
    return 0


def expected_arch(build_dir):
    """WOW_DEB_ARCHITECTURE from the build's cache (cmake/packaging.cmake
    sets it after this test is defined), else the host's."""
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("WOW_DEB_ARCHITECTURE:") and line.split("=", 1)[1].strip():
                return line.split("=", 1)[1].strip()
    return must(["dpkg", "--print-architecture"], "the host's architecture").stdout.strip()


def main():
    build_dir, source_dir, version = sys.argv[1:4]
    arch = expected_arch(build_dir)
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if shutil.which(tool) is None:
            sys.exit("%s not found (packages cmake, dpkg-dev)" % tool)
    tmp = tempfile.mkdtemp(prefix="wowdeb-")
    try:
        debs = build(build_dir, os.path.join(tmp, "packages"))
        for name, deb in debs.items():
            check_control(name, deb, version, arch)
            check_control_files(name, deb, tmp)
            check_files(name, deb, tmp, source_dir)
        status = install_run_purge(debs, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
