"""The README's layout tree lists every module of the package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"```\nexercises/<id>\.yaml.*?```", readme, re.S).group(0)


def test_every_module_is_in_the_layout_tree():
    tree = _tree()
    sections = re.split(r"\n  (?=\w+/ )", tree)  # one section per package, top level first
    by_package = {section.split("/", 1)[0]: section for section in sections[1:]}
    missing = []
    for module in sorted((ROOT / "grader").rglob("*.py")):
        relative = module.relative_to(ROOT / "grader")
        if module.name == "__init__.py":
            continue  # a package is listed by its folder
        where = by_package.get(relative.parts[0], "") if len(relative.parts) > 1 else sections[0]
        if not re.search(rf"\b{re.escape(module.name)}\b", where):
            missing.append(str(relative))
    assert not missing, f"modules missing from the README's tree: {missing}"
