{#- Custom schema names are used as they are (`staging`, `intermediate`, `marts`, `restricted`,
    `reference`), not prefixed with the target schema as dbt does by default. Resources
    without a custom schema go to the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
