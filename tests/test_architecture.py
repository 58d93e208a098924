import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_tracker_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "tracker").rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == []


def test_every_page_file_is_registered_in_app_navigation():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    registered = set(re.findall(r'st\.Page\("(views/[^"]+\.py)"', app))
    on_disk = {f"views/{p.name}" for p in (ROOT / "views").glob("*.py")}
    assert registered == on_disk


def test_pages_render_no_html_from_data():
    for p in [ROOT / "app.py", *(ROOT / "views").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        assert "unsafe_allow_html" not in p.read_text(encoding="utf-8"), p.name


def test_pages_have_no_bare_expressions_that_streamlit_would_draw():
    """Streamlit's "magic" draws any bare expression at a page's top level: a string meant as a note
    under a constant appears on the page. Only the module docstring (the first statement) is exempt."""
    for p in [ROOT / "app.py", *(ROOT / "views").glob("*.py")]:
        body = ast.parse(p.read_text(encoding="utf-8")).body
        drawn = [
            node.lineno for node in body[1:] if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ]
        assert drawn == [], f"{p.name}: bare value at line(s) {drawn} would be drawn on the page"
