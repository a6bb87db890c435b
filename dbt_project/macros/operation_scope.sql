{#- Incremental work by operation. A load writes the operations whose files changed
    into raw.build_scope and passes `use_build_scope: true` (a constant, so that dbt's
    partial parse survives from one load to the next); incremental models then delete and
    rebuild only those operations' rows. Without the var (`dbt build` by hand), or on
    --full-refresh, every operation is built.

    in_scope(column): the filter a model puts on its operation column.
    clear_scope():    the pre-hook that deletes the rows of the operations in scope. -#}

{% macro in_scope(column='operation_id') -%}
    {%- if is_incremental() and var('use_build_scope', false) -%}
        {{ column }} in (select operation_id from raw.build_scope)
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
