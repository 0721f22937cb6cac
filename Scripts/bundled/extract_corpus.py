#!/usr/bin/env python3
"""Builds the seek-mini training corpus from public-domain / freely licensed English text in Debian packages.

Sources (install with `apt-get install -y bible-kjv bible-kjv-text fortunes fortunes-min`):
  * the King James Version of the Bible (public domain), read through the `bible` program, one document per
    chapter with one verse per line (verse numbers dropped);
  * the English fortune-cookie databases in /usr/share/games/fortunes (one document per fortune, ascii-art
    and the .u8 duplicates skipped, terminal overstriking removed).

Output (deterministic; same input packages give byte-identical files):
  build/train.jsonl, build/heldout.jsonl  -- one {"source": ..., "text": ...} per line.
The held-out split is a fixed slice: every document whose index within its source is 7 modulo 40 (2.5%).
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
FORTUNE_DIR = "/usr/share/games/fortunes"
SKIPPED_FORTUNE_FILES = {"ascii-art"}  # pictures, not text
HELDOUT_MODULUS, HELDOUT_REMAINDER = 40, 7


def kjv_chapters():
    """Yields each chapter of the KJV as verses joined by newlines."""
    try:
        dump = subprocess.run(["bible", "Genesis1:1-Revelation22:21"], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit(f"extract_corpus: cannot run `bible` (apt-get install bible-kjv bible-kjv-text): {error}")
    heading = re.compile(r"^[1-3]? ?[A-Z][A-Za-z ]+ \d+$")
    verse_start = re.compile(r"^\s+\d+ (.*)$")
    verses = []
    for line in dump.split("\n"):
        if not line.strip():
            continue
        if heading.match(line):
            if verses:
                yield "\n".join(verses)
            verses = []
        elif (match := verse_start.match(line)):
            verses.append(match.group(1).strip())
        else:  # continuation of a wrapped verse
            verses[-1] += " " + line.strip()
    if verses:
        yield "\n".join(verses)


def clean_fortune(text):
    text = re.sub(r".\x08", "", text)  # overstriking: "_\bx" underlines, "x\bx" bolds
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text.strip("\n")


def fortunes():
    names = sorted(n for n in os.listdir(FORTUNE_DIR)
                   if os.path.isfile(os.path.join(FORTUNE_DIR, n)) and "." not in n
                   and n not in SKIPPED_FORTUNE_FILES)
    if not names:
        sys.exit(f"extract_corpus: no fortune files in {FORTUNE_DIR} (apt-get install fortunes fortunes-min)")
    for name in names:
        with open(os.path.join(FORTUNE_DIR, name), encoding="utf-8", errors="replace") as handle:
            for chunk in re.split(r"\n%\n", "\n" + handle.read()):
                text = clean_fortune(chunk)
                if len(text) >= 10:
                    yield name, text


def main():
    os.makedirs(BUILD, exist_ok=True)
    sources = [("kjv", text) for text in kjv_chapters()] + [("fortunes/" + n, t) for n, t in fortunes()]
    counters, splits = {}, {"train": [], "heldout": []}
    for source, text in sources:
        family = source.split("/")[0]
        index = counters.get(family, 0)
        counters[family] = index + 1
        split = "heldout" if index % HELDOUT_MODULUS == HELDOUT_REMAINDER else "train"
        splits[split].append({"source": source, "text": text})
    for split, documents in splits.items():
        with open(os.path.join(BUILD, f"{split}.jsonl"), "w", encoding="utf-8") as handle:
            for document in documents:
                handle.write(json.dumps(document, ensure_ascii=False) + "\n")
        chars = sum(len(d["text"]) for d in documents)
        print(f"{split}: {len(documents)} documents, {chars} characters")


if __name__ == "__main__":
    main()
