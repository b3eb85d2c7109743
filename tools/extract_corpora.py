"""Maintainer tool: rebuild the shipped text corpora in lib/lstmlab/data/ from their Debian packages.

Not run by tests or notebooks (nothing reads the network at run time); it documents, as code, where
each file comes from. Needs `apt-get download` (Debian's package archive) and the `rdata` package
(`pip install rdata`, only for this tool) to read R's lazy-load database:

    python tools/extract_corpora.py            # writes austen_pride_prejudice.txt.gz, tang300.txt and
                                               # austen_sentences.tsv.gz

- Jane Austen, *Pride and Prejudice* (1813): public domain. Taken from Debian's r-cran-janeaustenr
  1.0.0-1 (the R package janeaustenr by Julia Silge, MIT licence; its text is Project Gutenberg's).
- 唐诗三百首 (Three Hundred Tang Poems, compiled by 蘅塘退士 Sun Zhu, 1763; the poems 618-907): public
  domain. Taken from Debian's fortunes-zh 2.98 (file tang300; the package is GPL-3.0+, which covers its
  packaging and formatting, not the poems). Only the poems' titles, authors and lines are kept; the
  terminal colour codes and fortune separators are dropped.
- Sentences of Jane Austen's six novels, labelled with their novel (lesson 10's text classifier): public
  domain, from the same r-cran-janeaustenr 1.0.0-1. A seeded sample of 1,000 sentences of 6 to 30 words
  per novel, one `novel<TAB>sentence` line each.
"""
from __future__ import annotations

import gzip
import re
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "lib" / "lstmlab" / "data"


def unpack(package: str, workdir: Path) -> Path:
    subprocess.run(["apt-get", "download", package], cwd=workdir, check=True)
    deb = next(workdir.glob(f"{package}_*.deb"))
    out = workdir / package
    subprocess.run(["dpkg-deb", "-x", str(deb), str(out)], check=True)
    return out


def austen(workdir: Path) -> str:
    import rdata  # only this tool needs it

    base = unpack("r-cran-janeaustenr", workdir) / "usr/lib/R/site-library/janeaustenr/data/Rdata"
    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(base.with_suffix(".rdx").read_bytes())))
    offset, length = (int(v) for v in index["variables"]["prideprejudice"])
    blob = base.with_suffix(".rdb").read_bytes()[offset:offset + length]
    # A lazy-load record: 4-byte big-endian length, then a zlib stream of the serialized object.
    assert struct.unpack(">I", blob[:4])[0] > 0
    lines = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(blob[4:])))
    return "\n".join(str(line) for line in lines).strip() + "\n"


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def tang300(workdir: Path) -> str:
    raw = (unpack("fortunes-zh", workdir) / "usr/share/games/fortunes/tang300").read_text(encoding="utf-8")
    poems = []
    for entry in raw.split("\n%\n"):
        lines = [ANSI.sub("", line).strip() for line in entry.strip().splitlines()]
        lines = [line for line in lines if line]
        if len(lines) >= 3:
            poems.append("\n".join(lines))
    return "\n\n".join(poems) + "\n"


AUSTEN_NOVELS = {"sensesensibility": "Sense and Sensibility", "prideprejudice": "Pride and Prejudice",
                 "mansfieldpark": "Mansfield Park", "emma": "Emma", "northangerabbey": "Northanger Abbey",
                 "persuasion": "Persuasion"}
# A sentence ends at . ! ? (and a closing quote) before a capital, but not after a title (Mr. Darcy).
SENTENCE_END = re.compile(r'(?<!Mr\.)(?<!Mrs\.)(?<!Dr\.)(?<!St\.)(?<=[.!?])["\'\u201d\u2019]?\s+(?=["\'\u201c\u2018]?[A-Z])')


def austen_sentences(workdir: Path, per_novel: int = 1000, min_words: int = 6, max_words: int = 30,
                     seed: int = 0) -> str:
    """`novel<TAB>sentence` lines: a seeded sample of per_novel sentences of each of the six novels."""
    import random

    import rdata  # only this tool needs it

    pkg = workdir / "r-cran-janeaustenr"
    if not pkg.exists():
        unpack("r-cran-janeaustenr", workdir)
    base = pkg / "usr/lib/R/site-library/janeaustenr/data/Rdata"
    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(base.with_suffix(".rdx").read_bytes())))
    rdb = base.with_suffix(".rdb").read_bytes()
    rows = []
    for obj, title in AUSTEN_NOVELS.items():
        offset, length = (int(v) for v in index["variables"][obj])
        blob = rdb[offset:offset + length]
        lines = [str(line).strip() for line in rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(blob[4:])))]
        # Paragraphs are separated by empty lines; headings ("CHAPTER 1", "VOLUME I") are dropped.
        paragraphs, current = [], []
        for line in lines + [""]:
            if line and not re.match(r"^(CHAPTER|Chapter|VOLUME|Volume)\b", line):
                current.append(line)
            elif current:
                paragraphs.append(" ".join(current))
                current = []
        sentences = []
        for paragraph in paragraphs[1:]:             # the first "paragraph" is the title page
            for sentence in SENTENCE_END.split(paragraph):
                sentence = " ".join(sentence.replace("_", "").split())
                if min_words <= len(sentence.split()) <= max_words and "\t" not in sentence:
                    sentences.append(sentence)
        for sentence in random.Random(f"{seed}-{obj}").sample(sentences, per_novel):
            rows.append(f"{title}\t{sentence}")
    return "\n".join(rows) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with gzip.GzipFile(DATA / "austen_pride_prejudice.txt.gz", "wb", mtime=0) as f:
            f.write(austen(work).encode("utf-8"))
        (DATA / "tang300.txt").write_text(tang300(work), encoding="utf-8")
        with gzip.GzipFile(DATA / "austen_sentences.tsv.gz", "wb", mtime=0) as f:
            f.write(austen_sentences(work).encode("utf-8"))
    print("wrote", DATA / "austen_pride_prejudice.txt.gz", DATA / "tang300.txt", DATA / "austen_sentences.tsv.gz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
