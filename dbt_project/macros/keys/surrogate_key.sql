{#- A stable hashed key (md5 hex text on most engines) of one or more columns or expressions.
    Each value is cast to text and nulls become a sentinel, and values are joined with a
    separator, so (null, 'a') and ('', 'a') and ('a', null) all give different keys.
    Built on dbt's cross-database macros only: portable as it is. -#}
{% macro surrogate_key(field_list) -%}
    {%- set field_list = parcours.key_fields(field_list, 'surrogate_key') -%}
    {%- set parts = [] -%}
    {%- for field in field_list -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.safe_cast(field, dbt.type_string()) ~ ", '_parcours_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do parts.append("'-|-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
