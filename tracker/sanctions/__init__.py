"""Sanctions lists in: OFAC SDN and OpenSanctions files -> one canonical entities frame, list diffs and search.

* :mod:`tracker.sanctions.ofac_sdn`, :mod:`tracker.sanctions.opensanctions`: the readers;
* :mod:`tracker.sanctions.entities`: the entities frame, IMO check digits, :func:`list_diff`;
* :mod:`tracker.sanctions.search`: name and identifier search, links between entities.

Readers never raise on bad input: they return the entities that passed and
:class:`tracker.schema.Problem` rows (file, row, column, value, message, severity).
"""
