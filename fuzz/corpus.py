#!/usr/bin/env python3
"""Writes the fuzz target's seed corpus and dictionary from the project's own queries.

The corpus (fuzz/corpus/) is every GraphQL document written as a string literal in the suite
(tests/tests/) and the benchmark (bench/src/), with the variables given beside it where they are
plain JSON: real queries reach the executor's deep paths at once, where AFL would take hours to
find a valid selection of three nested connections by mutation. The dictionary (fuzz/graphql.dict)
holds the schema's names and GraphQL's punctuation, for the mutations that insert tokens.

Run again after adding tests or changing the schema: python3 fuzz/corpus.py
"""

import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
DICTIONARY = ROOT / "fuzz" / "graphql.dict"
SOURCES = sorted((ROOT / "tests" / "tests").rglob("*.rs")) + sorted((ROOT / "bench" / "src").rglob("*.rs"))
# Larger documents are the hostile tests' bombs: they only teach AFL that big inputs are slow.
MAX_DOCUMENT = 4096
DOCUMENT_START = re.compile(r"^\s*(\{|query\b|fragment\b|mutation\b|subscription\b)")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def literals(text):
    """Yields (string literal, index after it) for each Rust string literal in `text`."""
    i = 0
    while i < len(text):
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            if i < 0:
                return
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            i = text.find("'", i + 2) + 1  # a char literal, such as '"'
        elif c == "r" and re.match(r'r#*"', text[i:i + 8]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = len(re.match(r"r(#*)", text[i:]).group(1))
            start = i + 2 + hashes
            end = text.find('"' + "#" * hashes, start)
            yield text[start:end], end + 1 + hashes
            i = end + 1 + hashes
        elif c == '"':
            i += 1
            out = []
            while i < len(text) and text[i] != '"':
                if text[i] == "\\":
                    nxt = text[i + 1]
                    if nxt == "\n":  # a line continuation skips the next line's indent
                        i += 2
                        while i < len(text) and text[i] in " \t\n":
                            i += 1
                        continue
                    if nxt == "u":
                        close = text.find("}", i)
                        out.append(chr(int(text[i + 3:close], 16)))
                        i = close + 1
                        continue
                    out.append(ESCAPES.get(nxt, nxt))
                    i += 2
                else:
                    out.append(text[i])
                    i += 1
            yield "".join(out), i + 1
            i += 1
        else:
            i += 1


def json_after(text, at):
    """The variables of `json!({...})` right after a literal, if they are plain JSON."""
    match = re.match(r"\s*,\s*json!\(", text[at:])
    if not match:
        return None
    start = at + match.end()
    depth = 0
    for j in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            try:
                value = json.loads(text[start:j + 1])
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def main():
    inputs = set()
    for source in SOURCES:
        text = source.read_text()
        for literal, end in literals(text):
            # Format strings' placeholders such as "{path}" are no documents.
            if not DOCUMENT_START.match(literal) or len(literal) > MAX_DOCUMENT or not re.search(r"\w[\s(]*[{(]", literal):
                continue
            variables = json_after(text, end)
            entry = literal.encode()
            if variables:
                entry += b"\0" + json.dumps(variables, separators=(",", ":")).encode()
            inputs.add(entry)
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.iterdir():
        old.unlink()
    for entry in sorted(inputs):
        (CORPUS / hashlib.sha256(entry).hexdigest()[:16]).write_bytes(entry)

    schema = (ROOT / "schema.graphql").read_text()
    # Names only: descriptions and comments are prose.
    schema = re.sub(r'"""(.|\n)*?"""|"[^"\n]*"|#.*', "", schema)
    names = set(re.findall(r"\b[_A-Za-z][_0-9A-Za-z]*\b", schema))
    names -= {"A", "An", "The", "a", "an", "the", "of", "and", "or", "in", "is", "to", "by", "for", "on"}
    punctuation = ["{", "}", "(", ")", "[", "]", ":", "$", "!", "...", "@", "=", ",", '"', '"""', "#",
                   "query", "fragment", "on", "__typename", "__schema", "__type", "@skip(if: true)",
                   "@include(if: false)", "true", "false", "null", "first: 2", "after: ", "\\u0000"]
    lines = []
    for token in sorted(names) + punctuation:
        lines.append('"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"')
    DICTIONARY.write_text("# Written by fuzz/corpus.py: the schema's names and GraphQL's tokens.\n"
                          + "\n".join(dict.fromkeys(lines)) + "\n")
    print(f"{len(inputs)} seed inputs in {CORPUS.relative_to(ROOT)}, {len(lines)} tokens in {DICTIONARY.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
