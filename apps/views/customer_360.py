"""Customer 360: find one customer, see their profile, timeline, and why they are one person."""

import streamlit as st

from apps import charts, components
from apps.queries import customer_360 as c360

CUSTOMER_PARAM = "customer"
LOOKUP_KINDS = ("Customer key", "Loyalty card number", "E-mail address")


def _look_up() -> None:
    """Form callback: resolve the typed identifier to a customer key (only the key reaches the URL)."""
    kind = st.session_state.get("lookup-kind") or LOOKUP_KINDS[0]
    value = str(st.session_state.get("lookup-value") or "")
    st.session_state["lookup-value"] = ""  # a typed e-mail or card number is not kept in the session
    if kind == "Loyalty card number":
        found = c360.find_by_loyalty_card(value)
    elif kind == "E-mail address":
        found = c360.find_by_email(value)
    else:
        found = c360.find_by_customer_key(value)
    st.session_state["lookup-message"] = found.message
    st.session_state["lookup-matches"] = found.customer_keys
    if found.customer_keys:
        st.session_state[CUSTOMER_PARAM] = found.customer_keys[0]


def _search() -> str:
    kind = st.segmented_control("Look up by", LOOKUP_KINDS, default=LOOKUP_KINDS[0], key="lookup-kind")
    with st.form("lookup", clear_on_submit=True, border=True):
        st.text_input(
            "Value",
            key="lookup-value",
            type="password" if kind == "E-mail address" else "default",
            placeholder=str(kind or LOOKUP_KINDS[0]).lower(),
            help="E-mails are hashed with the pipeline's key on input; only the hash is compared.",
        )
        st.form_submit_button("Find", on_click=_look_up, icon=":material/search:")
    if st.session_state.get("lookup-message"):
        st.info(st.session_state["lookup-message"])
    matches = st.session_state.get("lookup-matches") or []
    if len(matches) > 1:
        st.selectbox("Customers found", matches, key="lookup-choice", on_change=_choose)
    return str(st.text_input("Customer key shown", key=CUSTOMER_PARAM, bind="query-params") or "").strip()


def _choose() -> None:
    st.session_state[CUSTOMER_PARAM] = st.session_state["lookup-choice"]


def _profile(customer_key: str) -> bool:
    found = c360.profile(customer_key)
    if found.empty:
        st.warning(f"No current customer has the key {customer_key}. Try a look-up above.")
        return False
    row = found.iloc[0]
    columns = st.columns(5)
    tiles = [
        ("Funnel stage", str(row["current_funnel_stage"])),
        ("RFM segment", str(row["rfm_segment"])),
        ("Behaviour segment", str(row["behaviour_segment"])),
        ("Orders", components.fmt_count(row["order_count"])),
        ("Revenue", components.fmt_money(float(row["total_revenue"] or 0))),
    ]
    for column, (label, value) in zip(columns, tiles, strict=True):
        with column:
            components.kpi_tile(label, value)
    details = found.T.reset_index()
    details.columns = ["attribute", "value"]
    details["value"] = details["value"].astype(str)
    with st.expander("Full profile"):
        components.table(details, "customer_profile")
    return True


def _timeline(customer_key: str) -> None:
    st.subheader("Touchpoint timeline")
    touchpoints = c360.timeline(customer_key)
    if components.empty(touchpoints, "touchpoints"):
        return
    figure = charts.points(
        touchpoints,
        x="touchpoint_at",
        y="channel",
        color="touchpoint_type",
        hover=["sub_channel", "campaign", "store_id", "sentiment", "revenue"],
        labels={"touchpoint_at": ""},
    )
    components.chart(figure, "customer-timeline")
    components.table(touchpoints, "customer_touchpoints")
    stages = c360.stage_history(customer_key)
    if not stages.empty:
        st.markdown("**Journey stages**")
        components.table(stages, "customer_stages")


def _identity(customer_key: str) -> None:
    st.subheader("Why this is one person")
    st.caption("The identifiers and source systems linked into this customer (personal values masked).")
    if components.require_marts("bridge_customer_identifiers"):
        linked = c360.identifiers(customer_key)
        if not components.empty(linked, "identifiers"):
            components.table(linked, "customer_identifiers")
    if components.require_marts("fct_identity_merges"):
        history = c360.merges(customer_key)
        if history.empty:
            st.caption("No other customer key was ever merged into this one.")
        else:
            st.markdown("**Merge history**: customer keys retired into this one")
            components.table(history, "customer_merges")


if components.page_header(
    "Customer 360",
    "One customer across every channel: profile, what they touched, and which records make them one person.",
) and components.require_marts("dim_customers", "fct_touchpoints"):
    key = _search()
    if key and _profile(key):
        _timeline(key)
        _identity(key)
