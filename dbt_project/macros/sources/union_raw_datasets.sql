{#- One `select` per raw dataset (crm, ga4, pos, social) of the same table, joined with
    `union all`. Each select starts with the dataset's name as `source`, followed by the
    select list of the caller block. `columns`: the typed columns read, when the table may
    not exist yet (see `source_or_empty`); none reads it with `source()`. Use as
    `{% call parcours.union_raw_datasets('reconciliation') %} table_name, ... {% endcall %}`. -#}
{% macro union_raw_datasets(table_name, columns=none) -%}
    {%- for source_name in parcours.raw_source_names() %}
    select
        '{{ source_name }}' as source,  -- noqa: RF04
        {{ caller() | trim }}
    from
        {%- if columns is none %} {{ source(source_name, table_name) }}
        {%- else %} {{ parcours.source_or_empty(source_name, table_name, columns) }}
        {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
