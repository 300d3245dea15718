"""Exact ingest counts of every real dataset file, checked against plain-Python oracles over the raw
files (tests/test_ingest_datasets.py)."""

from __future__ import annotations

# (dataset folder, file, detected format, records, read, accepted, quarantined, duplicates_skipped)
EXPECTED = [
    ("self-instruct", "seed_tasks.jsonl", "self-instruct", 175, 175, 175, 0, 0),
    ("self-instruct", "user_oriented_instructions.jsonl", "self-instruct", 252, 252, 252, 0, 0),
    # quarantined: records 2335 and 4658 have an empty "output" (checked below)
    ("stanford-alpaca-5k", "alpaca_5000.json", "alpaca", 5000, 5000, 4998, 2, 0),
    # quarantined: records 237 and 1859 have an empty "output"
    ("code-alpaca-2k", "code_alpaca_2k.json", "alpaca", 2017, 2017, 2015, 2, 0),
    # 8 records repeat an earlier record exactly
    ("alpaca-zh-demo", "alpaca_zh_demo.json", "alpaca", 1000, 1000, 992, 0, 8),
    ("gsm8k", "train.jsonl", "gsm8k", 7473, 7473, 7473, 0, 0),
    ("gsm8k", "test.jsonl", "gsm8k", 1319, 1319, 1319, 0, 0),
    # 100 trees; one example per assistant reply (670 human + 17 synthetic replies)
    ("oasst-en-100-trees", "en_100_tree.jsonl", "oasst", 100, 687, 687, 0, 0),
    # 5 records repeat an earlier record exactly (oasst1 ranked replies flattened twice)
    ("oasst1-zh", "oaast_sft_zh.json", "alpaca", 689, 689, 684, 0, 5),
    ("lima", "lima.json", "alpaca", 1029, 1029, 1029, 0, 0),
    ("glaive-toolcall-demo", "glaive_toolcall_en_demo.json", "glaive", 300, 300, 265, 0, 35),
    ("glaive-toolcall-demo", "glaive_toolcall_zh_demo.json", "glaive", 300, 300, 257, 0, 43),
    # quarantined: train record 356 and eval record 56 answer directly instead of with an API call
    ("gorilla-apibench-torchhub", "torchhub_train.json", "gorilla", 837, 837, 836, 1, 0),
    ("gorilla-apibench-torchhub", "torchhub_eval.json", "gorilla", 186, 186, 185, 1, 0),
    ("bfcl-v4", "BFCL_v4_irrelevance.json", "bfcl", 240, 240, 240, 0, 0),
    ("bfcl-v4", "BFCL_v4_live_multiple.json", "bfcl", 1053, 1053, 1053, 0, 0),
    ("bfcl-v4", "BFCL_v4_live_simple.json", "bfcl", 258, 258, 258, 0, 0),
    ("bfcl-v4", "BFCL_v4_multi_turn_base.json", "bfcl", 200, 200, 200, 0, 0),
    ("bfcl-v4", "BFCL_v4_multiple.json", "bfcl", 200, 200, 200, 0, 0),
    ("bfcl-v4", "BFCL_v4_parallel.json", "bfcl", 200, 200, 200, 0, 0),
    ("bfcl-v4", "BFCL_v4_parallel_multiple.json", "bfcl", 200, 200, 200, 0, 0),
    ("bfcl-v4", "BFCL_v4_simple_python.json", "bfcl", 400, 400, 400, 0, 0),
    # 73 rows repeat an earlier (Q, A) pair exactly
    ("ko-chatbot-data", "ChatbotData.csv", "csv-qa", 11823, 11823, 11750, 0, 73),
    ("kullm-user-oriented-ko", "user_oriented_instructions_eval.jsonl", "self-instruct", 252, 252, 252, 0, 0),
]

#: catalog queries whose answers must be identical on both engines over every real dataset
CROSS_ENGINE_QUERIES = [
    "MATCH (e:Example)-[:IN_DATASET]->(d:Dataset) RETURN d.id, count(e) ORDER BY d.id",
    "MATCH (e:Example)-[:FOR_TASK]->(t:Task) RETURN t.id, count(e) ORDER BY t.id",
    "MATCH (e:Example)-[:ABOUT]->(t:Topic) RETURN t.id, count(e) ORDER BY t.id",
    "MATCH (e:Example)-[x:HAS_FORMAT]->(f:Format) RETURN f.id, x.method, count(e) ORDER BY f.id",
    "MATCH (e:Example)-[x:FOR_TASK]->(t:Task) RETURN x.method, x.method_version, count(e) ORDER BY x.method, x.method_version",
    "MATCH (e:Example)-[x:HAS_RISK]->(r:Risk) RETURN r.id, x.method, count(e) ORDER BY r.id, x.method",
    "MATCH (e:Example) WHERE NOT EXISTS { MATCH (e)-[:FOR_TASK]->(:Task) } RETURN count(e)",
    "MATCH (e:Example) RETURN e.coverage_key, count(e) ORDER BY e.coverage_key",
    "MATCH (e:Example) RETURN e.language, count(e) ORDER BY e.language",
    "MATCH (d:Dataset)-[c:LICENSED_UNDER]->(l:License) RETURN d.id, l.id, c.claimed_by ORDER BY d.id, l.id, c.claimed_by",
    "MATCH (e:Example)-[:GENERATED_BY]->(:Activity)-[u:USED_MODEL]->(m:Model) RETURN m.id, u.role, count(e) ORDER BY m.id",
    "MATCH (c:Example)-[d:DERIVED_FROM]->(p:Example) RETURN d.method, count(*) ORDER BY d.method",
    "MATCH (e:Example)-[f:FROM_SOURCE]->(s:Source) WHERE f.line = 1 RETURN s.file_name, count(e) ORDER BY s.file_name",
    "MATCH (e:Example) WHERE e.has_tool_calls RETURN count(e)",
    "MATCH (e:Example) RETURN e.usage_role, sum(e.n_messages), max(e.n_user_turns) ORDER BY e.usage_role",
    "MATCH (e:Example {record_key: 'simple_python_0'}) RETURN e.id, e.messages, e.tools, e.message_languages",
    "MATCH (d:Dataset)-[:DERIVED_FROM]->(p:Dataset) RETURN d.id, p.id ORDER BY d.id, p.id",
]
