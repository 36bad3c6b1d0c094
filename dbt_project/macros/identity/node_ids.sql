{#- Node ids of the identity graph: integer keys (macro integer_key) of a record's
    (source, record_type, record_id) and of an identifier's (namespace, value), made even for
    records and odd for identifiers so the two never meet. Hashes rather than ranks: the same
    record or value keeps its id from run to run, and numbering needs no sort of every row.
    `prefix` qualifies the columns (e.g. 'observations.'). -#}
{% macro record_node_id(prefix='') -%}
    2 * {{ parcours.integer_key([prefix ~ 'source', prefix ~ 'record_type', prefix ~ 'record_id']) }}
{%- endmacro %}

{% macro identifier_node_id(prefix='') -%}
    2 * {{ parcours.integer_key([prefix ~ 'identifier_namespace', prefix ~ 'identifier_value']) }} + 1
{%- endmacro %}
