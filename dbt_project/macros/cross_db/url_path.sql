{#- The path of a URL, without scheme, host, query string or fragment ('/' when the URL has
    no path): 'https://shop.example/c/shoes?utm_source=x' gives '/c/shoes'. Null stays null. -#}
{% macro url_path(url_expression) -%}
    {{ return(adapter.dispatch('url_path', 'parcours')(url_expression)) }}
{%- endmacro %}

{#- Postgres / SQL standard: SUBSTRING ... FROM a POSIX pattern returns the first group. -#}
{% macro default__url_path(url_expression) -%}
    coalesce(nullif(substring({{ url_expression }} from '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*([^?#]*)'), ''), case when {{ url_expression }} is not null then '/' end)
{%- endmacro %}

{% macro duckdb__url_path(url_expression) -%}
    coalesce(nullif(regexp_extract({{ url_expression }}, '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*([^?#]*)', 1), ''), case when {{ url_expression }} is not null then '/' end)
{%- endmacro %}

{% macro bigquery__url_path(url_expression) -%}
    coalesce(nullif(regexp_extract({{ url_expression }}, r'^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*([^?#]*)'), ''), case when {{ url_expression }} is not null then '/' end)
{%- endmacro %}

{% macro snowflake__url_path(url_expression) -%}
    coalesce(nullif(regexp_substr({{ url_expression }}, '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*([^?#]*)', 1, 1, 'e', 1), ''), case when {{ url_expression }} is not null then '/' end)
{%- endmacro %}

{% macro spark__url_path(url_expression) -%}
    coalesce(nullif(regexp_extract({{ url_expression }}, '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*([^?#]*)', 1), ''), case when {{ url_expression }} is not null then '/' end)
{%- endmacro %}
