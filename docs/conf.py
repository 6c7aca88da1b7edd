"""Sphinx configuration. The rule catalogue and source pages are generated from the rulebook by the
project's own extension (``_ext/zhifa_docs.py``); nothing about a rule is written by hand here."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

project = "zhifa"
author = "zhifa maintainers"
copyright = "2026, zhifa maintainers"
release = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "zhifa_docs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

language = "en"
html_search_language = "zh"  # the rules and sources are Chinese
html_theme = "furo"
html_title = "zhifa — rules with their clauses"
html_static_path = ["_static"]
html_css_files = ["zhifa.css"]
html_last_updated_fmt = None  # byte-identical builds

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
# Every cross-reference must resolve (``make docs`` runs with -W), except to these types from
# outside the project: no intersphinx inventory is fetched, so that builds need no network.
nitpicky = True
nitpick_ignore = [
    ("py:class", name)
    for name in (
        "collections.abc.Callable", "collections.abc.Iterable", "collections.abc.Iterator",
        "collections.abc.Mapping", "collections.abc.Sequence", "datetime.date", "decimal.Decimal",
        "enum.StrEnum", "hypothesis.strategies.SearchStrategy", "pathlib.Path", "cattrs.Converter",
        "decimal.Annotated",  # Sphinx's reading of ``Annotated[Decimal, ...]`` in forms.plan
        "forms.convert.T",  # structure's type variable
    )
] + [(role, name) for role in ("py:class", "py:obj")  # rulebook.model.ReadOnly's type variables
     for name in ("_K", "_V", "rulebook.model._K", "rulebook.model._V")]
# ``Annotated`` metadata (``Annotated[int, 'whole number ≥ 0']``) is text that describes a field's
# values; Sphinx renders it as a type.
nitpick_ignore_regex = [("py:class", r"'[^']*'")]

# Quotes and rule text are shown exactly as written (no typographic quote substitution).
smartquotes = False
