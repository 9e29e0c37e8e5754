"""The documentation site builds strictly offline, and what its pages state is true.

The docs (docs/, mkdocs.yml) hold the facts the README used to: commands, options, module paths,
files, figures and the worked examples. Each check below compares a page with something outside
the page: the CLI's own command tree, the importable package, the repository's files, the paper's
legends (van der Zwet et al., Leukemia 2021) or arithmetic done here by hand.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
README = ROOT / "README.md"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
TEXTS = [*PAGES, README, CONTRIBUTING]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _code(path: Path) -> list[str]:
    """Inline code spans and lines of fenced code blocks of a Markdown file."""
    text = _text(path)
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    inline = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M))
    return [ln for b in blocks for ln in b.splitlines()] + inline


# --- the build ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_strict_build_renders_every_page_and_the_api(site):
    """Strict mode turns broken links, missing anchors and unresolved API names into failures."""
    for page in PAGES:
        rel = page.relative_to(DOCS).with_suffix(".html")
        assert (site / rel).is_file(), f"{rel} was not built"
    api = (site / "api" / "tallrx.html").read_text(encoding="utf-8")
    import tallrx

    for name in tallrx._API:  # every top-level public name has a rendered entry
        assert f"tallrx.{name}" in api, f"API page lacks tallrx.{name}"
    contributing = (site / "contributing.html").read_text(encoding="utf-8")
    assert "Errors: user error or bug" in contributing  # the page shows CONTRIBUTING.md


def test_site_needs_no_network(site):
    """No page loads a script, stylesheet or font from another host (the site reads offline)."""
    remote = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?://""")
    for html in site.rglob("*.html"):
        hit = remote.search(html.read_text(encoding="utf-8"))
        assert hit is None, f"{html.relative_to(site)} loads {hit.group(0)}"


# --- README ---------------------------------------------------------------------------------------


def test_readme_fits_on_two_screens():
    assert len(_text(README).splitlines()) <= 80


def test_readme_and_contributing_links_exist():
    for path in (README, CONTRIBUTING):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", _text(path)):
            if "://" not in target:
                assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_readme_python_taste_uses_public_names():
    import tallrx

    block = re.search(r"```python\n(.*?)```", _text(README), flags=re.S).group(1)
    used = set(re.findall(r"\btallrx\.(\w+)", block))
    assert used and used <= set(tallrx.__all__), used - set(tallrx.__all__)


# --- commands and options -------------------------------------------------------------------------


def _cli_tree() -> dict[str, set[str]]:
    """``{"screen": {"--out", ...}, "db query": {...}}`` from the CLI's own command objects."""
    import typer.main

    from tallrx.cli import app

    tree: dict[str, set[str]] = {}

    def walk(cmd, prefix: str) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            opts = {o for p in sub.params for o in [*p.opts, *getattr(p, "secondary_opts", [])]}
            tree[prefix + name] = {o for o in opts if o.startswith("-")} | {"--help", "--debug",
                                                                               "--quiet"}
            walk(sub, prefix + name + " ")

    walk(typer.main.get_command(app), "")
    return tree


def _command_lines() -> list[tuple[str, str]]:
    """Every documented ``tallrx ...`` command line, with the file it is in."""
    out = []
    for path in TEXTS:
        for code in _code(path):
            # a command line: `tallrx` opens the line or span (after a prompt or a venv path)
            for m in re.finditer(r"^(?:\$ )?(?:\S*/)?tallrx ([a-z][a-z-]*(?: [a-z][a-z-]*)?)(?=\s|$)([^|`#]*)",
                                 code.strip()):
                out.append((path.name, "tallrx " + m.group(1) + m.group(2)))
    return out


def test_documented_commands_and_options_exist():
    """Every `tallrx CMD --option` in the docs, README and CONTRIBUTING is in the CLI."""
    tree = _cli_tree()
    lines = _command_lines()
    assert len(lines) > 50  # the docs really are full of command lines
    problems = []
    for where, line in lines:
        words = line.split()
        cmd = " ".join(words[1:3]) if " ".join(words[1:3]) in tree else words[1]
        if cmd not in tree:
            if words[1] in ("COMMAND", "CMD"):
                continue
            problems.append(f"{where}: unknown command in {line!r}")
            continue
        for opt in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line[len("tallrx " + cmd):]):
            if opt not in tree[cmd]:
                problems.append(f"{where}: {line.strip()!r}: tallrx {cmd} has no option {opt}")
    assert not problems, "\n".join(problems)


def test_every_command_is_documented():
    """Each command of the CLI appears on some docs page."""
    text = "\n".join(_text(p) for p in PAGES)
    for cmd in _cli_tree():
        assert f"tallrx {cmd.split()[0]}" in text, f"tallrx {cmd} is not documented"


def test_options_tables_match_the_cli():
    """Rows of the synergy and reproduce options tables name real options of those commands."""
    tree = _cli_tree()
    for page, cmd in (("tutorials/synergy.md", "synergy"), ("tutorials/reproduce.md", "reproduce")):
        section = _text(DOCS / page).split("## Options", 1)[1].split("\n## ", 1)[0]
        opts = re.findall(r"^\| `([^`]+)`", section, flags=re.M)
        assert opts, page
        for cell in opts:
            for opt in re.findall(r"--[a-z][\w-]*", cell):
                assert opt in tree[cmd], f"{page}: tallrx {cmd} has no {opt}"


# --- module paths and files -----------------------------------------------------------------------


def _resolves(dotted: str) -> str | None:
    """None when ``dotted`` imports (module, then attributes); else why not."""
    from tallrx._moved import MOVED

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        mod = ".".join(parts[:i])
        if mod in MOVED:
            return f"{mod} is a deprecated path; use {MOVED[mod]}"
        try:
            obj = importlib.import_module(mod)
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return f"{mod} has no {'.'.join(parts[i:])}"
            obj = getattr(obj, attr)
        return None
    return "not importable"


def test_documented_module_paths_import():
    """`tallrx.x.y` names in the docs exist at their current (not deprecated) place."""
    names = set()
    for path in TEXTS:
        for code in _code(path):
            names |= set(re.findall(r"\btallrx(?:\.[A-Za-z_]\w*)+", code))
        # `from tallrx.x import a, b` in code blocks: the imported names too
        imports = re.findall(r"^from (tallrx[\w.]*) import \(([^)]*)\)", _text(path), flags=re.M)
        imports += re.findall(r"^from (tallrx[\w.]*) import ([\w, ]+?)\s*(?:#.*)?$", _text(path), flags=re.M)
        for module, names_ in imports:
            names |= {f"{module}.{n.strip()}" for n in names_.split(",") if n.strip()}
            assert names_.strip(), f"{path.name}: empty import from {module}"
    names = {n for n in names if not n.endswith((".py", ".db", ".toml", ".csv"))}
    assert len(names) > 30
    problems = [f"{n}: {why}" for n in sorted(names) if (why := _resolves(n))]
    assert not problems, "\n".join(problems)


def test_documented_files_exist():
    """Repository paths (src/, tests/, benchmarks/, tools/, docs/) named in the docs exist."""
    problems = []
    for path in TEXTS:
        for code in _code(path):
            for rel in re.findall(r"(?<![\w/.])((?:src|tests|benchmarks|tools|docs)/[\w./*-]+)", code):
                rel = rel.rstrip(".").split("::")[0]
                if not list(ROOT.glob(rel)) and not (ROOT / rel).exists():
                    problems.append(f"{path.name}: {rel}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_every_benchmark_is_documented():
    bench = _text(DOCS / "benchmarks.md") + _text(CONTRIBUTING)
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        assert f"benchmarks/{script.name}" in bench, script.name


def test_figures_are_small_and_used():
    images = sorted((DOCS / "img").glob("*.png"))
    assert len(images) >= 8  # real figures for every tutorial
    used = "\n".join(_text(p) for p in PAGES)
    for img in images:
        assert img.stat().st_size < 200_000, f"{img.name}: {img.stat().st_size} bytes"
        assert f"img/{img.name}" in used, f"{img.name} is on no page"
    for tutorial in ("screen", "synergy", "assays", "model", "reproduce"):
        assert "](../img/" in _text(DOCS / "tutorials" / f"{tutorial}.md"), tutorial


# --- facts the pages state ------------------------------------------------------------------------


def test_conventions_state_the_papers_thresholds():
    """The paper's legends: '>1.5 fold increase in prednisolone AUC' (Fig. 1D), 'minimal AUC of
    175 in the presence of IL7' (Fig. 5B), IL7 25 ng/ml (Methods), CI < 0.3 strong synergy and
    0.3-0.8 synergy (Fig. 5C). The conventions page and tallrx.paper both say so."""
    from tallrx import paper

    page = _text(DOCS / "conventions.md")
    assert "**> 1.5**" in page and "**>= 175**" in page and "25 ng/ml" in page
    assert "< 0.3 strong synergy, 0.3-0.8 synergy" in page
    assert "**CI < 1 is synergy**" in page and "> 0 is synergy" in page
    assert (paper.IL7_RESPONSIVE_FOLD, paper.IL7_DEPENDENT_MIN_AUC, paper.IL7_NG_ML) == (1.5, 175, 25)
    assert (paper.CI_STRONG_SYNERGY, paper.CI_SYNERGY) == (0.3, 0.8)


def test_auc_worked_example_is_right():
    """Doses 0.01-100 uM (one per log), means 100, 100, 50, 0, 0 %: trapezoid over log10 uM."""
    x = np.log10([0.01, 0.1, 1, 10, 100])
    y = np.array([100, 100, 50, 0, 0])
    auc = float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)))
    assert auc == pytest.approx(200) and 100 * (x[-1] - x[0]) == pytest.approx(400)
    for page in ("conventions.md", "guide/fit.md"):
        assert "100 + 75 + 25 + 0 = " in _text(DOCS / page) and "200" in _text(DOCS / page)


def test_normalization_worked_example_is_right():
    """Blanks 10 and 14, vehicles 110 and 130, one well 72: 100 (72 - 12) / mean(98, 118)."""
    blank = (10 + 14) / 2
    vehicle = ((110 - blank) + (130 - blank)) / 2
    viability = 100 * (72 - blank) / vehicle
    page = _text(DOCS / "guide" / "normalization.md")
    assert f"viability = 100 × 60 / {vehicle:g} = {viability:.2f} %" in page


def test_exit_codes_are_the_clis():
    """The documented exit codes (0 ok, 2 user error, 1 bug) are what the CLI returns."""
    from tallrx.cli import main

    assert main(["screen", "no-such-layout.csv", "-o", str(ROOT / "out" / "never")]) == 2
    for page in ("conventions.md", "guide/messy-data.md"):
        text = _text(DOCS / page)
        assert re.search(r"\| 2 \|", text) or "| 2 |" in text or "exit code 2" in text.lower()


def test_documented_benchmark_options_exist():
    """`benchmarks/bench_x.py --option` in the docs: the script defines that option."""
    problems = []
    for path in TEXTS:
        for code in _code(path):
            for script, args in re.findall(r"benchmarks/(bench_\w+\.py)([^`|#&]*)", code):
                source = (ROOT / "benchmarks" / script).read_text(encoding="utf-8")
                for opt in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", args):
                    if f'"{opt}"' not in source and f"'{opt}'" not in source:
                        problems.append(f"{path.name}: {script} has no {opt}")
    assert not problems, "\n".join(sorted(set(problems)))
