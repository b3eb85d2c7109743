"""One verdict: `lstmlab check` and JupyterLab's Validate button grade a notebook the same way.

Both call `check_notebook` (the course's judge on the lesson's visible tests, as `lstmlab grade`
grades: `grading.judge.grade` in a fallback sandbox) and both show its result through
`render_verdict`, the one renderer of the per-exercise table (✔/✘, score, status, diagnosis, total):
as text on the terminal, as escaped HTML in Validate's dialog.

This module is also a Jupyter server extension (`lstmlab.tooling.validate`, enabled in student
mode by course/jupyter/student/jupyter_server_config.json, where nbgrader's own
`validate_assignment` extension is switched off). It answers the two routes nbgrader's lab
extension calls from its Validate toolbar button:

    GET  /nbgrader_version?version=V   {"success": true} or {"success": false, "message": ...}
    POST /assignments/validate?path=P  {"success": true, "value": {}}           every exercise passes
                                       {"success": true, "value": {"failed": [{"source": header,
                                                                   "error": table as HTML}]}}
                                       {"success": false, "value": "why the notebook could not be checked"}

The lab extension shows "Success! Your notebook passes all the tests." for an empty value, and for
`failed` each entry's `source` as text and its `error` as HTML (innerHTML), so every character of
the table is escaped here. Our routes are put in front of every other handler, so nbgrader's
ValidateAssignmentHandler cannot answer even where its extension is loaded too.

Grading runs in a child process (`python -m lstmlab.tooling.validate --out FILE NOTEBOOK`): the
lesson's test code and numpy/torch never load into the Jupyter server, and the server's event loop
stays free while a lesson is checked.
"""
from __future__ import annotations

import html
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..i18n import N_, _, edition_of, language

VISIBLE = N_("visible tests; --hidden adds the held-back ones")
VISIBLE_IN_LAB = N_("visible tests; hidden ones decide the grade")
HIDDEN = N_("all tests, hidden ones included")
DIAGNOSIS_LINES = 12          # the last lines of a diagnosis that are shown
CHECK_TIMEOUT = 900.0         # seconds the server waits for one Validate before giving up


class CheckError(Exception):
    """The notebook cannot be checked (missing, not a lesson); str() says why."""


@dataclass
class Checked:
    lesson: str
    result: "object"          # grading.verdict.SubmissionResult
    edition: str = "en"       # the notebook's edition: the language its verdict is shown in


def check_notebook(path: Path, hidden: bool = False, cell_seconds: float = 120.0, course=None) -> Checked:
    """Grade one notebook with the lesson's visible tests (or, with hidden, all tests), per exercise."""
    from .course import Course, repo_root, with_venv_on_path
    from .grading.judge import grade
    from .grading.notebook import identify_lesson, load_lesson, read_submission
    from .grading.sandbox import Limits, Sandbox

    course = course or Course(repo_root())
    with_venv_on_path()
    path = Path(path)
    if not path.is_file():
        raise CheckError(_("{path} does not exist").format(path=path))
    raw = path.read_bytes()
    edition = _edition_of_bytes(raw)
    with language(edition):
        ids = course.lesson_ids()
        lid = path.stem if path.stem in ids else identify_lesson(raw, {i: load_lesson(course.solutions / f"{i}.ipynb") for i in ids})
        if lid is None:
            raise CheckError(_("{name} is not one of the lessons ({ids})").format(name=path.name, ids=", ".join(ids)))
        # Visible tests are the student version's test cells; hidden ones come from the solution notebook;
        # both of the notebook's edition (the Chinese lesson's cells switch its messages to Chinese).
        folder = course.solutions_in(edition) if hidden else course.lessons_in(edition)
        if not (folder / f"{lid}.ipynb").is_file():
            folder = course.solutions if hidden else course.lessons
        spec = load_lesson(folder / f"{lid}.ipynb")
        result = grade(spec, read_submission(spec, raw), "you", Sandbox(limits=Limits(cell_seconds=cell_seconds),
                                                                        force_fallback=True))
    return Checked(lid, result, edition)


def _edition_of_bytes(raw: bytes) -> str:
    try:
        nb = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return "en"
    return edition_of(nb) if isinstance(nb, dict) else "en"


def header(name: str, lesson: str, which: str) -> str:
    return _("{name} — lesson {lesson} ({which})").format(name=name, lesson=lesson, which=_(which))


def all_pass(result) -> bool:
    from .grading.verdict import Status

    return all(e.status == Status.PASSED for e in result.exercises)


# The one-word statuses of the table (the feedback page says them at length: Status.text).
_STATUS_WORDS = {"failed": N_("failed"), "error": N_("error"), "unanswered": N_("unanswered"), "timeout": N_("timeout"),
                 "crashed": N_("crashed"), "rejected": N_("rejected"), "missing": N_("missing"), "not run": N_("not run")}


def _status_word(status) -> str:
    word = str(status)
    return _(_STATUS_WORDS[word]) if word in _STATUS_WORDS else word


def verdict_rows(result) -> list[tuple[str, str]]:
    """[(kind, text)] of the table: kind is problem, pass, fail, diagnosis or total."""
    from .grading.verdict import Status

    rows = [("problem", f"  ! {p}") for p in result.problems]
    width = max((len(e.exercise) for e in result.exercises), default=0)
    for e in result.exercises:
        ok = e.status == Status.PASSED
        line = f"  {'✔' if ok else '✘'} {e.exercise:<{width}}  {e.score:g}/{e.points:g}  {'' if ok else _status_word(e.status)}"
        rows.append(("pass" if ok else "fail", line.rstrip()))
        if not ok and e.message:
            rows += [("diagnosis", f"      {ln}".rstrip()) for ln in e.message.strip().splitlines()[-DIAGNOSIS_LINES:]]
    passed = sum(e.status == Status.PASSED for e in result.exercises)
    rows.append(("total", _("total {score:g}/{max_score:g}: {passed} of {n} exercises pass").format(
        score=result.score, max_score=result.max_score, passed=passed, n=len(result.exercises))))
    return rows


# Colours of JupyterLab's theme (light and dark); everything else is the dialog's own <pre> style.
_STYLE = {"pass": "color: var(--jp-success-color1, #388e3c)", "fail": "color: var(--jp-error-color1, #d32f2f)",
          "problem": "color: var(--jp-warn-color1, #f57c00)", "total": "font-weight: bold"}


def render_verdict(result, as_html: bool = False) -> str:
    """The per-exercise table with diagnoses and the total: plain text (lstmlab check), or the same
    text escaped as HTML for Validate's dialog (one <span> per line, wrapped where it is long)."""
    rows = verdict_rows(result)
    if not as_html:
        return "\n".join(text for _kind, text in rows)
    lines = []
    for kind, text in rows:
        style = _STYLE.get(kind)
        body = html.escape(text, quote=True)
        lines.append(f'<span class="lstmlab-{kind}" style="{style}">{body}</span>' if style
                     else f'<span class="lstmlab-{kind}">{body}</span>')
    return ('<span class="lstmlab-verdict" style="white-space: pre-wrap; overflow-wrap: anywhere">'
            + "\n".join(lines) + "</span>")


def validate_reply(name: str, checked: Checked) -> dict:
    """The reply nbgrader's Validate dialog renders (see the module docstring)."""
    result = checked.result
    with language(checked.edition):
        if result.grader_error:
            return {"success": False, "value": _("{name} could not be checked: {why}").format(name=name, why=result.grader_error)}
        if all_pass(result):
            return {"success": True, "value": {}}
        return {"success": True, "value": {"failed": [{"source": header(name, checked.lesson, VISIBLE_IN_LAB),
                                                       "error": render_verdict(result, as_html=True)}]}}


# ---------------------------------------------------------------------------------------------------
# The child process that grades for the server


def _child(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m lstmlab.tooling.validate")
    p.add_argument("notebook")
    p.add_argument("--out", required=True, help="file to write the JSON reply to")
    p.add_argument("--cell-timeout", type=float, default=120.0)
    args = p.parse_args(argv)
    path = Path(args.notebook)
    try:
        reply = validate_reply(path.name, check_notebook(path, cell_seconds=args.cell_timeout))
    except CheckError as exc:
        reply = {"success": False, "value": _("lstmlab cannot check this notebook: {why}").format(why=exc)}
    except SystemExit as exc:   # repo_root(): no course found
        reply = {"success": False, "value": str(exc.code)}
    Path(args.out).write_text(json.dumps(reply), encoding="utf-8")
    return 0


async def run_check(path: Path, timeout: float = CHECK_TIMEOUT, cwd: str | None = None) -> dict:
    """Grade `path` in a child process; the Validate reply (never raises for a bad notebook)."""
    import asyncio
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lstmlab-validate-") as tmp:
        out = Path(tmp) / "reply.json"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lstmlab.tooling.validate", "--out", str(out), str(path),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            cwd=cwd, start_new_session=True)
        try:
            log, _stderr = await asyncio.wait_for(proc.communicate(), timeout)
        except asyncio.TimeoutError:
            _kill_group(proc.pid)
            await proc.wait()
            return {"success": False, "value": _("checking {name} took longer than {seconds:.0f} s and was "
                                                 "stopped").format(name=path.name, seconds=timeout)}
        if proc.returncode == 0 and out.is_file():
            return json.loads(out.read_text(encoding="utf-8"))
        tail = log.decode(errors="replace")[-3000:]
        return {"success": False, "value": _("the checker failed (exit status {status}):").format(status=proc.returncode)
                + "\n" + tail}


def _kill_group(pid: int) -> None:
    import signal

    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------------------------------
# The Jupyter server extension


def _handlers(root_dir: str):
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web

    root = Path(root_dir).resolve()

    class ValidateHandler(JupyterHandler):
        """POST /assignments/validate: the course's verdict for the notebook at `path` (relative to the root)."""

        @web.authenticated
        async def post(self):
            try:
                rel = self.get_argument("path")
            except web.MissingArgumentError:
                rel = (self.get_json_body() or {}).get("path")
            if not rel:
                raise web.HTTPError(400, "no notebook path")
            target = (root / rel).resolve()
            if not target.is_relative_to(root):
                raise web.HTTPError(403, "Access denied: path outside allowed directory")
            self.log.info("lstmlab: checking %s with the course's visible tests", target)
            reply = await run_check(target, cwd=os.getcwd())
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(reply))

    class VersionHandler(JupyterHandler):
        """GET /nbgrader_version: the lab extension's version check, as nbgrader answers it."""

        @web.authenticated
        def get(self):
            from nbgrader import __version__ as server_version

            ui_version = self.get_argument("version")
            if ui_version == server_version:
                result = {"success": True}
            else:
                result = {"success": False, "message": (
                    f"The version of the Validate labextension does not match the server extension; the "
                    f"labextension version is {ui_version} while the server version is {server_version}. "
                    f"Reinstall the course environment (make venv) so that both come from one nbgrader.")}
            self.finish(json.dumps(result))

    return [(r"/assignments/validate", ValidateHandler), (r"/nbgrader_version", VersionHandler)]


def _jupyter_server_extension_points():
    return [{"module": "lstmlab.tooling.validate"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_server.utils import url_path_join

    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    rules = web_app.default_router.rules
    before = list(rules)
    web_app.add_handlers(".*$", [(url_path_join(base_url, pat), h) for pat, h in _handlers(serverapp.root_dir)])
    # Tornado asks its host rules in order and the first match answers: move ours to the front, so
    # that nbgrader's validate_assignment extension, if it is loaded as well, never answers these routes.
    ours = [r for r in rules if not any(r is b for b in before)]
    rules[:] = ours + [r for r in rules if not any(r is o for o in ours)]
    serverapp.log.info("lstmlab: Validate answers with the course's checker (%s)", url_path_join(base_url, "assignments/validate"))


load_jupyter_server_extension = _load_jupyter_server_extension


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
