"""Prints one of the README's two set-up commands, so CI runs exactly what a new user is told to type.

Usage: python3 .ci/readme_commands.py demo|test
The command is the single line of the first ```bash block under the heading "## Run the demo" or
"## Run the tests"; anything else there (no block, several lines) is an error, not a guess.
"""

import re
import sys
from pathlib import Path

HEADINGS = {"demo": "## Run the demo", "test": "## Run the tests"}


def command(readme: str, which: str) -> str:
    heading = HEADINGS[which]
    start = readme.find(heading)
    if start < 0:
        raise SystemExit(f"README.md has no heading {heading!r}")
    block = re.search(r"```bash\n(.*?)```", readme[start:], re.S)
    lines = [line for line in block.group(1).splitlines() if line.strip()] if block else []
    if len(lines) != 1:
        raise SystemExit(f"README.md: the block under {heading!r} should hold one command, found {len(lines)} lines")
    return lines[0].strip()


if __name__ == "__main__":
    print(command((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8"), sys.argv[1]))
