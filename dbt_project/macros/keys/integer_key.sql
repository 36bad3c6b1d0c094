{#- A stable integer key of one or more text columns: a 64-bit hash of the values cut to 62
    bits, so 0 <= key < 2^62 (twice it plus one still fits a bigint). For keys that only
    need to be equal when the values are, cheaper to sort, group and join than text; unlike
    surrogate_key, two different values can share a key (at 10M values, once in about 10^5
    runs): test uniqueness where a collision would matter. Stable for one engine version. -#}
{% macro integer_key(field_list) -%}
    {%- set field_list = parcours.key_fields(field_list, 'integer_key') -%}
    {{ return(adapter.dispatch('integer_key', 'parcours')(field_list)) }}
{%- endmacro %}

{% macro default__integer_key(field_list) -%}
    {{ exceptions.raise_compiler_error(
        "integer_key has no implementation for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__integer_key (a 64-bit hash of the fields, cut to 62 bits)"
    ) }}
{%- endmacro %}

{#- DuckDB: hash() of several values is one unsigned 64-bit hash of them all. -#}
{% macro duckdb__integer_key(field_list) -%}
    cast(hash({{ field_list | join(', ') }}) >> 2 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro snowflake__integer_key(field_list) -%}
    bitand(hash({{ field_list | join(', ') }}), 4611686018427387903)
{%- endmacro %}

{#- BigQuery: FARM_FINGERPRINT of the values as one JSON array ('a', 'bc' and 'ab', 'c' differ). -#}
{% macro bigquery__integer_key(field_list) -%}
    (farm_fingerprint(to_json_string([{{ field_list | join(', ') }}])) & 4611686018427387903)
{%- endmacro %}

{% macro spark__integer_key(field_list) -%}
    (xxhash64({{ field_list | join(', ') }}) & 4611686018427387903)
{%- endmacro %}

{% macro databricks__integer_key(field_list) -%}
    (xxhash64({{ field_list | join(', ') }}) & 4611686018427387903)
{%- endmacro %}
