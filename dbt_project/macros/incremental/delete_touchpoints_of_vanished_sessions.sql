{#- Pre-hook of fct_touchpoints: on an incremental run, deletes the web touchpoints whose
    session is no longer a human session of `sessions` (fct_sessions): re-sessionized under
    another key, or a bot's now. delete+insert replaces the touchpoints of a record only with
    its new rows, so a visitor left with no human session (no new rows) would keep its old
    ones, which a full refresh does not build. -#}
{% macro delete_touchpoints_of_vanished_sessions(touchpoints, sessions) -%}
    {%- if is_incremental() %}
    delete from {{ touchpoints }}
    where
        record_source = 'ga4'
        and session_key not in (
            select session_key
            from {{ sessions }}
            where not is_bot and session_key is not null
        )
    {%- endif %}
{%- endmacro %}
