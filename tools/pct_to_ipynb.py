"""Scaffold a solution notebook from a plain-text draft (authoring aid; the .ipynb is the source after).

Draft format: cells separated by marker lines
    # %% [markdown]                 markdown text follows as is
    # %%                            an ordinary code cell
    # %% [demo]                     a code cell no graded cell depends on (tag "demo")
    # %% [solution] id=NAME         an nbgrader solution cell (use ### BEGIN/END SOLUTION inside)
    # %% [tests] id=NAME points=N   an nbgrader autograder test cell (### BEGIN/END HIDDEN TESTS inside)

Usage: python tools/pct_to_ipynb.py draft.py solutions/NN_slug.ipynb, then `lstmlab run NN_slug`.
"""
import re
import sys

import nbformat

MARK = re.compile(r"^# %%(?: \[(\w+)\])?(.*)$")


def nbgrader_meta(kind, opts):
    base = {"schema_version": 3, "task": False, "grade_id": opts["id"]}
    if kind == "solution":
        return {**base, "grade": False, "locked": False, "solution": True}
    return {**base, "grade": True, "locked": True, "solution": False, "points": int(opts["points"])}


def convert(text):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    cells, kind, opts, lines = [], None, {}, []

    def flush():
        if kind is None:
            return
        src = "\n".join(lines).strip("\n")
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(src))
            return
        cell = nbformat.v4.new_code_cell(src)
        if kind in ("solution", "tests"):
            cell.metadata["nbgrader"] = nbgrader_meta(kind, opts)
        if kind == "demo":
            cell.metadata["tags"] = ["demo"]
        cells.append(cell)

    for line in text.splitlines():
        m = MARK.match(line)
        if m:
            flush()
            kind = m.group(1) or "code"
            opts = dict(kv.split("=") for kv in m.group(2).split())
            lines = []
        else:
            lines.append(line)
    flush()
    nb.cells = cells
    return nb


if __name__ == "__main__":
    nbformat.write(convert(open(sys.argv[1], encoding="utf-8").read()), sys.argv[2])
