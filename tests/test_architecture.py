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
