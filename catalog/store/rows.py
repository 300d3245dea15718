"""The store's typed results, for the domain modules that read them: every row type a catalog
query returns (declared next to its Cypher in catalog/store/cypher/) and the dataclasses that
gather several queries' rows for one question."""

from catalog.census import CensusRow
from catalog.store.cypher.browse import ConceptMethodRow
from catalog.store.cypher.coverage import AssignmentRow
from catalog.store.cypher.provenance import (
    DatasetGeneratorRow,
    DatasetLanguagesRow,
    DatasetModelClaimRow,
    DatasetRow,
    DerivationLanguagesRow,
    EdgePairRow,
    ExampleLanguagesRow,
    ExampleOriginsRow,
    OriginGroupRow,
    SyntheticSignatureRow,
)
from catalog.store.cypher.quality import (
    DuplicateEdge,
    DuplicateRow,
    ExampleIssueIdRow,
    MessagesRow,
    SelectionRow,
)
from catalog.store.queries_browse import ExampleLinks
from catalog.store.queries_provenance import (
    ExampleOriginFacts,
    LabelledClaim,
    LicenseInputs,
    LineageFacts,
    OriginFacts,
    SyntheticFacts,
)

__all__ = [
    "AssignmentRow",
    "CensusRow",
    "ConceptMethodRow",
    "DatasetGeneratorRow",
    "DatasetLanguagesRow",
    "DatasetModelClaimRow",
    "DatasetRow",
    "DerivationLanguagesRow",
    "DuplicateEdge",
    "DuplicateRow",
    "EdgePairRow",
    "ExampleIssueIdRow",
    "ExampleLanguagesRow",
    "ExampleLinks",
    "ExampleOriginFacts",
    "ExampleOriginsRow",
    "LabelledClaim",
    "LicenseInputs",
    "LineageFacts",
    "MessagesRow",
    "OriginFacts",
    "OriginGroupRow",
    "SelectionRow",
    "SyntheticFacts",
    "SyntheticSignatureRow",
]
