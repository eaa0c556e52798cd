"""The README's shell blocks, for tests that follow them word for word.

A fenced ``sh`` block in README.md that a test runs is marked by an HTML comment on the
line before it: ``<!-- script: NAME -->``. ``readme_script(NAME)`` returns the block's
text exactly as written, so a change to the README changes what the test runs.
"""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"<!-- script: (?P<name>[\w.-]+) -->\n```(?:sh|bash)\n(?P<body>.*?)\n```", re.S)


def readme_scripts() -> dict[str, str]:
    return {m["name"]: m["body"] + "\n" for m in _BLOCK.finditer(README.read_text())}


def readme_script(name: str) -> str:
    scripts = readme_scripts()
    if name not in scripts:
        raise LookupError(f"README.md has no block marked <!-- script: {name} -->")
    return scripts[name]
