#!/usr/bin/env python3
"""Put `lstmlab grade`'s feedback pages where `nbgrader release_feedback` looks for them.

    python deploy/jupyterhub/stage_feedback.py OUT COURSE [LESSON ...]

OUT is an `lstmlab grade` output folder (OUT/feedback/<student>/<lesson>.html); COURSE is the nbgrader
course root whose submitted/ was graded (COURSE/submitted/<student>/<lesson>/). For every student and
lesson graded, it writes COURSE/feedback/<student>/<lesson>/<lesson>.html together with the
submission's timestamp.txt and submission_secret.txt (nbgrader names the released file by a hash of
that secret, which is how each student's `fetch_feedback` finds their own page). Then, in COURSE:

    nbgrader release_feedback LESSON

Our pages rather than `nbgrader generate_feedback`: they come from the course's own grader (the
diagnosis of each mistake, never a line of test code), while nbgrader's feedback needs its own
autograde and shows the restored hidden tests (nbgrader #917, #1363).

Standard library only; prints one line per page staged; exits 1 if a graded submission has no
secret (it was not submitted through the exchange) or nothing was staged.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path


def stage(out: Path, course: Path, lessons: list[str] | None = None) -> list[Path]:
    staged, missing = [], []
    for page in sorted((out / "feedback").glob("*/*.html")):
        student, lesson = page.parent.name, page.stem
        if lessons and lesson not in lessons:
            continue
        submitted = course / "submitted" / student / lesson
        if not (submitted / "submission_secret.txt").is_file():
            missing.append(f"{student}/{lesson}")
            continue
        target = course / "feedback" / student / lesson
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target / f"{lesson}.html")
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / name).is_file():
                shutil.copyfile(submitted / name, target / name)
        staged.append(target / f"{lesson}.html")
        print(f"staged {target / f'{lesson}.html'}")
    for what in missing:
        print(f"no submission_secret.txt for {what} in {course / 'submitted'}: not submitted through "
              "the exchange, its feedback cannot be released by nbgrader", file=sys.stderr)
    if missing or not staged:
        raise SystemExit(1 if staged or missing else "nothing to stage: no OUT/feedback/<student>/<lesson>.html")
    return staged


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the `lstmlab grade -o` folder")
    ap.add_argument("course", type=Path, help="the nbgrader course root (holds submitted/)")
    ap.add_argument("lessons", nargs="*", help="only these lessons (default: all graded)")
    args = ap.parse_args(argv)
    stage(args.out, args.course, args.lessons or None)


if __name__ == "__main__":
    main()
