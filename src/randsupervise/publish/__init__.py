"""一公开: what the bureau publishes, in every format, and a page to re-check a draw.

Sans-I/O (architecture principles 1 and 10): every function returns a value, a
:class:`Publication`, ``str`` or ``bytes``; only the command line writes files.

* :func:`publish_announcement` (抽查预告, before the seed exists), :func:`publish_plan`,
  :func:`publish_task` (public or audit form, citing the announcement) and
  :func:`publish_results` build the documents (:mod:`.content`);
* :func:`to_json`, :func:`to_csv`, :func:`to_xlsx` and :func:`to_html` render them
  (:mod:`.formats`); :func:`read_json` reads a JSON document back strictly;
* :func:`public_record` is the public form of a draw receipt, and :func:`class_bounds`
  what its tickets still reveal about classes (:mod:`.records`);
* ``verifier.js`` (package data) is the browser verifier inlined into drawn-list pages;
  it also checks each draw against the embedded announcement.
"""

from randsupervise.publish.content import (
    ANNOUNCEMENT_HREF,
    FORMS,
    LANGS,
    publish_announcement,
    publish_plan,
    publish_results,
    publish_task,
)
from randsupervise.publish.formats import (
    FORMATS,
    PUBLICATION_FORMAT,
    Publication,
    Table,
    json_schema,
    read_json,
    to_csv,
    to_html,
    to_json,
    to_xlsx,
    verifier_script,
)
from randsupervise.publish.records import (
    PUBLIC_FORMAT,
    class_bounds,
    merged_selection,
    public_record,
    public_record_differences,
)

__all__ = [
    "ANNOUNCEMENT_HREF",
    "FORMATS",
    "FORMS",
    "LANGS",
    "PUBLICATION_FORMAT",
    "PUBLIC_FORMAT",
    "Publication",
    "Table",
    "class_bounds",
    "json_schema",
    "merged_selection",
    "public_record",
    "public_record_differences",
    "publish_announcement",
    "publish_plan",
    "publish_results",
    "publish_task",
    "read_json",
    "to_csv",
    "to_html",
    "to_json",
    "to_xlsx",
    "verifier_script",
]
