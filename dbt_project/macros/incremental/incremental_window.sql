{#- The first day an incremental run of the current model re-reads for `source_name`: the
    newest `date_column` already in the model ({{ this }}) minus the source's late-data
    lookback (var `late_data_lookback_days`), moved back to var `backfill_from_date` during
    a backfill. A scalar subquery; use it only inside `{% if is_incremental() %}`. An empty
    model re-reads everything. -#}
{% macro incremental_window_start(date_column, source_name) -%}
    (
        select
            {{ parcours.backfill_floor(
                "coalesce(cast(" ~ dbt.dateadd('day', -parcours.late_data_lookback_days(source_name), 'max(' ~ date_column ~ ')')
                ~ " as date), cast('1900-01-01' as date))"
            ) }}
        from {{ this }}
    )
{%- endmacro %}


{#- `window_start` (a date expression), or var `backfill_from_date` when that is earlier:
    a backfill (orchestration/backfill.py) rebuilds every day from its first day on. -#}
{% macro backfill_floor(window_start) -%}
    {%- set backfill_from = var('backfill_from_date', none) -%}
    {%- if backfill_from -%}
        {{ parcours.least_ignore_nulls([window_start, "cast('" ~ backfill_from ~ "' as date)"]) }}
    {%- else -%}
        {{ window_start }}
    {%- endif -%}
{%- endmacro %}
