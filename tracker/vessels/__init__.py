"""AIS vessel positions: reading position files, distance from shore, behaviour events, tracks for the map.

* :mod:`tracker.vessels.reading`: MarineCadastre (2024 and 2025 layouts, CSV, ``.csv.zst`` and GeoParquet),
  Danish Maritime Authority and mapped CSV files -> one canonical positions table, streamed in chunks;
* :mod:`tracker.vessels.shore`: distance from the nearest land of the bundled basemap, offline;
* :mod:`tracker.vessels.events`: AIS gaps, encounters, loitering, implausible jumps and identity changes;
* :mod:`tracker.vessels.tracks`: simplified tracks and a per-vessel summary.
"""
