{#- The names of the raw datasets, one per source system, in the order unions list them. -#}
{% macro raw_source_names() -%}
    {{ return(['crm', 'ga4', 'pos', 'social']) }}
{%- endmacro %}
