import io

import pandas as pd

from tracker import export


def test_formula_cells_are_neutralised_but_numbers_are_not():
    frame = pd.DataFrame({
        "text": ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "-70.1", "plain", "\t=1"],
        "number": [1, 2, 3, 4, 5, 6, 7],
    })
    out = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)), encoding="utf-8-sig", dtype=str)
    assert list(out["text"]) == ["'=HYPERLINK(\"http://x\",\"y\")", "'+cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3",
                                 "-70.1", "plain", "'\t=1"]
    assert list(out["number"]) == [str(i) for i in range(1, 8)]
