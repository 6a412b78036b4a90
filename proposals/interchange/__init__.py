"""The interchange format ``proposal-replies/1``: agencies, sessions, proposals,
their sections, reply letters and feedback as one JSON file.

:func:`import_bytes` / :func:`import_data` read a file into the database in one
transaction; :func:`export_data` and :func:`dumps` write one. The format is described
field by field in ``docs/interchange.md``.
"""

from .base import FORMAT, InterchangeError
from .exporter import dumps, export_data
from .importer import ImportResult, import_bytes, import_data

__all__ = [
    "FORMAT",
    "ImportResult",
    "InterchangeError",
    "dumps",
    "export_data",
    "import_bytes",
    "import_data",
]
