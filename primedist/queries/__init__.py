"""SQL only: list specs, keyset paging, counts, search. No business rules, no Qt."""
