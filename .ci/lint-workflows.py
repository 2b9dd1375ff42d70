#!/usr/bin/env python3
"""The repository's own rules for GitHub Actions workflows, beyond what actionlint checks.

Usage: python3 .ci/lint-workflows.py [WORKFLOW.yml ...]
(default: every .github/workflows/*.yml and *.yaml). Exits 1 when a rule is broken, printing
FILE:LINE: message for each finding.

The rules:
  1. No expression in a shell script. A `run:` block (or an actions/github-script `script:`)
     may not contain `${{ ... }}` naming anything an outsider can set — `github.event.*`
     (issue titles and bodies, comments, branch names, commit messages), `github.head_ref`,
     `inputs.*` — nor anything else outside a short list of values GitHub itself makes
     (`github.run_id`, `github.sha`, `runner.os`...): pass the value through `env:` and read
     "$VAR" in the script.
  2. Least privilege. The workflow sets `permissions:` at the top level, and no
     `permissions:` anywhere is `write-all` (or `read-all`).
  3. Pinned actions. Every `uses:` of another repository's action names a full 40-hex commit
     SHA (a tag or branch can be moved to other code); a docker image needs an @sha256 digest.

Only the block style of YAML that workflows are written in is read (python3 stdlib only); a
flow-style mapping (`- { run: ... }`) is a finding of its own, since the rules cannot see into
it. A plain scalar continued on the lines below its key is read whole.
"""

import re
import sys
from pathlib import Path

# Expressions allowed inside a script: values GitHub makes, never text an outsider chose.
SAFE_CONTEXTS = re.compile(
    r"^(?:github\.(?:run_id|run_number|run_attempt|sha|repository|repository_id|"
    r"repository_owner|repository_owner_id|workspace|server_url|api_url|graphql_url|"
    r"action_path|job|workflow_ref|workflow_sha|retention_days)|runner\.[a-z_]+|"
    r"strategy\.(?:job-index|job-total|fail-fast|max-parallel))$"
)
# Contexts an outsider controls, named in the message when found.
ATTACKER_CONTROLLED = re.compile(
    r"\b(?:github\.event(?:\.[\w.*-]+|\[[^\]]*\])*|github\.head_ref|inputs\.[\w-]+|"
    r"github\.event_path)"
)
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
KEY = re.compile(r"^(\s*)(?:-\s+)?([\w-]+):(?:\s+(.*))?$")
BLOCK_SCALAR = re.compile(r"^[|>][+-]?\d*\s*(?:#.*)?$")
SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


class Finding:
    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


def strip_comment(value):
    """A plain scalar's value without a trailing `# comment`."""
    return re.sub(r"\s+#.*$", "", value or "").strip()


def unquote(value):
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def scalar_values(lines):
    """Yield (key, starts_item, value_lines) for every `key: value` in the file, where
    value_lines holds (line_number, text) of the value: a block scalar's lines, or the inline
    value on the key's own line. `starts_item` tells whether the key opens a list item."""
    index = 0
    while index < len(lines):
        line = lines[index]
        match = KEY.match(line)
        if not match:
            index += 1
            continue
        key = match.group(2)
        starts_item = line.lstrip().startswith("- ")
        key_column = line.index(key, len(match.group(1)))
        value = match.group(3) or ""
        if BLOCK_SCALAR.match(value):
            body = []
            next_index = index + 1
            while next_index < len(lines):
                inner = lines[next_index]
                if inner.strip() and len(inner) - len(inner.lstrip()) <= key_column:
                    break
                body.append((next_index + 1, inner))
                next_index += 1
            yield key, starts_item, body
            index = next_index
            continue
        # A plain or quoted scalar may go on over the lines below it, indented deeper than
        # its key: they are part of the value.
        body = [(index + 1, value)]
        next_index = index + 1
        while next_index < len(lines):
            inner = lines[next_index]
            if inner.strip() and len(inner) - len(inner.lstrip()) <= key_column:
                break
            if value.strip() and not value.strip().startswith("#"):
                body.append((next_index + 1, inner))
            elif inner.strip():
                break
            next_index += 1
        yield key, starts_item, body
        index = next_index if len(body) > 1 else index + 1


def check_scripts(path, lines, findings):
    step_uses = ""
    for key, starts_item, value_lines in scalar_values(lines):
        if starts_item:
            step_uses = ""
        if key == "uses":
            step_uses = strip_comment(value_lines[0][1]) if value_lines else ""
        is_script = key == "run" or (key == "script" and "actions/github-script" in step_uses)
        if not is_script or not value_lines:
            continue
        text = "\n".join(text for _number, text in value_lines)
        for expression in EXPRESSION.finditer(text):
            inner = " ".join(expression.group(1).split())
            where = value_lines[text[: expression.start()].count("\n")][0]
            attacker = ATTACKER_CONTROLLED.search(inner)
            if attacker:
                findings.append(Finding(
                    path, where,
                    f"`{key}:` interpolates ${{{{ {inner} }}}}: {attacker.group(0)} is "
                    "attacker-controlled text and would run as shell code; pass it through "
                    "`env:` and read \"$VAR\" in the script",
                ))
            elif not SAFE_CONTEXTS.match(inner):
                findings.append(Finding(
                    path, where,
                    f"`{key}:` interpolates ${{{{ {inner} }}}}: only values GitHub makes "
                    "(github.run_id, github.sha, runner.os, ...) may appear in a script; pass "
                    "others through `env:` and read \"$VAR\"",
                ))


FLOW_MAPPING = re.compile(r"^\s*(?:-\s*\{|(?:-\s+)?[\w-]+:\s*\{(?!\s*\}))")


def check_block_style(path, lines, findings):
    """Flow mappings (`- { run: ... }`) are not read by these rules: refuse them."""
    for number, line in enumerate(lines, start=1):
        if FLOW_MAPPING.match(line) and not line.lstrip().startswith("#"):
            findings.append(Finding(
                path, number,
                "a flow-style mapping (`{ ... }`) is not checked by these rules: write it in "
                "block style, one `key: value` a line",
            ))


def check_permissions(path, lines, findings):
    top_level = False
    for number, line in enumerate(lines, start=1):
        match = KEY.match(line)
        if not match or match.group(2) != "permissions":
            continue
        if not line.startswith((" ", "-")):
            top_level = True
        value = unquote(strip_comment(match.group(3)))
        if value in ("write-all", "read-all"):
            findings.append(Finding(
                path, number,
                f"`permissions: {value}` grants every scope; name the scopes the job uses "
                "(e.g. `issues: write`)",
            ))
    if not top_level:
        findings.append(Finding(
            path, 1,
            "no top-level `permissions:`: set `permissions: {}` and give each job the scopes "
            "it uses",
        ))


def check_pins(path, lines, findings):
    for key, _starts_item, value_lines in scalar_values(lines):
        if key != "uses" or not value_lines:
            continue
        number, text = value_lines[0]
        uses = unquote(strip_comment(text))
        if uses.startswith("./"):
            continue
        if uses.startswith("docker://"):
            if "@sha256:" not in uses:
                findings.append(Finding(
                    path, number,
                    f"`uses: {uses}` is not pinned: add the image's @sha256: digest",
                ))
            continue
        if not SHA_PIN.match(uses):
            findings.append(Finding(
                path, number,
                f"`uses: {uses}` is not pinned to a commit: write the full 40-hex SHA, with the "
                "version as a comment (`@<sha> # v4.2.2`)",
            ))


def lint(path):
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    findings = []
    check_block_style(path, lines, findings)
    check_scripts(path, lines, findings)
    check_permissions(path, lines, findings)
    check_pins(path, lines, findings)
    return sorted(findings, key=lambda f: f.line)


def main(argv):
    files = argv[1:]
    if not files:
        files = sorted(
            str(p) for p in Path(".github/workflows").glob("*") if p.suffix in (".yml", ".yaml")
        )
    if not files:
        print("lint-workflows: no workflow files", file=sys.stderr)
        return 2
    findings = []
    for path in files:
        findings.extend(lint(path))
    for finding in findings:
        print(finding)
    if findings:
        print(f"lint-workflows: {len(findings)} finding(s)", file=sys.stderr)
        return 1
    print(f"lint-workflows: {len(files)} workflow file(s), no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
