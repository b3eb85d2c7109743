"""The `lstmlab` command: build, verify, run (authors), and later check, grade, lab."""
from __future__ import annotations

import argparse
import sys

from .course import Course, build, execute_solution, repo_root, verify


def _cmd_build(args) -> int:
    course = Course(repo_root())
    changed = build(course, check=args.check)
    if args.check:
        if changed:
            print(f"lessons/ is stale for: {', '.join(changed)}. Run `lstmlab build` and commit both.")
            return 1
        print(f"lessons/ is up to date ({len(course.lesson_ids())} lessons).")
        return 0
    print(f"rebuilt: {', '.join(changed)}" if changed else "lessons/ already up to date.")
    return 0


def _cmd_verify(args) -> int:
    return verify(Course(repo_root()), args.lessons or None, args.pytest_args)


def _cmd_run(args) -> int:
    course = Course(repo_root())
    for lid in args.lessons or course.lesson_ids():
        took = execute_solution(course, lid)
        print(f"{lid}: executed in {took:.1f} s, outputs stored in solutions/{lid}.ipynb")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lstmlab", description="Tools of the lstmlab course.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate lessons/ (student versions) from solutions/ with nbgrader")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if lessons/ is stale")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("verify", help="run the solution notebooks under nbval, comparing stored outputs")
    p.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed on to pytest")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("run", help="(authors) execute solution notebooks in place, storing fresh outputs")
    p.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    p.set_defaults(func=_cmd_run)

    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
