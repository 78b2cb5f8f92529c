"""Library-wide internals open to every package: canonical JSON and digests, strict JSON
parsing, deeply immutable values, and the one verification report.

Nothing here knows a domain concept; every layer above may import it.
"""
