"""The Cypher behind ask mode's templates: one parameterised query per common question, in the
subset both engines run the same way (catalog/ask/templates.py matches questions to them).

Each answers through `read_cypher`, the same read-only path as any user query, so an answer shows
exactly the Cypher it ran. Concept filters include descendants (`BROADER*0..30`).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

EXAMPLES_TOTAL = "MATCH (e:Example) WHERE e.usage_role = 'supply' RETURN count(e) AS examples"

COUNT_BY = {
    "topic": "MATCH (e:Example)-[:ABOUT]->(t:Topic) WHERE e.usage_role = 'supply' RETURN t.id AS topic, count(DISTINCT e) AS examples ORDER BY examples DESC, topic LIMIT 100",
    "task": "MATCH (e:Example)-[:FOR_TASK]->(t:Task) WHERE e.usage_role = 'supply' RETURN t.id AS task, count(DISTINCT e) AS examples ORDER BY examples DESC, task LIMIT 100",
    "format": "MATCH (e:Example)-[:HAS_FORMAT]->(f:Format) WHERE e.usage_role = 'supply' RETURN f.id AS format, count(DISTINCT e) AS examples ORDER BY examples DESC, format LIMIT 100",
    "language": "MATCH (e:Example) WHERE e.usage_role = 'supply' RETURN e.language AS language, count(e) AS examples ORDER BY examples DESC, language LIMIT 100",
    "dataset": "MATCH (e:Example)-[:IN_DATASET]->(d:Dataset) RETURN d.id AS dataset, count(e) AS examples ORDER BY examples DESC, dataset LIMIT 100",
}

COUNT_OF = {
    "topic": "MATCH (e:Example)-[:ABOUT]->(:Topic)-[:BROADER*0..30]->(:Topic {id: $value}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples",
    "task": "MATCH (e:Example)-[:FOR_TASK]->(:Task)-[:BROADER*0..30]->(:Task {id: $value}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples",
    "format": "MATCH (e:Example)-[:HAS_FORMAT]->(:Format {id: $value}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples",
    "language": "MATCH (e:Example) WHERE e.usage_role = 'supply' AND e.language = $value RETURN count(e) AS examples",
    "dataset": "MATCH (e:Example)-[:IN_DATASET]->(:Dataset {id: $value}) RETURN count(e) AS examples",
}

#: supply examples with no edge of a dimension (unlabelled on it)
COUNT_WITHOUT = {
    "topic": "MATCH (e:Example) WHERE e.usage_role = 'supply' AND NOT EXISTS { MATCH (e)-[:ABOUT]->(:Topic) } RETURN count(e) AS examples",
    "task": "MATCH (e:Example) WHERE e.usage_role = 'supply' AND NOT EXISTS { MATCH (e)-[:FOR_TASK]->(:Task) } RETURN count(e) AS examples",
    "format": "MATCH (e:Example) WHERE e.usage_role = 'supply' AND NOT EXISTS { MATCH (e)-[:HAS_FORMAT]->(:Format) } RETURN count(e) AS examples",
}

#: examples of one concept in another (a cross cell), e.g. mathematics x chain-of-thought
CROSS_COUNT = {
    (
        "topic",
        "format",
    ): "MATCH (e:Example)-[:ABOUT]->(:Topic)-[:BROADER*0..30]->(:Topic {id: $a}) MATCH (e)-[:HAS_FORMAT]->(:Format {id: $b}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples",
    (
        "topic",
        "task",
    ): "MATCH (e:Example)-[:ABOUT]->(:Topic)-[:BROADER*0..30]->(:Topic {id: $a}) MATCH (e)-[:FOR_TASK]->(:Task)-[:BROADER*0..30]->(:Task {id: $b}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples",
    (
        "task",
        "format",
    ): "MATCH (e:Example)-[:FOR_TASK]->(:Task)-[:BROADER*0..30]->(:Task {id: $a}) MATCH (e)-[:HAS_FORMAT]->(:Format {id: $b}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples",
    (
        "task",
        "language",
    ): "MATCH (e:Example)-[:FOR_TASK]->(:Task)-[:BROADER*0..30]->(:Task {id: $a}) WHERE e.usage_role = 'supply' AND e.language = $b RETURN count(DISTINCT e) AS examples",
    (
        "topic",
        "language",
    ): "MATCH (e:Example)-[:ABOUT]->(:Topic)-[:BROADER*0..30]->(:Topic {id: $a}) WHERE e.usage_role = 'supply' AND e.language = $b RETURN count(DISTINCT e) AS examples",
}

BY_GENERATOR = "MATCH (e:Example)-[:GENERATED_BY]->(:Activity)-[:USED_MODEL]->(m:Model {id: $model}) WHERE e.usage_role = 'supply' RETURN count(DISTINCT e) AS examples"
GENERATORS = "MATCH (e:Example)-[:GENERATED_BY]->(:Activity)-[u:USED_MODEL]->(m:Model) WHERE e.usage_role = 'supply' RETURN m.id AS model, u.role AS role, count(DISTINCT e) AS examples ORDER BY examples DESC, model LIMIT 100"
DUPLICATES_OF_EXAMPLE = "MATCH (e:Example)-[d:DUPLICATE_OF]->(r:Example) WHERE e.id = $id OR r.id = $id RETURN e.id AS duplicate, r.id AS kept, d.score AS score, d.method AS method ORDER BY duplicate LIMIT 100"
DUPLICATE_TOTAL = "MATCH (e:Example)-[:DUPLICATE_OF]->(:Example) RETURN count(DISTINCT e) AS duplicates"
#: topics with fewer than K examples of a format (every topic, those with none included)
TOPICS_UNDER = (
    "MATCH (t:Topic) OPTIONAL MATCH (e:Example)-[:ABOUT]->(:Topic)-[:BROADER*0..30]->(t) WHERE e.usage_role = 'supply' "
    "AND EXISTS { MATCH (e)-[:HAS_FORMAT]->(:Format {id: $format}) } "
    "WITH t, count(DISTINCT e) AS examples WHERE examples < $k RETURN t.id AS topic, examples ORDER BY examples, topic LIMIT 200"
)
ISSUES_BY_KIND = "MATCH (e:Example)-[:HAS_ISSUE]->(q:QualityIssue) RETURN q.factor AS factor, q.kind AS kind, count(DISTINCT e) AS examples ORDER BY examples DESC, kind LIMIT 100"
ISSUES_OF_KIND = (
    "MATCH (e:Example)-[:HAS_ISSUE]->(q:QualityIssue {kind: $kind}) RETURN count(DISTINCT e) AS examples"
)
DATASET_LICENSES = "MATCH (d:Dataset {id: $dataset})-[c:LICENSED_UNDER]->(l:License) RETURN l.id AS license, c.claimed_by AS claimed_by, l.commercial_use AS commercial_use ORDER BY license, claimed_by"
DATASETS = "MATCH (e:Example)-[:IN_DATASET]->(d:Dataset) RETURN d.id AS dataset, count(e) AS examples ORDER BY dataset LIMIT 200"
MODELS = "MATCH (m:Model) RETURN m.id AS model, m.provider AS provider ORDER BY model LIMIT 200"
EXAMPLE_LICENSES = (
    "MATCH (e:Example {id: $id})-[:DERIVED_FROM*0..30]->(x:Example)-[:IN_DATASET]->(:Dataset)-[:DERIVED_FROM*0..30]->(d:Dataset)-[c:LICENSED_UNDER]->(l:License) "
    "RETURN DISTINCT d.id AS dataset, l.id AS license, c.claimed_by AS claimed_by, l.commercial_use AS commercial_use ORDER BY dataset, license"
)
EXAMPLE_SOURCES = (
    "MATCH (e:Example {id: $id})-[:DERIVED_FROM*0..30]->(x:Example)-[f:FROM_SOURCE]->(s:Source)-[:IN_DATASET]->(d:Dataset) "
    "RETURN DISTINCT x.id AS example, d.id AS dataset, s.file_name AS file, f.line AS line, s.checksum AS checksum ORDER BY example, file"
)
