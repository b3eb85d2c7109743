"""Instructor grading (`lstmlab grade`): isolated, tamper-resistant, parallel, with feedback and a report.

    notebook.py  the lesson's trusted steps and the student's answers found in their file
    sandbox.py   starting a worker process inside namespaces, tmpfs, a read-only filesystem, a leased uid, limits
    cgroup.py    whole-sandbox memory and process limits (cgroup v2 or v1)
    seccomp.py   the filter a worker installs before student code: no new namespaces
    worker.py    the untrusted side: runs the student's code, answers the judge's calls
    wire.py      the pickle-free message format between them
    judge.py     the trusted side: runs the lesson's tests against the worker, scores each exercise
    verdict.py   statuses, per-exercise and per-submission results (what every output is written from)
    batch.py     a class of submissions: intake (folder or zip), parallel jobs, resumable results
    report.py    grades.csv, per-student feedback HTML, the class report, nbgrader's gradebook
"""
