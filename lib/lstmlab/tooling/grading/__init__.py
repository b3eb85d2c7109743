"""Instructor grading (`lstmlab grade`): isolated, tamper-resistant, parallel, with feedback and a report.

    notebook.py  the lesson's trusted steps and the student's answers found in their file
    sandbox.py   starting a worker process inside namespaces, tmpfs, a read-only filesystem, a leased uid, limits
    zygote.py    the warm start: a pre-imported Python per judge that forks each fresh, isolated worker
    cgroup.py    whole-sandbox memory and process limits (cgroup v2 or v1)
    seccomp.py   the filter a worker installs before student code: no new namespaces
    worker.py    the untrusted side: runs the student's code, answers the judge's calls
    wire.py      the pickle-free message format between them
    judge.py     the trusted side: runs the lesson's tests against the worker, scores each exercise
    verdict.py   statuses, per-exercise and per-submission results (what every output is written from)
    batch.py     a class of submissions: intake (folder or zip), parallel jobs, resumable results
    distributed.py the same jobs on a Dask distributed cluster (`lstmlab grade --scheduler`)
    progress.py  what a run shows while it runs: a bar on a terminal, periodic lines elsewhere, or nothing
    report.py    grades.csv, results.json, per-student feedback HTML, the class report, nbgrader's gradebook
    templates/   the Jinja2 templates (autoescaped) of the feedback pages and the class report
    mistakes.py  the class's mistakes: diagnoses grouped by their template and counted (mistakes.csv)
    similarity.py answers that look alike: winnowed token fingerprints (copydetect) weighted by rarity
    export.py    `lstmlab export`: a run as Canvas's or Moodle's grade-import CSV, or a plain one
"""
