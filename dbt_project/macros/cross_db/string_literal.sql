{#- A SQL string literal holding `text` exactly: single quotes doubled; engines whose
    literals treat the backslash as an escape character (BigQuery, Spark, Databricks) get
    it doubled too. -#}
{% macro quoted_string(text) -%}
    {{ return(adapter.dispatch('quoted_string', 'parcours')(text)) }}
{%- endmacro %}

{% macro default__quoted_string(text) -%}
    {{ "'" ~ (text | string | replace("'", "''")) ~ "'" }}
{%- endmacro %}

{% macro bigquery__quoted_string(text) -%}
    {{ "'" ~ (text | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'" }}
{%- endmacro %}

{% macro spark__quoted_string(text) -%}
    {{ "'" ~ (text | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'" }}
{%- endmacro %}

{% macro databricks__quoted_string(text) -%}
    {{ "'" ~ (text | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'" }}
{%- endmacro %}
