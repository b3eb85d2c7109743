"""Write a solution notebook back out as a plain-text draft (the inverse of pct_to_ipynb.py).

For editing a lesson's prose and code in an editor: export, edit, convert back, `lstmlab run`,
`lstmlab build`. The notebook stays the source of truth; the draft is thrown away after.

Usage: python tools/ipynb_to_pct.py solutions/NN_slug.ipynb tools/drafts/NN_slug.py
"""
import sys

import nbformat


def header(cell) -> str:
    if cell.cell_type == "markdown":
        return "# %% [markdown]"
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution"):
        return f"# %% [solution] id={meta['grade_id']}"
    if meta.get("grade"):
        return f"# %% [tests] id={meta['grade_id']} points={int(meta['points'])}"
    return "# %% [demo]" if "demo" in cell.metadata.get("tags", []) else "# %%"


def convert(nb) -> str:
    return "\n\n".join(f"{header(c)}\n{c.source}" for c in nb.cells if c.cell_type in ("markdown", "code")) + "\n"


if __name__ == "__main__":
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(convert(nbformat.read(sys.argv[1], as_version=4)))
