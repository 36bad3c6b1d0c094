{#- The first day an incremental run of the current model re-reads for `source_name`: the
    newest `date_column` already in the model ({{ this }}) minus the source's late-data
    lookback (var `late_data_lookback_days`). A scalar subquery; use it only inside
    `{% if is_incremental() %}`. An empty model re-reads everything. -#}
{% macro incremental_window_start(date_column, source_name) -%}
    (
        select
            coalesce(
                cast({{ dbt.dateadd('day', -parcours.late_data_lookback_days(source_name), 'max(' ~ date_column ~ ')') }} as date),
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
{%- endmacro %}
