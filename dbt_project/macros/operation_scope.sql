{#- Incremental work by operation (issue 6). A load passes the operations whose files
    changed as the var `operation_ids`; incremental models then delete and rebuild only
    those operations' rows. Without the var (or on --full-refresh) every operation is built.

    in_scope(column): the filter a model puts on its operation column.
    clear_scope():    the pre-hook that deletes the rows of the operations in scope. -#}

{% macro operations_in_scope() -%}
    {{ return(var('operation_ids', none)) }}
{%- endmacro %}

{% macro in_scope(column='operation_id') -%}
    {%- set scope = operations_in_scope() -%}
    {%- if is_incremental() and scope is not none -%}
        {%- if scope | length == 0 -%}
            false
        {%- else -%}
            {{ column }} in ({% for op in scope %}'{{ op | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro clear_scope() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_scope('operation_id') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
