"""The `lstmlab` command: build, verify, run (authors), lab, check, grade, export."""
from __future__ import annotations

import argparse
import sys

from .course import Course, build, execute_solution, repo_root, verify


def _cmd_build(args) -> int:
    from .editions import build_editions

    course = Course(repo_root())
    changed = build(course, check=args.check, ids=args.lessons or None)
    ids = args.lessons or course.lesson_ids()
    edition_changes, problems = build_editions(course, ids, check=args.check, everything=not args.lessons)
    root = course.root
    if args.check:
        stale = [f"lessons/{lid}.ipynb" for lid in changed] + edition_changes
        for line in problems:
            print(line.replace(str(root) + "/", ""))
        if stale:
            print(f"stale: {', '.join(stale)}. Run `lstmlab build` and commit the result.")
        if stale or problems:
            print(f"lstmlab build --check: {len(stale)} stale notebooks, {len(problems)} translation problems "
                  "(translations/README.md says how to fix them).")
            return 1
        print(f"lessons/ and every edition are up to date ({len(ids)} lessons); translations complete.")
        return 0
    rebuilt = [f"lessons/{lid}.ipynb" for lid in changed] + edition_changes
    print(f"rebuilt: {', '.join(rebuilt)}" if rebuilt else "lessons/ and every edition already up to date.")
    if problems:
        print(f"{len(problems)} translation problems left (`lstmlab translate --check` lists them); "
              "`lstmlab build --check` fails until they are fixed.")
    return 0


def _cmd_translate(args) -> int:
    from .editions import catalog_problems, domains_of, update_catalogs
    from .translations import message_domains

    course = Course(repo_root())
    named = args.lessons or []
    unknown = [n for n in named if n not in course.lesson_ids() and n not in message_domains()]
    if unknown:
        print(f"lstmlab translate: {', '.join(unknown)}: neither a lesson id nor a message domain", file=sys.stderr)
        return 2
    ids = [n for n in named if n in course.lesson_ids()] if named else course.lesson_ids()
    domains = sorted(set(domains_of(ids, everything=not named)) | {n for n in named if n in message_domains()})
    if not args.check:
        for path in update_catalogs(course, ids, domains):
            print(f"updated {path.relative_to(course.root) if path.is_relative_to(course.root) else path}")
    problems = catalog_problems(course, ids, domains)
    for line in problems:
        print(line.replace(str(course.root) + "/", ""))
    print(f"{len(problems)} translation problems" if problems else "translations complete")
    return 1 if problems and args.check else 0


def _cmd_verify(args) -> int:
    return verify(Course(repo_root()), args.lessons or None, args.pytest_args)


def _cmd_run(args) -> int:
    from .course import execute_notebook

    course = Course(repo_root())
    for lid in args.lessons or course.lesson_ids():
        if args.lang == "en":
            took = execute_solution(course, lid)
        else:   # the translated edition's outputs (lstmlab build runs this itself when they are stale)
            took = execute_notebook(course.solutions_in(args.lang) / f"{lid}.ipynb")
        where = course.solutions_in(args.lang).relative_to(course.root)
        print(f"{lid}: executed in {took:.1f} s, outputs stored in {where}/{lid}.ipynb")
    return 0


def lab_language_args(course_dir, lang: str) -> list[str]:
    """JupyterLab's options for its own menus and dialogs in `lang` (its language pack): the settings overrides
    of course/jupyter/<lang>/ make that language the default of the translation setting, which a student can
    still change in Settings > Language. Nothing for English."""
    from pathlib import Path

    return [] if lang == "en" else [f"--LabApp.app_settings_dir={Path(course_dir) / 'jupyter' / lang}"]


def _cmd_lab(args) -> int:
    import os
    import subprocess

    from .course import with_venv_on_path

    course = Course(repo_root())
    env = with_venv_on_path()
    if not args.instructor:
        # Student mode: a config folder that disables nbgrader's instructor extensions
        # (formgrader, create-assignment, course list) and keeps assignment list and Validate.
        # Its server extension lstmlab.tooling.validate answers Validate with the course's checker
        # (the one of `lstmlab check`), for this course.
        student_cfg = str(course.course_dir / "jupyter" / "student")
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [student_cfg, env.get("JUPYTER_CONFIG_PATH")]))
        env["LSTMLAB_ROOT"] = str(course.root)
    root = course.root if args.instructor else course.lessons_in(args.lang)
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    cmd += lab_language_args(course.course_dir, args.lang) + args.jupyter_args
    if args.port:
        cmd.append(f"--ServerApp.port={args.port}")
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root
    print(("Instructor" if args.instructor else "Student") + f" mode: JupyterLab on {root}"
          + (f" (interface: {args.lang})" if args.lang != "en" else ""))
    return subprocess.call(cmd, env=env, cwd=course.course_dir if args.instructor else course.lessons)


def _cmd_grade(args) -> int:
    from pathlib import Path

    from .course import with_venv_on_path
    from .grading import batch, report
    from .grading.sandbox import Limits

    course = Course(repo_root())
    with_venv_on_path()
    source, out = Path(args.submissions).resolve(), Path(args.output).resolve()
    if not source.exists():
        print(f"lstmlab grade: {source} does not exist", file=sys.stderr)
        return 2
    limits = Limits(memory_mb=args.memory_mb, cell_seconds=args.cell_timeout, notebook_seconds=args.notebook_timeout)
    from .grading.sandbox import Sandbox

    if not args.no_isolation and not Sandbox().isolated():
        print("lstmlab grade: student code cannot be isolated here (it needs root on Linux, with util-linux's unshare "
              "and setpriv). Without isolation a submission can write into your installation (e.g. a .pth file that "
              "runs in every later Python start of this account), read the hidden tests and solutions, and signal the "
              "grader. Grade as root (e.g. `sudo .venv/bin/lstmlab grade ...`), or pass --no-isolation to accept "
              "that; the report then says what was allowed.", file=sys.stderr)
        return 2
    from .grading.progress import Progress

    if args.scheduler:   # a Dask cluster grades; intake, cache and outputs stay here (grading/distributed.py)
        from .grading.distributed import ClusterError, DaskBackend

        try:
            with DaskBackend(args.scheduler) as backend:
                results, intake, info = batch.run(source, out, course, jobs=backend.nthreads, limits=limits,
                                                  fallback=args.no_isolation, backend=backend,
                                                  log=Progress(sys.stdout, quiet=args.quiet))
        except ClusterError as exc:
            print(f"lstmlab grade: {exc}", file=sys.stderr)
            return 2
    else:
        results, intake, info = batch.run(source, out, course, jobs=args.jobs, limits=limits,
                                          fallback=args.no_isolation, log=Progress(sys.stdout, quiet=args.quiet))
    report.write_all(results, intake, info, out, source=source, course=course, lang=args.lang)
    total = sum(len(r.exercises) for r in results)
    print(f"graded {len(results)} lesson submissions ({total} exercise rows) in {info['seconds']} s"
          + (f"; answers compared in {info['similarity_seconds']} s" if "similarity_seconds" in info else ""))
    print(f"  {out / 'grades.csv'}\n  {out / 'report.html'} (scores, mistakes, similar answers)\n  {out / 'mistakes.csv'}"
          f"\n  {out / 'feedback'}/<student>/<lesson>.html\n  {out / 'gradebook.db'} (nbgrader)"
          f"\n  then: lstmlab export {out} --format canvas|moodle|csv [--roster ROSTER.csv]")
    failed = [r for r in results if r.grader_error]
    if failed:
        print(f"lstmlab grade: {len(failed)} of {len(results)} lesson submissions could not be graded because the grader "
              f"failed, not the students (they are not cached; rerun to grade them): {failed[0].grader_error}",
              file=sys.stderr)
        return 3
    return 0


def _cmd_export(args) -> int:
    from pathlib import Path

    from .grading import export

    out = Path(args.out)
    if not out.is_dir():
        print(f"lstmlab export: {out} is not a folder (the -o folder of `lstmlab grade`)", file=sys.stderr)
        return 2
    try:
        status, target = export.export(out, args.format, Path(args.roster) if args.roster else None,
                                       args.roster_key, Path(args.output) if args.output else None)
    except export.ExportError as exc:
        print(f"lstmlab export: {exc}", file=sys.stderr)
        return 2
    print(f"{args.format}: {target}")
    return status


def _cmd_check(args) -> int:
    """Self-check: grade one notebook with the visible (or, with --hidden, all) tests, per exercise.

    The same checker and table as JupyterLab's Validate button (tooling/validate.py): one verdict."""
    from pathlib import Path

    from .validate import HIDDEN, VISIBLE, CheckError, all_pass, check_notebook, header, render_verdict

    path = Path(args.notebook)
    try:
        checked = check_notebook(path, hidden=args.hidden, cell_seconds=args.cell_timeout,
                                 course=Course(repo_root()))
    except CheckError as exc:
        print(f"lstmlab check: {exc}", file=sys.stderr)
        return 2
    from ..i18n import language

    with language(checked.edition):   # a Chinese lesson's verdict in Chinese
        print(header(str(path), checked.lesson, HIDDEN if args.hidden else VISIBLE))
        print(render_verdict(checked.result))
    return 0 if all_pass(checked.result) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lstmlab", description="Tools of the lstmlab course.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate lessons/ (student versions) from solutions/ with nbgrader")
    p.add_argument("lessons", nargs="*", help="lesson ids (default: all, and lessons without a solution are removed)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if lessons/ is stale")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("translate", help="merge the English into the translation catalogs and list what is left to translate")
    p.add_argument("lessons", nargs="*", help="lesson ids and message domains (core, or a room: lstm_cell, ...); default: all. A lesson brings its room's messages")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if a catalog is incomplete, fuzzy or breaks a rule")
    p.set_defaults(func=_cmd_translate)

    p = sub.add_parser("verify", help="run the solution notebooks under nbval, comparing stored outputs")
    p.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed on to pytest")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("run", help="(authors) execute solution notebooks in place, storing fresh outputs")
    p.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="the edition (default en); `lstmlab build` reruns a Chinese solution itself when the English "
                        "outputs or the messages changed, this forces it")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("lab", help="JupyterLab on lessons/ (student mode) or the course (instructor mode)")
    p.add_argument("--instructor", action="store_true",
                   help="open the whole course with nbgrader's formgrader and create-assignment tools")
    p.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="the edition: zh opens lessons/zh/ with JupyterLab's interface in Chinese (default en)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-browser", action="store_true")
    p.set_defaults(func=_cmd_lab)

    p = sub.add_parser("check", help="self-check a notebook: per exercise, pass/fail with the diagnosis")
    p.add_argument("notebook", help="your lesson notebook, e.g. lessons/01_lstm_cell.ipynb")
    p.add_argument("--hidden", action="store_true", help="also run the hidden tests (taken from solutions/)")
    p.add_argument("--cell-timeout", type=float, default=120.0, help="seconds per answer cell or test (default 120)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("grade", help="grade a folder or zip of submissions: grades.csv, feedback, report")
    p.add_argument("submissions", help="folder of <student>/<lesson>.ipynb (or nbgrader's <student>/<lesson>/<lesson>.ipynb), or a zip of it")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.add_argument("-j", "--jobs", type=int, default=2, help="submissions graded in parallel (default 2)")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per answer cell or test (default 60)")
    p.add_argument("--notebook-timeout", type=float, default=600.0, help="seconds per submission (default 600)")
    p.add_argument("--memory-mb", type=int, default=3072, help="memory cap of each worker (default 3072)")
    p.add_argument("--no-isolation", action="store_true",
                   help="grade without the sandbox (needed where it is unavailable: not root); student code can then "
                        "write where you can and signal the grader, and the report says so")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask distributed cluster (e.g. tcp://host:8786) instead of local processes; -j is "
                        "then the cluster's threads. Workers need the same lstmlab installed (and root to isolate); "
                        "OUT stays on this machine. See README, 'Grading on a cluster'")
    p.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="language of the class report (default en); each student's feedback is in the language of "
                        "the edition they submitted")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress (by default a bar on a terminal, a line every few seconds elsewhere)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("export", help="a grading run as the grade-import file of Canvas or Moodle, or a plain CSV",
                       description="Write OUT/export-FORMAT.csv (or -o FILE) from the results `lstmlab grade` left in "
                                   "OUT. Exit status 0: complete; 1: written, but students or grades are missing from "
                                   "it (stderr says which); 2: nothing written. See docs/LMS-EXPORT.md.")
    p.add_argument("out", help="the output folder of `lstmlab grade`")
    p.add_argument("--format", required=True, choices=["canvas", "moodle", "csv"])
    p.add_argument("--roster", help="CSV mapping grading ids (student_id column) to LMS ids: name, canvas_id, "
                                    "sis_user_id, sis_login_id, section, email, idnumber, username")
    p.add_argument("--roster-key", help="the roster's column of grading ids (default student_id), e.g. 'SIS Login ID'")
    p.add_argument("-o", "--output", help="file to write (default OUT/export-FORMAT.csv)")
    p.set_defaults(func=_cmd_export)

    # Options lstmlab does not know go on to jupyter lab (e.g. --ServerApp.token=...).
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = extra
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
