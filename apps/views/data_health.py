"""Data health: freshness per source, check results, quarantine and reconciliation, last run."""

import pandas as pd
import streamlit as st

from apps import components, data

st.title("Data health")
attempt = data.publish_attempt()
if attempt is not None:
    if attempt.published:
        st.success(f"Last run {attempt.run_id[:8]} published at {attempt.attempted_at}.")
    else:
        st.error(
            f"Last run {attempt.run_id[:8]} at {attempt.attempted_at} did not publish: {attempt.reason}. "
            "The pages show the previous snapshot."
        )

if components.require_snapshot():
    current = data.snapshot()
    assert current is not None
    components.freshness_caption()

    st.subheader("Freshness per source")
    freshness = pd.DataFrame(
        [{"source": source, "last_load": loaded or "never"} for source, loaded in current.freshness.items()]
    )
    components.table(freshness, "freshness")

    st.subheader("Checks of the published run")
    checks = pd.DataFrame(current.checks, columns=["asset", "check", "passed", "severity"])
    failed = int((~checks["passed"].astype(bool)).sum()) if not checks.empty else 0
    st.metric("Checks passed", f"{len(checks) - failed} / {len(checks)}")
    components.table(checks, "checks")

    if data.has_table("fct_source_reconciliation"):
        st.subheader("Reconciliation: records read = loaded + quarantined")
        reconciliation = data.query(
            "select source, table_name, sum(records_read) as records_read, "
            "sum(records_loaded) as records_loaded, sum(records_quarantined) as records_quarantined "
            "from fct_source_reconciliation group by all order by source, table_name"
        )
        components.table(reconciliation, "reconciliation")
