{#- Written between `<cte name> as` and the CTE's parenthesis: asks the engine to inline the
    CTE into each of its references instead of buffering its rows once. For a CTE that is
    cheap to recompute (a scan joined to a small seed) but read several times: DuckDB buffers
    such a CTE by default, which cost more than the rescans (int_identity__identifiers). -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'parcours')()) }}
{%- endmacro %}

{#- Engines without the hint (or that inline CTEs anyway): nothing. -#}
{% macro default__cte_not_materialized() -%}
{%- endmacro %}

{#- DuckDB (and PostgreSQL 12+ syntax): NOT MATERIALIZED. -#}
{% macro duckdb__cte_not_materialized() -%}
    not materialized
{%- endmacro %}
