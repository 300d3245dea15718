"""Quality: per-example checks (format, personal data, boilerplate, length), catalog checks
(near-duplicates, conflicting answers, license policy), all written as graph data."""
