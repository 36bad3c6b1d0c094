{#- True when `pattern` matches anywhere in `expression` (anchor it with ^...$ for a full match).
    `pattern` is SQL: pass a quoted literal such as "'^(cpc|ppc)$'". Keep patterns free of
    backslashes: string-literal escaping differs per engine. -#}
{% macro regex_contains(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_contains', 'parcours')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_contains(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro bigquery__regex_contains(expression, pattern) -%}
    regexp_contains({{ expression }}, {{ pattern }})
{%- endmacro %}

{#- Snowflake's REGEXP_LIKE / RLIKE match the WHOLE string; REGEXP_INSTR finds a match anywhere. -#}
{% macro snowflake__regex_contains(expression, pattern) -%}
    (regexp_instr({{ expression }}, {{ pattern }}) > 0)
{%- endmacro %}

{% macro spark__regex_contains(expression, pattern) -%}
    ({{ expression }} rlike {{ pattern }})
{%- endmacro %}

{% macro databricks__regex_contains(expression, pattern) -%}
    ({{ expression }} rlike {{ pattern }})
{%- endmacro %}
