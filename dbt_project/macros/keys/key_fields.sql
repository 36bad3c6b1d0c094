{#- The fields of a key macro as a non-empty list: a single string becomes a one-item list;
    none at all fails at compile time naming the calling macro. -#}
{% macro key_fields(field_list, macro_name) -%}
    {%- if field_list is string -%}
        {%- set field_list = [field_list] -%}
    {%- endif -%}
    {%- if field_list | length == 0 -%}
        {{ exceptions.raise_compiler_error(macro_name ~ " needs at least one field") }}
    {%- endif -%}
    {{ return(field_list) }}
{%- endmacro %}
