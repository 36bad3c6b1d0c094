{#- The distinct regex patterns of the seed identity_blocklist as it stands in the warehouse
    when the calling model is compiled (dbt compiles a model just before running it, after
    its seeds were loaded), sorted. Empty when not executing (parse, lint), in a unit test, or when
    the seed was never loaded. The caller tests these patterns as SQL literals, which an engine
    compiles once per query instead of once per row, and must still evaluate every regex
    entry of its blocklist input that is not in this list (a unit-test fixture, a seed
    changed since): the list only speeds things up, it never decides a result. -#}
{% macro identity_blocklist_regex_patterns() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {#- a unit test compiles without the graph: its fixtures are then checked row by row -#}
    {%- set seed = (graph.get('nodes') or {}).get('seed.parcours.identity_blocklist') -%}
    {%- if seed is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(seed.database, seed.schema, seed.alias or seed.name) -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set patterns = run_query(
        "select distinct value from " ~ relation
        ~ " where match_type = 'regex' and value is not null order by value"
    ) -%}
    {{ return(patterns.columns[0].values() | list) }}
{%- endmacro %}
