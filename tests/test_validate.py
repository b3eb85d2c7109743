"""Validate's server side (lib/lstmlab/tooling/validate.py) without a browser: one verdict with `lstmlab check`.

A student-mode JupyterLab is started as `lstmlab lab` starts it, with nbgrader's own validate
extension loaded as well (so the test proves ours answers the route, not theirs), and the route the
nbgrader lab extension calls, POST /assignments/validate?path=..., is compared with `lstmlab check`
on the same notebooks. Two lesson checks through each path: 100-210 s measured on the shared 2-core
machine under a load average of 3-6.
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse

import nbformat
import pytest

from browser_support import HALF_LESSON, WRONG_DIAGNOSIS, LabServer, write_half_answered
from conftest import COURSE

from lstmlab.tooling.grading.verdict import ExerciseResult, Status, SubmissionResult
from lstmlab.tooling.validate import render_verdict, validate_reply, Checked

NBGRADER_VALIDATE = "nbgrader.server_extensions.validate_assignment"


def run_check(path):
    env = dict(os.environ, LSTMLAB_ROOT=str(COURSE.root))
    return subprocess.run([sys.executable, "-m", "lstmlab.tooling.cli", "check", str(path)], env=env,
                          capture_output=True, text=True, timeout=600)


def as_text(fragment: str) -> str:
    """What the dialog shows for an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("validate-lab"),
                       server_config={"ServerApp": {"jpserver_extensions": {NBGRADER_VALIDATE: True}}})
    server.prepare([])
    write_half_answered(COURSE.lessons / f"{HALF_LESSON}.ipynb", COURSE.solutions / f"{HALF_LESSON}.ipynb",
                        server.notebook_dir / "half.ipynb")
    (server.notebook_dir / "done.ipynb").write_bytes((COURSE.solutions / f"{HALF_LESSON}.ipynb").read_bytes())
    nbformat.write(nbformat.v4.new_notebook(), server.notebook_dir / "notes.ipynb")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def validate(lab: LabServer, name: str) -> dict:
    return lab.api("POST", f"/assignments/validate?path={urllib.parse.quote(name)}", timeout=600)


def test_our_handler_answers_even_with_nbgraders_loaded(lab):
    log = lab.log_tail(200_000)
    assert "Loading the validate_assignment nbgrader serverextension" in log, "nbgrader's validate was not loaded"
    assert "lstmlab: Validate answers with the course's checker" in log
    assert lab.api("GET", "/nbgrader_version?version=0.9.6") == {"success": True}
    assert lab.api("GET", "/nbgrader_version?version=0.0.1")["success"] is False
    reply = validate(lab, "notes.ipynb")   # nbgrader's Validator would say success on an empty notebook
    assert reply["success"] is False and "not one of the lessons" in reply["value"], reply
    with pytest.raises(urllib.error.HTTPError) as err:
        validate(lab, "../../outside.ipynb")
    assert err.value.code == 403


def test_validate_and_check_give_one_verdict(lab):
    reply = validate(lab, "half.ipynb")
    done = run_check(lab.notebook_dir / "half.ipynb")
    assert done.returncode == 1, done.stdout + done.stderr
    assert reply["success"] is True and list(reply["value"]) == ["failed"], reply
    [entry] = reply["value"]["failed"]
    assert entry["source"].startswith(f"half.ipynb — lesson {HALF_LESSON} (visible tests")
    shown = as_text(entry["error"])
    table = done.stdout.split("\n", 1)[1].rstrip("\n")   # check's output below its header line
    assert shown == table, f"Validate shows:\n{shown}\n\nlstmlab check prints:\n{table}"
    # The verdict itself: right (despite its stderr warning), wrong with the named diagnosis, unanswered.
    assert re.search(r"✔ test_lstm_gates\s+2/2$", shown, re.M), shown
    assert re.search(r"✘ test_lstm_cell_update\s+0/2\s+failed$", shown, re.M) and WRONG_DIAGNOSIS in shown, shown
    for name in ("test_lstm_step", "test_lstm_forward", "test_lstm_param_count"):
        row = re.search(rf"✘ {name}\s+0/\d+\s+\S.*\n\s+(.*)", shown)
        assert row and "not answered" in row.group(1).lower(), shown
    assert shown.endswith("total 2/10: 1 of 5 exercises pass"), shown

    # A complete notebook: the dialog's success message, and check passes too.
    assert validate(lab, "done.ipynb") == {"success": True, "value": {}}
    assert run_check(lab.notebook_dir / "done.ipynb").returncode == 0


def test_the_dialog_html_escapes_what_the_student_controls():
    evil = '<img src=x onerror="alert(1)"> & </pre><script>alert(2)</script>'
    result = SubmissionResult("you", HALF_LESSON, problems=[f"cell {evil}"], exercises=[
        ExerciseResult("test_a", 1.0, 1.0, Status.PASSED),
        ExerciseResult("test_b", 2.0, 0.0, Status.ERROR, message=f"your code raised an exception:\nValueError: {evil}")])
    fragment = render_verdict(result, as_html=True)
    assert "<img" not in fragment and "<script" not in fragment and "</pre>" not in fragment
    assert as_text(fragment) == render_verdict(result)
    reply = validate_reply(f"{evil}.ipynb", Checked(HALF_LESSON, result))
    entry = reply["value"]["failed"][0]
    assert entry["error"] == fragment and evil in entry["source"]   # source is shown as text (innerText)
    json.dumps(reply)


def test_our_routes_win_even_when_nbgraders_are_added_first():
    """Tornado asks its rules in order; the loader moves ours to the front (no server needed)."""
    import logging
    from types import SimpleNamespace

    from nbgrader.server_extensions.validate_assignment import handlers as nbgrader_handlers
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
    from tornado.web import Application

    from lstmlab.tooling import validate as ours

    app = Application([], base_url="/")
    server = SimpleNamespace(web_app=app, root_dir=str(COURSE.lessons), log=logging.getLogger("test"))
    nbgrader_handlers.load_jupyter_server_extension(server)
    ours._load_jupyter_server_extension(server)
    for method, uri in (("POST", "/assignments/validate?path=x.ipynb"), ("GET", "/nbgrader_version?version=0.9.6")):
        request = HTTPServerRequest(start_line=RequestStartLine(method, uri, "HTTP/1.1"),
                                    headers=HTTPHeaders({"Host": "127.0.0.1"}))
        handler = app.find_handler(request).handler_class
        assert handler.__module__ == ours.__name__, f"{uri} is answered by {handler.__module__}.{handler.__name__}"
