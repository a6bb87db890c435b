{#
  SQL that DuckDB writes its own way, behind one name each, so that the models stay in SQL
  other engines share (docs/scaling.md). Another adapter adds `<adapter>__value_at_max` and
  so on (dbt's adapter.dispatch); dbt's own cross-database macros (dbt.any_value,
  dbt.datediff) are used where they exist.
#}

{# the value of `value` on the row where `order_by` is largest (DuckDB: arg_max) #}
{% macro value_at_max(value, order_by) -%}
    {{ return(adapter.dispatch('value_at_max', 'jad_warehouse')(value, order_by)) }}
{%- endmacro %}

{% macro default__value_at_max(value, order_by) -%}
    arg_max({{ value }}, {{ order_by }})
{%- endmacro %}

{# the value of `value` on the row where `order_by` is smallest (DuckDB: arg_min) #}
{% macro value_at_min(value, order_by) -%}
    {{ return(adapter.dispatch('value_at_min', 'jad_warehouse')(value, order_by)) }}
{%- endmacro %}

{% macro default__value_at_min(value, order_by) -%}
    arg_min({{ value }}, {{ order_by }})
{%- endmacro %}

{# the distinct elements of a text-list column over a group, as one comma-separated text
   (NULL when there are none): the template hints that shaped a figure #}
{% macro distinct_list_text(list_column) -%}
    {{ return(adapter.dispatch('distinct_list_text', 'jad_warehouse')(list_column)) }}
{%- endmacro %}

{% macro default__distinct_list_text(list_column) -%}
    nullif(array_to_string(list_sort(list_distinct(flatten(list({{ list_column }})))), ', '), '')
{%- endmacro %}

{# which cells can be one figure written twice: those that take their day from the same cell,
   or, where no cell gives a day, those of the same row #}
{% macro same_figure_key() -%}
    coalesce(period_cell_ref, 'row ' || cast(row_number as varchar))
{%- endmacro %}

{# the values of `value` over a group as a list, in the order of `order_by` #}
{% macro ordered_list(value, order_by) -%}
    {{ return(adapter.dispatch('ordered_list', 'jad_warehouse')(value, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list(value, order_by) -%}
    list({{ value }} order by {{ order_by }})
{%- endmacro %}

{# the same day with its day and month swapped (NULL when the day is past 12): how a date
   written day-month reads month-day #}
{% macro swapped_day_month(date_expression) -%}
    {{ return(adapter.dispatch('swapped_day_month', 'jad_warehouse')(date_expression)) }}
{%- endmacro %}

{% macro default__swapped_day_month(date_expression) -%}
    case when day({{ date_expression }}) <= 12
        then make_date(year({{ date_expression }}), day({{ date_expression }}), month({{ date_expression }}))
    end
{%- endmacro %}
