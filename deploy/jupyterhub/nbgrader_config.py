"""nbgrader's exchange for an lstmlab class on JupyterHub: the course id and where the exchange is.

The hub (jupyterhub_config.py) puts this folder on every user's JUPYTER_CONFIG_PATH, so the Assignments
tab and `nbgrader fetch_assignment` / `submit` / `fetch_feedback` in a student's terminal find the course.
The instructor's commands load it the same way (or copy this file to /etc/jupyter/):

    cd course && JUPYTER_CONFIG_PATH=../deploy/jupyterhub nbgrader release_assignment 01_lstm_cell

It sets nothing about folders inside the course (course/nbgrader_config.py does, for the instructor);
a student's nbgrader works in their home folder.
"""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "lstmlab"
# Shared by everyone on the machine: create it once as root, mode 1777 (README, step 2).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
