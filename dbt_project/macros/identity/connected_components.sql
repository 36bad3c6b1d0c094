{#- Connected components of an undirected graph given as star edges (record node -> identifier
    node, integer ids). Returns a select of (node_id, component_id, settled_at_iteration):
    component_id is the smallest node id of the node's component. Label propagation bounded
    by `max_iterations` rounds (one hop per round); a graph with longer paths stops early, and
    the caller detects it as edges whose two ends got different labels. -#}
{% macro connected_components(edges, max_iterations) -%}
    {{ return(adapter.dispatch('connected_components', 'parcours')(edges, max_iterations)) }}
{%- endmacro %}

{#- Portable: label propagation unrolled into `max_iterations` CTEs, each node taking the
    smallest label among itself and its neighbours. -#}
{% macro default__connected_components(edges, max_iterations) -%}
    with
    neighbours as (
        select record_node_id as node_id, identifier_node_id as neighbour_id from {{ edges }}
        union all
        select identifier_node_id as node_id, record_node_id as neighbour_id from {{ edges }}
    ),

    nodes as (
        select distinct node_id from neighbours
    ),

    labels_0 as (
        select node_id, node_id as component_id, 0 as settled_at_iteration from nodes
    ),
    {% for iteration in range(1, max_iterations + 1) %}
    labels_{{ iteration }} as (
        select
            labels.node_id,
            least(labels.component_id, coalesce(min(neighbour_labels.component_id), labels.component_id))
                as component_id,
            case
                when min(neighbour_labels.component_id) < labels.component_id then {{ iteration }}
                else labels.settled_at_iteration
            end as settled_at_iteration
        from labels_{{ iteration - 1 }} as labels
        left join neighbours
            on labels.node_id = neighbours.node_id
        left join labels_{{ iteration - 1 }} as neighbour_labels
            on neighbours.neighbour_id = neighbour_labels.node_id
        group by labels.node_id, labels.component_id, labels.settled_at_iteration
    ),
    {% endfor %}

    final as (
        select node_id, component_id, settled_at_iteration from labels_{{ max_iterations }}
    )

    select * from final
{%- endmacro %}

{#- DuckDB: a recursive CTE with USING KEY keeps one row per node and only propagates the
    labels that changed in the previous round (measured: 1M people in 9.5 s). Leaves are left
    out of the rounds and labelled after them, with the result of the plain propagation over
    every node (a node's label after round k is the smallest id within k hops):
    * an identifier on one record only takes, one round later, what its record had after
      round max_iterations - 1 (each node also keeps its label from before its last change);
    * a record carrying one linking identifier (of several records) can only hand its own id
      to that identifier in round 1: the smallest such record of each identifier does, one way,
      and every such record takes its identifier's label of round max_iterations - 1 when
      smaller than its own id, one round later.
    Most nodes are leaves: the rounds join a third of the rows (measured: 100k people, 2.4
    times less CPU and a fifth less memory, which the recursive CTE cannot spill). -#}
{% macro duckdb__connected_components(edges, max_iterations) -%}
    with recursive
    identifier_degrees as (
        select
            identifier_node_id,
            count(*) as degree,
            min(record_node_id) as record_node_id
        from {{ edges }}
        group by identifier_node_id
    ),

    record_degrees as (
        select
            record_node_id,
            count(*) as degree,
            min(identifier_node_id) as identifier_node_id
        from {{ edges }}
        group by record_node_id
    ),

    shared_identifiers as (
        select identifier_node_id from identifier_degrees
        where degree > 1
    ),

    leaf_records as (
        select
            record_degrees.record_node_id,
            record_degrees.identifier_node_id
        from record_degrees
        inner join shared_identifiers
            on record_degrees.identifier_node_id = shared_identifiers.identifier_node_id
        where record_degrees.degree = 1
    ),

    first_leaf_records as (
        select
            identifier_node_id,
            min(record_node_id) as record_node_id
        from leaf_records
        group by identifier_node_id
    ),

    inner_edges as (
        select
            edges.record_node_id,
            edges.identifier_node_id
        from {{ edges }} as edges
        inner join shared_identifiers
            on edges.identifier_node_id = shared_identifiers.identifier_node_id
        left join leaf_records
            on edges.record_node_id = leaf_records.record_node_id
        where leaf_records.record_node_id is null
    ),

    neighbours as (
        select record_node_id as node_id, identifier_node_id as neighbour_id from inner_edges
        union all
        select identifier_node_id as node_id, record_node_id as neighbour_id from inner_edges
        union all
        select record_node_id as node_id, identifier_node_id as neighbour_id from first_leaf_records
    ),

    nodes as (
        select record_degrees.record_node_id as node_id
        from record_degrees
        left join leaf_records
            on record_degrees.record_node_id = leaf_records.record_node_id
        where leaf_records.record_node_id is null
        union all
        select record_node_id from first_leaf_records
        union all
        select identifier_node_id from shared_identifiers
    ),

    labels (
        node_id, component_id, settled_at_iteration, previous_component_id, previous_settled_at_iteration
    ) using key (node_id) as (
        select
            node_id,
            node_id,
            0,
            cast(null as {{ dbt.type_bigint() }}),
            cast(null as {{ dbt.type_int() }})
        from nodes
        union
        select
            neighbours.neighbour_id,
            min(changed.component_id),
            max(changed.settled_at_iteration) + 1,
            min(current_labels.component_id),
            min(current_labels.settled_at_iteration)
        from labels as changed
        inner join neighbours
            on changed.node_id = neighbours.node_id
        inner join recurring.labels as current_labels
            on neighbours.neighbour_id = current_labels.node_id
        where
            changed.component_id < current_labels.component_id
            and changed.settled_at_iteration < {{ max_iterations }}
        group by neighbours.neighbour_id
    ),

    labels_before_last_round as (
        select
            node_id,
            case
                when settled_at_iteration < {{ max_iterations }} then component_id
                when previous_component_id is not null then previous_component_id
                else node_id
            end as component_id,
            case
                when settled_at_iteration < {{ max_iterations }} then settled_at_iteration
                when previous_component_id is not null then previous_settled_at_iteration
                else 0
            end as settled_at_iteration
        from labels
    ),

    inner_labels as (
        select
            labels.node_id,
            labels.component_id,
            labels.settled_at_iteration
        from labels
        left join first_leaf_records
            on labels.node_id = first_leaf_records.record_node_id
        where first_leaf_records.record_node_id is null
    ),

    leaf_record_labels as (
        select
            leaf_records.record_node_id as node_id,
            case
                when identifier_labels.component_id < leaf_records.record_node_id
                    then identifier_labels.component_id
                else leaf_records.record_node_id
            end as component_id,
            case
                when identifier_labels.component_id < leaf_records.record_node_id
                    then identifier_labels.settled_at_iteration + 1
                else 0
            end as settled_at_iteration
        from leaf_records
        inner join labels_before_last_round as identifier_labels
            on leaf_records.identifier_node_id = identifier_labels.node_id
    ),

    leaf_identifier_labels as (
        select
            identifier_degrees.identifier_node_id as node_id,
            {%- if max_iterations > 0 %}
            record_labels.component_id,
            record_labels.settled_at_iteration + 1 as settled_at_iteration
            {%- else %}
            identifier_degrees.identifier_node_id as component_id,
            0 as settled_at_iteration
            {%- endif %}
        from identifier_degrees
        inner join labels_before_last_round as record_labels
            on identifier_degrees.record_node_id = record_labels.node_id
        where identifier_degrees.degree = 1
    )

    select node_id, component_id, settled_at_iteration from inner_labels
    union all
    select node_id, component_id, settled_at_iteration from leaf_record_labels
    union all
    select node_id, component_id, settled_at_iteration from leaf_identifier_labels
{%- endmacro %}
