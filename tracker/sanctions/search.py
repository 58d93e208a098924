"""Finding entities by name (forgiving case, accents, word order, punctuation and aliases) or by identifier.

Build a :class:`SearchIndex` once per entities frame (it normalises every name and alias up
front), then :func:`search` it as often as needed.  Each hit says how it matched:

* ``exact identifier``: the query is an identifier of the entity (``"9543500"``,
  ``"IMO 9543500"``, an MMSI, a cédula ...), compared as letters and digits only;
* ``exact name`` / ``alias``: the query has the same words as the name / an alias, in any order
  (case, accents and punctuation ignored); score 100;
* ``fuzzy name`` / ``fuzzy alias``: the *word score* of the normalised query and name is at least
  ``min_score`` (:data:`DEFAULT_MIN_SCORE`, 85).  The word score matches each word of the query
  with the closest word of the name (rapidfuzz ``ratio``, 0-100) and averages those, weighted by
  word length; it is also worked out the other way round (each word of the name against the
  query) and the higher of the two is the score.  So it is 100 when every word of the query is
  in the name, in any order ("diosdado cabello" in "CABELLO RONDON, Diosdado"), about 90-97 for
  one slip of spelling ("cabelo rondon"), and about 60-80 for a different person who shares
  one word ("alex saab" against "SAAB MORAN, Amir Luis").  It is computed for every name at
  once: one rapidfuzz ``cdist`` of the query's words against the index's vocabulary, then numpy.

Hits are one per entity (its best match), best first: by score, then exact before alias before
fuzzy, then by how closely the whole name matches (``token_sort_ratio``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tracker.errors import InvalidOptionError
from tracker.sanctions.links import link_by_identifier, link_entities, resolve_linked_names, with_links
from tracker.sanctions.names import name_key, normalise_identifier, normalise_name

DEFAULT_MIN_SCORE = 85.0
"""The lowest fuzzy score (0-100, the word score on normalised names) that counts as a hit."""

HOW_RANK = {"exact identifier": 0, "exact name": 1, "alias": 2, "fuzzy name": 3, "fuzzy alias": 4}
RESULT_COLUMNS = ["entity_id", "list_name", "entity_type", "name", "matched", "how", "score"]

__all__ = [
    "DEFAULT_MIN_SCORE",
    "SearchIndex",
    "build_search_index",
    "search",
    "search_identifier",
    "describe_hits",
    "link_entities",
    "link_by_identifier",
    "resolve_linked_names",
    "with_links",
]


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """Normalised names, aliases and identifiers of an entities frame, ready to search.

    ``texts[i]`` is a normalised name or alias of entity row ``owners[i]`` (``is_alias[i]``
    says which); ``exact`` maps a :func:`name_key` to the positions in ``texts`` with that key;
    ``identifiers`` maps a normalised identifier to ``(row, kind, value as listed)``.  For the
    word score: ``vocabulary`` holds the distinct words; the words of text ``i`` are
    ``vocabulary[token_words[starts[i]:starts[i + 1]]]``; ``word_lengths`` and ``text_lengths`` are in characters.
    """

    entities: pd.DataFrame
    texts: list[str]
    originals: list[str]
    owners: np.ndarray
    is_alias: np.ndarray
    exact: dict[str, list[int]]
    identifiers: dict[str, list[tuple[int, str, str]]]
    vocabulary: list[str]
    token_words: np.ndarray
    starts: np.ndarray
    word_lengths: np.ndarray
    text_lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.entities)


def build_search_index(entities: pd.DataFrame) -> SearchIndex:
    """Index the names, aliases and identifiers of ``entities`` (an entities frame) for :func:`search`."""
    frame = entities.reset_index(drop=True)
    texts: list[str] = []
    originals: list[str] = []
    owners: list[int] = []
    is_alias: list[bool] = []
    exact: dict[str, list[int]] = {}
    identifiers: dict[str, list[tuple[int, str, str]]] = {}
    aliases = frame["aliases"] if "aliases" in frame else pd.Series([[]] * len(frame))
    ids = frame["identifiers"] if "identifiers" in frame else pd.Series([[]] * len(frame))
    for row, (name, alias_list, id_list) in enumerate(zip(frame["name"], aliases, ids)):
        seen: set[str] = set()
        for text, alias in [(name, False), *((a, True) for a in (alias_list if _is_list(alias_list) else []))]:
            normal = normalise_name(text)
            if not normal or normal in seen:
                continue
            seen.add(normal)
            exact.setdefault(name_key(normal), []).append(len(texts))
            texts.append(normal)
            originals.append(str(text))
            owners.append(row)
            is_alias.append(alias)
        for pair in id_list if _is_list(id_list) else []:
            if len(pair) >= 2 and (key := normalise_identifier(pair[1])):
                identifiers.setdefault(key, []).append((row, str(pair[0]), str(pair[1])))
    words: dict[str, int] = {}
    token_words: list[int] = []
    starts: list[int] = []
    for text in texts:
        starts.append(len(token_words))
        token_words += [words.setdefault(w, len(words)) for w in sorted(set(text.split()))]
    vocabulary = list(words)
    tokens = np.asarray(token_words, dtype=np.int64)
    lengths = np.asarray([len(w) for w in vocabulary], dtype=np.float64)
    start_array = np.asarray(starts, dtype=np.int64)
    text_lengths = np.add.reduceat(lengths[tokens], start_array) if len(tokens) else np.zeros(0)
    return SearchIndex(
        frame,
        texts,
        originals,
        np.asarray(owners, dtype=np.int64),
        np.asarray(is_alias, dtype=bool),
        exact,
        identifiers,
        vocabulary,
        tokens,
        start_array,
        lengths,
        text_lengths,
    )


def word_scores(index: SearchIndex, query: str) -> np.ndarray:
    """The word score (0-100, see the module docstring) of the normalised ``query`` against every text of the index."""
    query_words = sorted(set(normalise_name(query).split()))
    if not query_words or not index.texts:
        return np.zeros(len(index.texts))
    pair = process.cdist(query_words, index.vocabulary, scorer=fuzz.ratio, dtype=np.float32, workers=1)
    per_token = pair[:, index.token_words]  # (query words, tokens of every text)
    weights = np.asarray([len(w) for w in query_words], dtype=np.float64)
    best_per_query_word = np.maximum.reduceat(per_token, index.starts, axis=1)  # (query words, texts)
    query_covered = weights @ best_per_query_word / weights.sum()
    best_per_token = per_token.max(axis=0) * index.word_lengths[index.token_words]
    text_covered = np.add.reduceat(best_per_token, index.starts) / index.text_lengths
    return np.maximum(query_covered, text_covered)


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _check_min_score(min_score: float) -> float:
    try:
        value = float(min_score)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 <= value <= 100:
        raise InvalidOptionError(f"min_score={min_score!r} is not valid; choose a number from 0 to 100")
    return value


def _results(index: SearchIndex, hits: dict[int, tuple[float, str, str, float]], limit: int | None) -> pd.DataFrame:
    """One row per entity row in ``hits`` (row -> score, how, matched text, tie-break), best first."""
    if not hits:
        return pd.DataFrame({c: pd.Series([], dtype="float64" if c == "score" else "str") for c in RESULT_COLUMNS})
    order = sorted(
        hits, key=lambda r: (-hits[r][0], HOW_RANK[hits[r][1]], -hits[r][3], str(index.entities.at[r, "name"]))
    )
    order = order[:limit] if limit is not None else order
    rows = index.entities.iloc[order]
    result = pd.DataFrame(
        {
            "entity_id": rows["entity_id"].astype(str).to_numpy(),
            "list_name": rows["list_name"].astype(str).to_numpy() if "list_name" in rows else "",
            "entity_type": rows["entity_type"].astype(str).to_numpy() if "entity_type" in rows else "",
            "name": rows["name"].astype(str).to_numpy(),
            "matched": [hits[r][2] for r in order],
            "how": [hits[r][1] for r in order],
            "score": np.asarray([hits[r][0] for r in order], dtype="float64"),
        }
    )
    return result


def _offer(hits: dict[int, tuple[float, str, str, float]], row: int, hit: tuple[float, str, str, float]) -> None:
    """Keep the better of an entity's hits (higher score, then the stronger kind of match)."""
    old = hits.get(row)
    if old is None or (hit[0], -HOW_RANK[hit[1]], hit[3]) > (old[0], -HOW_RANK[old[1]], old[3]):
        hits[row] = hit


def search_identifier(index: SearchIndex, query: str) -> pd.DataFrame:
    """Entities with an identifier equal to ``query`` ("9543500", "IMO 9543500", an MMSI, a passport number).

    Letters and digits only are compared, upper case, without an ``IMO``/``MMSI`` prefix.  A query
    without a digit is not taken for an identifier.
    """
    hits: dict[int, tuple[float, str, str, float]] = {}
    _identifier_hits(index, query, hits)
    return _results(index, hits, None)


def _identifier_hits(index: SearchIndex, query: str, hits: dict[int, tuple[float, str, str, float]]) -> None:
    key = normalise_identifier(query)
    if key and any(c.isdigit() for c in key):
        for row, kind, value in index.identifiers.get(key, []):
            _offer(hits, row, (100.0, "exact identifier", f"{kind} {value}", 100.0))


def _fuzzy_hits(
    index: SearchIndex, normal: str, floor: float, hits: dict[int, tuple[float, str, str, float]], limit: int | None
) -> None:
    """Add the best fuzzy hit of each entity scoring at least ``floor``, ranked in numpy, not row by row."""
    scores = word_scores(index, normal)
    positions = np.flatnonzero(scores >= max(floor, 1e-9))
    if not len(positions):
        return
    candidates = [index.texts[p] for p in positions]
    closeness = process.cdist([normal], candidates, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)[0]
    rounded = np.round(scores[positions], 1)
    how_rank = np.where(index.is_alias[positions], HOW_RANK["fuzzy alias"], HOW_RANK["fuzzy name"])
    order = np.lexsort((-closeness, how_rank, -rounded))  # best first: score, then name before alias, then closeness
    owners = index.owners[positions[order]]
    _, first = np.unique(owners, return_index=True)  # each entity's best text
    best = np.sort(first)
    if limit is not None:
        best = best[: limit + len(hits)]  # enough to fill the page after exact hits replace some
    for k in best:
        i = order[k]
        position = int(positions[i])
        how = "fuzzy alias" if index.is_alias[position] else "fuzzy name"
        _offer(
            hits, int(index.owners[position]), (float(rounded[i]), how, index.originals[position], float(closeness[i]))
        )


def search(
    index: SearchIndex, query: str, *, min_score: float = DEFAULT_MIN_SCORE, limit: int | None = 20
) -> pd.DataFrame:
    """Entities matching ``query`` by identifier, exact name or alias, or fuzzy name, best first.

    Columns: ``entity_id``, ``list_name``, ``entity_type``, ``name``, ``matched`` (the name, alias
    or identifier that matched), ``how`` (see the module docstring) and ``score`` (0-100; 100 for
    exact matches).  ``min_score`` is the lowest fuzzy score kept; ``limit`` the most hits returned
    (``None`` for all).  An empty query finds nothing.
    """
    floor = _check_min_score(min_score)
    normal = normalise_name(query)
    hits: dict[int, tuple[float, str, str, float]] = {}
    _identifier_hits(index, query, hits)
    if normal and index.texts:
        for position in index.exact.get(name_key(normal), []):
            how = "alias" if index.is_alias[position] else "exact name"
            _offer(hits, int(index.owners[position]), (100.0, how, index.originals[position], 100.0))
        _fuzzy_hits(index, normal, floor, hits, limit)
    return _results(index, hits, limit)


def _joined(values: object, sep: str = "; ") -> str:
    if not isinstance(values, list | tuple | np.ndarray):
        return ""
    return sep.join(" ".join(map(str, v)) if _is_list(v) else str(v) for v in values)


def _linked_names(links: object) -> str:
    return "; ".join(str(link.get("name", "")) for link in links) if isinstance(links, list | tuple) else ""


def describe_hits(hits: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """Search hits as a person reads them, best first: id, name, type, programs, identifiers, the names
    linked to the entity (either way), how it matched and the score, and the list it is on."""
    columns = ["entity_id", "name", "entity_type", "programs", "identifiers", "linked", "how", "score", "list_name"]
    if hits.empty:
        return pd.DataFrame(columns=columns)
    rows = entities.set_index("entity_id").loc[hits["entity_id"]]
    return pd.DataFrame(
        {
            "entity_id": hits["entity_id"].to_numpy(),
            "name": hits["name"].to_numpy(),
            "entity_type": hits["entity_type"].to_numpy(),
            "programs": [_joined(v) for v in rows["programs"]],
            "identifiers": [_joined(v) for v in rows["identifiers"]],
            "linked": [
                "; ".join(str(link.get("name", "")) for link in v) if _is_list(v) else "" for v in rows["links"]
            ],
            "how": hits["how"].to_numpy(),
            "score": hits["score"].round(1).to_numpy(),
            "list_name": hits["list_name"].to_numpy(),
        },
        columns=columns,
    )
