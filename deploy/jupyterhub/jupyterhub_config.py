"""JupyterHub for an lstmlab class: local Linux accounts, one JupyterLab per student, nbgrader's exchange.

Start it as root from the repository (root: PAM reads /etc/shadow and the spawner switches to each
student's uid):

    sudo .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

What it sets up (deploy/jupyterhub/README.md walks through it):
- Log-in with the machine's accounts through PAM. Members of the students' group and of the
  instructors' group may log in; the instructors' group are the hub's admins.
- Each user gets a single-user JupyterLab (LocalProcessSpawner), run as that Linux user, in their home
  folder, with the course's student-mode Jupyter config (course/jupyter/student: formgrader and
  create-assignment off, Validate answered by the course's checker) and this folder's
  nbgrader_config.py (course id and exchange) on JUPYTER_CONFIG_PATH.
- The proxy is the repository's own configurable-http-proxy (tools/install-hub-proxy.sh).

Everything a course usually changes can be given in the environment, so the file itself stays as it is
(tests/test_jupyterhub.py starts a hub from this file with temporary folders and free ports):

    LSTMLAB_HUB_STATE              folder for the hub's database, cookie secret and proxy pid file
                                   (default /srv/jupyterhub; created 0700)
    LSTMLAB_HUB_STUDENTS_GROUP     Unix group whose members may log in      (default lstmlab-students)
    LSTMLAB_HUB_INSTRUCTORS_GROUP  Unix group of the instructors (admins)   (default lstmlab-instructors)
    NBGRADER_EXCHANGE_ROOT         nbgrader's exchange, mode 1777           (default /srv/nbgrader/exchange)
    LSTMLAB_HUB_PROXY              the configurable-http-proxy executable
                                   (default .venv/hub-proxy/node_modules/.bin/configurable-http-proxy)

Ports and addresses are JupyterHub's own options; give them on the command line, e.g.
`--JupyterHub.bind_url=http://0.0.0.0:8000` (the default here is http://127.0.0.1:8000: put TLS in
front, e.g. a reverse proxy, before opening it to the network).

This uses LocalProcessSpawner, which needs nothing else installed. For SystemdSpawner (each student's
server in a systemd unit with memory/CPU limits): `pip install jupyterhub-systemdspawner`, then set
`c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"` and give it the same `cmd`, `environment`,
`notebook_dir` and `default_url` as below (its `mem_limit`/`cpu_limit` replace nothing here).
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent              # deploy/jupyterhub
REPO = HERE.parents[1]                              # the repository
VENV_BIN = Path(sys.executable).parent              # the venv JupyterHub runs from (.venv/bin)
STUDENT_CONFIG = REPO / "course" / "jupyter" / "student"

STATE = Path(os.environ.get("LSTMLAB_HUB_STATE", "/srv/jupyterhub"))
STUDENTS = os.environ.get("LSTMLAB_HUB_STUDENTS_GROUP", "lstmlab-students")
INSTRUCTORS = os.environ.get("LSTMLAB_HUB_INSTRUCTORS_GROUP", "lstmlab-instructors")
EXCHANGE = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
PROXY = os.environ.get("LSTMLAB_HUB_PROXY",
                       str(REPO / ".venv" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"))

STATE.mkdir(parents=True, exist_ok=True)
os.chmod(STATE, 0o700)

# --- The hub and its proxy ---------------------------------------------------------------------------
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [PROXY]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True     # stopping the hub stops the students' servers
c.JupyterHub.cleanup_proxy = True

# --- Who may log in ----------------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
c.PAMAuthenticator.allowed_groups = {STUDENTS, INSTRUCTORS}
c.PAMAuthenticator.admin_groups = {INSTRUCTORS}
# Only local accounts: the hub never creates Linux users (create them with useradd, see the README).
c.LocalAuthenticator.create_system_users = False

# --- Each user's JupyterLab ------------------------------------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"            # --notebook-dir: the user's home
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120           # a loaded 2-core machine takes 10-40 s to start JupyterLab
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # The venv first: nbgrader shells out to `alembic`, kernels must be the course's Python.
    "PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    # This folder first (nbgrader_config.py: course id, exchange), then the course's student mode.
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HERE), str(STUDENT_CONFIG)]),
    "NBGRADER_EXCHANGE_ROOT": EXCHANGE,
}
# A class in Chinese: JupyterLab's own interface in Chinese for every student (what `lstmlab lab --lang zh`
# does), by starting the hub with LSTMLAB_EDITION=zh; release the Chinese lessons (lessons/zh/, see the README).
# The lessons' messages need nothing: a Chinese lesson switches them itself.
if os.environ.get("LSTMLAB_EDITION", "en") != "en":
    c.Spawner.args = [f"--LabApp.app_settings_dir={REPO / 'course' / 'jupyter' / os.environ['LSTMLAB_EDITION']}"]
