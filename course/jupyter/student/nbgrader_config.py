"""nbgrader settings for the student's Validate button (lstmlab lab, student mode).

Validate reads only the server's working folder and JUPYTER_CONFIG_PATH, not course/, so the
grading timeout is repeated here; otherwise a slow demo cell would hit nbgrader's 30 s default.
"""
c = get_config()  # noqa: F821
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
