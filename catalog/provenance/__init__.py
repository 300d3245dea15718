"""Provenance: example-level lineage, effective licenses, the catalog-wide license check."""

from __future__ import annotations

import logging

from catalog.errors import NotFound
from catalog.provenance.check import LicenseCheck, Policy, example_verdicts, license_check
from catalog.provenance.lineage import Lineage, build_lineage
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)


def lineage(store: GraphStore, example_id: str) -> Lineage:
    if store.get_node(label="Example", node_id=example_id) is None:
        raise NotFound("example", example_id, hint="ids are the 32-hex ids `cypher` and the API show")
    return build_lineage(store.license_terms(), example_id, store.lineage_rows(example_id=example_id))


def check_licenses(store: GraphStore, *, policy: Policy = "commercial") -> LicenseCheck:
    return license_check(store.license_terms(), store.origin_rows(), policy=policy)


def usable_examples(store: GraphStore, *, policy: Policy = "commercial") -> dict[str, bool]:
    """Per example: may it be used under the policy once every ancestor's license counts?"""
    return example_verdicts(store.license_terms(), store.example_origin_rows(), policy=policy)


__all__ = ["LicenseCheck", "Lineage", "check_licenses", "lineage", "usable_examples"]
