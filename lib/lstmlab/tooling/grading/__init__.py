"""Instructor grading (`lstmlab grade`): isolated, tamper-resistant, parallel, with feedback and a report.

    notebook.py  the lesson's trusted steps and the student's answers found in their file
    sandbox.py   starting a worker process inside namespaces, tmpfs, an unprivileged uid and rlimits
    worker.py    the untrusted side: runs the student's code, answers the judge's calls
    wire.py      the pickle-free message format between them
    judge.py     the trusted side: runs the lesson's tests against the worker, scores each exercise
    batch.py     a class of submissions: intake (folder or zip), parallel jobs, resumable results
    report.py    grades.csv, per-student feedback HTML, the class report, nbgrader's gradebook
"""
