"""Parcours ingestion: landing-zone exports (or source APIs) into the raw layer of the warehouse.

One dlt source per system (:mod:`ingestion.sources`), validated records in, quarantined records kept,
personal data keyed-hashed. See ``ingestion/README.md`` for the raw tables.
"""

from ingestion.pii import ensure_pii_key, load_pii_key
from ingestion.pipelines import (
    IngestionReport,
    SchemaDriftLine,
    TableReconciliation,
    make_pipeline,
    run_ingestion,
)
from ingestion.sources.crm import crm_restricted_source, crm_source
from ingestion.sources.ga4 import ga4_source
from ingestion.sources.pos import pos_restricted_source, pos_source
from ingestion.sources.social import social_source

__all__ = [
    "IngestionReport",
    "SchemaDriftLine",
    "TableReconciliation",
    "crm_restricted_source",
    "crm_source",
    "ensure_pii_key",
    "ga4_source",
    "load_pii_key",
    "make_pipeline",
    "pos_restricted_source",
    "pos_source",
    "run_ingestion",
    "social_source",
]
