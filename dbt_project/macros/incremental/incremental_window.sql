{#- The first day an incremental run of the current model re-reads for `source_name`: the
    newest `date_column` already in the model ({{ this }}) minus the source's late-data
    lookback (var `late_data_lookback_days`), moved back to var `backfill_from_date` during
    a backfill. Use it only inside `{% if is_incremental() %}`. An empty model re-reads
    everything. When dbt executes, the day is read from {{ this }} first and written into the
    SQL as a date literal: a filter on a literal reaches the table scans below the staging
    views (their window functions partition by the day), so an incremental run reads only the
    window's rows; a scalar subquery would be joined after every row was read. -#}
{% macro incremental_window_start(date_column, source_name) -%}
    {%- set window_start_sql -%}
        select
            {{ parcours.backfill_floor(
                "coalesce(cast(" ~ dbt.dateadd('day', -parcours.late_data_lookback_days(source_name), 'max(' ~ date_column ~ ')')
                ~ " as date), cast('1900-01-01' as date))"
            ) }}
        from {{ this }}
    {%- endset -%}
    {%- if parcours.can_query_this() -%}
        {%- set window_start = run_query(window_start_sql).columns[0].values()[0] -%}
        cast('{{ window_start }}' as date)
    {%- else -%}
        ({{ window_start_sql }})
    {%- endif -%}
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


{#- The days an incremental run of a model kept per day (unique_key = the day column) must
    rebuild: every day of `source_relation` with a row of a load newer than the newest load
    already in the model ({{ this }}), plus, during a backfill, every day from var
    `backfill_from_date` on. For sources replaced whole or appended to per day (GA4:
    ingestion merges on event_date or appends late events), a day without such a row is
    unchanged. Returns a comma-separated list of
    date literals for an `in (...)` filter, which reaches the table scans (a null literal when
    no day changed); where the model cannot be queried first (parse, unit tests) the same days
    as a subquery. Use only inside `{% if is_incremental() %}`. -#}
{% macro reloaded_days(source_relation, source_date_column, source_load_column, this_load_column) -%}
    {%- set days_sql -%}
        select distinct cast({{ source_date_column }} as date) as reloaded_day
        from {{ source_relation }}
        where {{ parcours.is_unprocessed_load(source_load_column, this_load_column, source_date_column) }}
    {%- endset -%}
    {%- if parcours.can_query_this() -%}
        {%- set days = run_query(days_sql).columns[0].values() | sort -%}
        {%- if days | length == 0 -%}
            cast(null as date)
        {%- else -%}
            {%- for day in days -%}
                cast('{{ day }}' as date){{ ', ' if not loop.last }}
            {%- endfor -%}
        {%- endif -%}
    {%- else -%}
        {{ days_sql }}
    {%- endif -%}
{%- endmacro %}


{#- A predicate true on the rows of loads the current model has not processed yet: `load_column`
    newer than the newest `this_load_column` already in the model ({{ this }}; load ids sort
    in load order; of its rows matching the SQL condition `this_filter` when given), or,
    during a backfill, `date_column` from var `backfill_from_date` on.
    When dbt executes, the newest load is read first and written as a string literal, so the
    filter reaches the table scans; where the model cannot be queried first, a subquery. Use
    only inside `{% if is_incremental() %}`. -#}
{% macro is_unprocessed_load(load_column, this_load_column, date_column, this_filter=none) -%}
    {%- set backfill_from = var('backfill_from_date', none) -%}
    {%- set newest_load_sql -%}
        select coalesce(max({{ this_load_column }}), '') from {{ this }}
        {%- if this_filter %} where {{ this_filter }}{% endif %}
    {%- endset -%}
    {%- if parcours.can_query_this() -%}
        {%- set newest_load = parcours.quoted_string(run_query(newest_load_sql).columns[0].values()[0]) -%}
    {%- else -%}
        {%- set newest_load = '(' ~ newest_load_sql ~ ')' -%}
    {%- endif -%}
    ({{ load_column }} > {{ newest_load }}
    {%- if backfill_from %} or {{ date_column }} >= cast('{{ backfill_from }}' as date){% endif %})
{%- endmacro %}


{#- Whether the current node may be queried for its incremental window while it compiles: dbt
    executes, the node is a model (a unit test's `this` and sources are fixture rows, which only
    the SQL itself can read) and its relation exists. -#}
{% macro can_query_this() -%}
    {{ return(execute and model is defined and model.resource_type == 'model' and load_relation(this) is not none) }}
{%- endmacro %}
