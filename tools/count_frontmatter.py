#!/usr/bin/python3
"""Counts skill files by frontmatter outcome with PyYAML, independently of the
project's TypeScript parser, to cross-check the discovery phase's figures.

Usage: /usr/bin/python3 tools/count_frontmatter.py ../shared/corpora/openclaw-skills/skills [--list]

Debian's interpreter (/usr/bin/python3) carries PyYAML (package python3-yaml).
A file counts as having frontmatter when, after an optional UTF-8 byte-order
mark, its first line is exactly `---` and a later line is exactly `---` or
`...` (CRLF line ends allowed).
"""
import collections
import os
import sys

import yaml


def classify(path):
    data = open(path, "rb").read()
    if not data.strip():
        return "empty"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not-utf8"
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return "no-frontmatter"
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            break
    else:
        return "unclosed"
    try:
        value = yaml.safe_load("\n".join(lines[1:i]))
    except yaml.YAMLError:
        return "yaml-error"
    if value is None:
        return "empty-frontmatter"
    if not isinstance(value, dict):
        return "not-a-mapping"
    return "ok"


def main():
    root = sys.argv[1]
    listing = "--list" in sys.argv
    counts = collections.Counter()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name == "SKILL.md":
                path = os.path.join(dirpath, name)
                outcome = classify(path)
                counts[outcome] += 1
                if listing and outcome != "ok":
                    print(outcome, os.path.relpath(path, root))
    for outcome, count in sorted(counts.items()):
        print(f"{outcome}\t{count}")
    print(f"total\t{sum(counts.values())}")


main()
