"""A throwaway MariaDB server owned by one test: its own data directory
(mariadb-install-db), its own Unix socket and a free TCP port on 127.0.0.1,
run as `mysql` when we are root, killed and removed by stop() (call it from a
`finally`, so a failing test removes it too).

Debian's `mariadb-server` package (scripts/install-deps.sh) provides the
binaries; `available()` says whether they are here."""

import os
import shutil
import signal
import socket
import subprocess
import time

INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
CLIENT = shutil.which("mariadb") or "/usr/bin/mariadb"


def available():
    return all(os.access(p, os.X_OK) for p in (INSTALL_DB, MARIADBD, CLIENT))


class Server:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "mariadb")
        os.chmod(tmp, 0o755)  # `mysql` walks into it
        os.mkdir(self.dir)
        self.socket = os.path.join(self.dir, "sock")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        user = ["--user=mysql"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "mysql", "mysql")
        self.proc = None
        subprocess.run([INSTALL_DB, "--no-defaults", "--datadir=" + self.dir + "/data",
                        "--auth-root-authentication-method=normal", "--skip-test-db",
                        "--skip-name-resolve", *user],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)
        # Throwaway data: no durability, small buffers, no binary log.
        self.proc = subprocess.Popen(
            [MARIADBD, "--no-defaults", "--datadir=" + self.dir + "/data",
             "--socket=" + self.socket, "--port=%d" % self.port, "--bind-address=127.0.0.1",
             "--pid-file=" + self.dir + "/pid", "--log-error=" + self.dir + "/log",
             "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
             "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", *user],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            r = subprocess.run([CLIENT, "--no-defaults", "-uroot", "--socket=" + self.socket,
                                "-e", "SELECT 1"], capture_output=True, timeout=30)
            if r.returncode == 0:
                break
            if self.proc.poll() is not None or time.time() > deadline:
                log = open(self.dir + "/log", errors="replace").read()[-2000:] \
                    if os.path.exists(self.dir + "/log") else ""
                self.stop()
                raise RuntimeError("mariadbd did not start:\n" + log)
            time.sleep(0.2)

    def sql(self, statements, database="", stdin=None):
        cmd = [CLIENT, "--no-defaults", "-uroot", "--socket=" + self.socket,
               "--default-character-set=utf8mb4"]
        if database:
            cmd.append(database)
        if statements:
            cmd += ["-e", statements]
        subprocess.run(cmd, check=True, stdin=stdin, stdout=subprocess.DEVNULL, timeout=300)

    def load(self, dump, database="upstream"):
        """Creates `database` the way upstream's README says and loads the mysqldump."""
        self.sql("CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" % database)
        with open(dump, "rb") as f:
            self.sql("", database, stdin=f)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)
