"""Course tooling behind the `lstmlab` command: build, verify, run, lab, check, grade.

    course.py    where things are (solutions/, lessons/, course/), what student code must not see,
                 the nbgrader bridge (generate_assignment, stock autograde), nbval verification
    cli.py       the `lstmlab` command
    grading/     the grading pipeline: notebook (what to run), sandbox + worker (the untrusted side),
                 wire (their message format), judge (the trusted side), verdict (statuses and results),
                 batch (a class, in parallel), report (grades.csv, feedback, report, gradebook)

Student-facing code (the textbook, lstmlab.checking, the lesson rooms) never imports this package.
"""
