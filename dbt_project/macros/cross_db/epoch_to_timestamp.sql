{#- Epoch integers to a UTC timestamp without time zone. GA4 exports event timestamps as epoch
    microseconds, HubSpot e-mail events as epoch milliseconds. -#}
{% macro epoch_micros_to_timestamp(expression) -%}
    {{ return(adapter.dispatch('epoch_micros_to_timestamp', 'parcours')(expression)) }}
{%- endmacro %}

{% macro default__epoch_micros_to_timestamp(expression) -%}
    {{ dbt.dateadd('second', '(' ~ expression ~ ') / 1000000', "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro duckdb__epoch_micros_to_timestamp(expression) -%}
    make_timestamp(cast({{ expression }} as bigint))
{%- endmacro %}

{% macro bigquery__epoch_micros_to_timestamp(expression) -%}
    timestamp_micros(cast({{ expression }} as int64))
{%- endmacro %}

{% macro snowflake__epoch_micros_to_timestamp(expression) -%}
    to_timestamp_ntz(cast({{ expression }} as bigint), 6)
{%- endmacro %}

{% macro spark__epoch_micros_to_timestamp(expression) -%}
    timestamp_micros(cast({{ expression }} as bigint))
{%- endmacro %}


{% macro epoch_millis_to_timestamp(expression) -%}
    {{ return(adapter.dispatch('epoch_millis_to_timestamp', 'parcours')(expression)) }}
{%- endmacro %}

{% macro default__epoch_millis_to_timestamp(expression) -%}
    {{ parcours.epoch_micros_to_timestamp('cast(' ~ expression ~ ' as ' ~ dbt.type_bigint() ~ ') * 1000') }}
{%- endmacro %}

{% macro duckdb__epoch_millis_to_timestamp(expression) -%}
    make_timestamp(cast({{ expression }} as bigint) * 1000)
{%- endmacro %}

{% macro bigquery__epoch_millis_to_timestamp(expression) -%}
    timestamp_millis(cast({{ expression }} as int64))
{%- endmacro %}

{% macro snowflake__epoch_millis_to_timestamp(expression) -%}
    to_timestamp_ntz(cast({{ expression }} as bigint), 3)
{%- endmacro %}

{% macro spark__epoch_millis_to_timestamp(expression) -%}
    timestamp_millis(cast({{ expression }} as bigint))
{%- endmacro %}
