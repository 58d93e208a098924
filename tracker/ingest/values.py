"""Cell values: dates and numbers read from the text a file gives.

Dates: ISO (``YYYY-MM-DD``), numeric day/month/year or month/day/year (the
order in :data:`DATE_ORDERS`, inferred when a part is above 12, else asked),
and written dates in English or Spanish ("Sept. 15, 2025", "15 de octubre de
2025").  They come back as ``datetime64[ns]`` (NaT where unreadable, with the
reason); years before 1900 and after 2261 are refused.  Numbers: a dot or a
decimal comma, as float64 in whatever unit the column holds (degrees for
positions, km for radii, people or boats for counts; counts are checked
against :data:`tracker.schema.MAX_COUNT` by the pipeline).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from dateutil import parser as date_parser

from tracker import schema

DATE_ORDERS = ("dmy", "mdy")
_SPANISH_MONTHS = {
    "enero": "January",
    "febrero": "February",
    "marzo": "March",
    "abril": "April",
    "mayo": "May",
    "junio": "June",
    "julio": "July",
    "agosto": "August",
    "septiembre": "September",
    "setiembre": "September",
    "octubre": "October",
    "noviembre": "November",
    "diciembre": "December",
}


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$")
_LAST_YEAR = 2261
"""Years after this cannot be held as dates here (pandas' nanosecond limit is 2262-04-11); they are all
in the future anyway."""


_PLAIN_ISO = r"\d{4}-\d{2}-\d{2}"
"""YYYY-MM-DD exactly, in ASCII digits: the dates most files hold, parsed in one vectorised step."""


def _plain_iso(values: pd.Series) -> pd.Series:
    """True where a (stripped) value is exactly YYYY-MM-DD; such a value is never a numeric d/m/y date."""
    return values.str.fullmatch(_PLAIN_ISO).fillna(False).astype(bool)


@dataclass(frozen=True)
class DateEvidence:
    """What the numeric dates (03/04/2026) of a column say about their order; combine chunks with ``|``."""

    numeric: bool = False  # some value is a numeric date
    first_over_12: bool = False  # some first part is above 12: day first
    second_over_12: bool = False  # some second part is above 12: month first

    def __or__(self, other: DateEvidence) -> DateEvidence:
        return DateEvidence(
            self.numeric or other.numeric,
            self.first_over_12 or other.first_over_12,
            self.second_over_12 or other.second_over_12,
        )

    @property
    def order(self) -> str | None:
        """'dmy' or 'mdy' when the numeric dates settle it, else None."""
        if self.first_over_12:
            return "dmy"
        if self.second_over_12:
            return "mdy"
        return None

    @property
    def needed(self) -> bool:
        """True when numeric dates could be read day-first or month-first (no part above 12)."""
        return self.numeric and not (self.first_over_12 or self.second_over_12)


def date_evidence(values: pd.Series) -> DateEvidence:
    """The :class:`DateEvidence` of one column (or chunk of a column) of date texts.

    Plain ISO dates are set aside by one vectorised match; only the rest are searched
    for numeric dates.
    """
    values = values.fillna("").astype(str)
    rest = values[~_plain_iso(values.str.strip())]
    if rest.empty:
        return DateEvidence()
    parts = rest.str.extract(_NUMERIC_DATE).dropna()
    if parts.empty:
        return DateEvidence()
    return DateEvidence(True, bool((parts[0].astype(int) > 12).any()), bool((parts[1].astype(int) > 12).any()))


def date_order_needed(values: pd.Series) -> bool:
    """True when numeric dates could be read day-first or month-first (no part above 12)."""
    return date_evidence(values).needed


def infer_date_order(values: pd.Series) -> str | None:
    """'dmy' or 'mdy' when the numeric dates themselves settle it, else None."""
    return date_evidence(values).order


@lru_cache(maxsize=100_000)
def _parse_written_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a written date ("Sept. 15, 2025", "15 de octubre de 2025"), or None.

    None when the text is not a date or names no year (it is parsed with two
    different default years: if the year follows the default, the text has none).
    """
    cleaned = text.strip().lower()
    for es, en in _SPANISH_MONTHS.items():
        cleaned = re.sub(rf"\b{es}\b", en, cleaned)
    cleaned = re.sub(r"\bde\b", " ", cleaned)
    cleaned = re.sub(r"\bsept\b\.?", "sep", cleaned).replace(".", " ")
    try:
        a = date_parser.parse(cleaned, default=dt.datetime(2000, 1, 1))
        b = date_parser.parse(cleaned, default=dt.datetime(2001, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None
    return a.year, a.month, a.day


def _dates_from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from whole-number parts (one index), and the reason where a part makes no date.

    Years before 1900 are out of the range this tool handles; years after 2261
    are in the future (and beyond what a nanosecond date can hold).
    """
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    reasons = pd.Series("", index=year.index, dtype=object)
    early, late = year < schema.MIN_DATE.year, year > _LAST_YEAR
    reasons[early] = schema.DATE_RANGE_MESSAGE
    reasons[late] = schema.FUTURE_DATE_MESSAGE
    ok = ~early & ~late
    if ok.any():
        parts = pd.DataFrame({"year": year[ok], "month": month[ok], "day": day[ok]}).astype("int64")
        out[ok] = pd.to_datetime(parts, errors="coerce").astype("datetime64[ns]")
    reasons[ok & out.isna()] = "cannot read this as a date (use YYYY-MM-DD)"
    return out, reasons


def parse_dates(values: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """Parse ISO, dd/mm/yyyy or mm/dd/yyyy (by ``order``) and written dates ("Sept. 15, 2025").

    Returns ``(dates, reasons)``: NaT where a date could not be read, with the reason.
    Dates before 1900 and after 2261 are refused with their own reason (see
    :func:`_dates_from_parts`); later dates up to 2261 are left to
    :func:`tracker.schema.validate`'s check against today.
    """
    values = values.fillna("").astype(str).str.strip()
    plain = _plain_iso(values)
    if not plain.any():
        return _parse_dates_slow(values, order)
    # YYYY-MM-DD in range: one vectorised parse; the rest (and any it cannot read) value by value
    fast, good = _plain_iso_dates(values[plain])
    done = plain.to_numpy().copy()
    done[done] = good
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    reasons = pd.Series("", index=values.index, dtype=object)
    if done.all():
        out = pd.Series(fast, index=values.index, dtype="datetime64[ns]")
    else:
        out.iloc[np.flatnonzero(done)] = fast[good]
    if not done.all():
        slow_out, slow_reasons = _parse_dates_slow(values[~done], order)
        out.iloc[np.flatnonzero(~done)] = slow_out.to_numpy()
        reasons.iloc[np.flatnonzero(~done)] = slow_reasons.to_numpy()
    return out, reasons


def _plain_iso_dates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """YYYY-MM-DD texts as ``datetime64[ns]``, and where that is a real day with a year from 1900 to 2261.

    Worked out on the digits (years, months, days and leap years) as numpy arrays; the rest are
    NaT and left to :func:`_parse_dates_slow`, which gives the reason.
    """
    arr = pa.array(values.array) if values.dtype == _STR else pa.array(values.to_numpy(dtype=object), pa.string())

    def part(start: int, stop: int) -> np.ndarray:
        piece = pc.utf8_slice_codeunits(arr, start, stop)
        return pc.cast(piece, pa.int64()).to_numpy(zero_copy_only=False)

    year, month, day = part(0, 4), part(5, 7), part(8, 10)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    month_days = month_days + ((month == 2) & leap)
    good = (year >= schema.MIN_DATE.year) & (year <= _LAST_YEAR) & (month >= 1) & (month <= 12)
    good &= (day >= 1) & (day <= month_days)
    y, m, d = np.where(good, year, 1970), np.where(good, month, 1), np.where(good, day, 1)
    stamps = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (m - 1).astype("timedelta64[M]")
    stamps = stamps.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    stamps = stamps.astype("datetime64[ns]")
    stamps[~good] = np.datetime64("NaT")
    return stamps, good


def _parse_dates_slow(values: pd.Series, order: str | None) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_dates` for stripped text, value by value where need be."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    reasons = pd.Series("", index=values.index, dtype=object)
    iso_parts = values.str.extract(_ISO_DATE)
    iso = iso_parts[0].notna()
    if iso.any():
        p = iso_parts[iso].astype("int64")
        out[iso], reasons[iso] = _dates_from_parts(p[0], p[1], p[2])
    numeric = values.str.extract(_NUMERIC_DATE)
    is_num = numeric[0].notna() & ~iso
    if is_num.any():
        a, b, y = numeric.loc[is_num, 0].astype(int), numeric.loc[is_num, 1].astype(int), numeric.loc[is_num, 2]
        y = y.astype(int).where(y.str.len() != 2, 2000 + y.astype(int))
        if order is None:
            settled = (a > 12) | (b > 12)
            day = a.where(a > 12, b)
            month = b.where(a > 12, a)
            amb = is_num.copy()
            amb[is_num] = ~settled
            reasons[amb] = "ambiguous date: choose whether it is day/month/year or month/day/year"
            if settled.any():
                idx = settled.index[settled]
                out[idx], reasons[idx] = _dates_from_parts(y[idx], month[idx], day[idx])
        else:
            day, month = (a, b) if order == "dmy" else (b, a)
            out[is_num], reasons[is_num] = _dates_from_parts(y, month, day)
    rest = ~iso & ~is_num & (values != "")
    if rest.any():
        parsed = values[rest].map(_parse_written_date)
        readable = parsed.notna()
        if readable.any():
            parts = pd.DataFrame(parsed[readable].tolist(), index=parsed.index[readable], columns=["y", "m", "d"])
            idx = parts.index
            out[idx], reasons[idx] = _dates_from_parts(parts["y"], parts["m"], parts["d"])
    bad = out.isna() & (values != "") & (reasons == "")
    reasons[bad] = "cannot read this as a date (use YYYY-MM-DD)"
    reasons[values == ""] = "a date is required"
    return out, reasons


_PLAIN_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,20})?$"
"""A number pyarrow reads exactly as :func:`pandas.to_numeric` does (a short decimal, no exponent)."""


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers with a dot or a decimal comma ("12,5"); returns (floats, unreadable mask).

    Plain decimals ("-12.5", most cells) are cast by pyarrow in one step; the rest ("1e3", "inf",
    "12,5", text) as :func:`_parse_numbers_slow` does, which is what every value took before.
    """
    text = values.fillna("").astype(str).str.strip()
    arr = pa.array(text.array) if text.dtype == _STR else pa.array(text.to_numpy(dtype=object), pa.string())
    plain = pc.match_substring_regex(arr, _PLAIN_NUMBER).to_numpy(zero_copy_only=False)
    if plain.all():
        nums = np.array(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False))  # writable
        if not pc.any(pc.match_substring(arr, ".")).as_py():  # whole numbers: pandas reads "-0" as 0
            nums[nums == 0] = 0.0
        return pd.Series(nums, index=values.index), pd.Series(False, index=values.index)
    nums = np.full(len(text), np.nan)
    if plain.any():
        nums[plain] = pc.cast(pc.filter(arr, pa.array(plain)), pa.float64()).to_numpy(zero_copy_only=False)
        if np.signbit(nums[plain & (nums == 0)]).any():  # "-0": its sign depends on the whole column
            return _parse_numbers_slow(values)
    rest = ~plain & (text != "").to_numpy(dtype=bool)
    bad = np.zeros(len(text), dtype=bool)
    if rest.any():
        slow, slow_bad = _parse_numbers_slow(text[rest])
        nums[rest], bad[rest] = slow.to_numpy(), slow_bad.to_numpy()
    return pd.Series(nums, index=values.index), pd.Series(bad, index=values.index)


def _parse_numbers_slow(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_numbers` value by value (pandas): the reference the fast path agrees with."""
    text = values.fillna("").astype(str).str.strip().str.replace("\u2212", "-", regex=False)
    text = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    nums = pd.to_numeric(text, errors="coerce").astype("float64")  # "inf" and 1e400 stay inf
    return nums, nums.isna() & (text != "")


_STR = pd.Series([], dtype=str).dtype
